package dev.switchboard;

import java.util.Objects;

/**
 * The template a request's URI was made from ({@code /{index}/_doc/{id}}), attached as a tag
 * ({@link Request.Builder#tag}) for metrics and traces: they show it instead of the raw path, whose
 * values would make one time series per document. Without it they show no path at all.
 *
 * @param value the template, as the caller writes it
 */
public record UriTemplate(String value) {
  /** Checks the template is there. */
  public UriTemplate {
    Objects.requireNonNull(value, "value");
  }

  /** The tag for {@code template}. */
  public static UriTemplate of(String template) {
    return new UriTemplate(template);
  }
}
