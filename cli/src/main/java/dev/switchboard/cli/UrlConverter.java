package dev.switchboard.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads an absolute {@code http} or {@code https} URL. */
final class UrlConverter implements ITypeConverter<URI> {
  @Override
  public URI convert(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a URL (" + e.getReason() + "); percent-encode spaces and %");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new TypeConversionException(
          "'" + value + "' is not an http or https URL; write e.g. http://127.0.0.1:9200/");
    }
    if (uri.getHost() == null) {
      throw new TypeConversionException("'" + value + "' has no host");
    }
    return uri;
  }
}
