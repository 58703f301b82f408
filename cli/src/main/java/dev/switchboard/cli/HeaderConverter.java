package dev.switchboard.cli;

import dev.switchboard.Headers;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a {@code -H 'Name: value'} option into a header field, validated as the api does. */
final class HeaderConverter implements ITypeConverter<Headers.Field> {
  @Override
  public Headers.Field convert(String value) {
    int colon = value.indexOf(':');
    if (colon <= 0) {
      throw new TypeConversionException(
          "'" + value + "' is not a header; write it as 'Name: value'");
    }
    String name = value.substring(0, colon).strip();
    String fieldValue = value.substring(colon + 1).strip();
    try {
      return new Headers.Field(name, fieldValue);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a valid header: " + e.getMessage());
    }
  }
}
