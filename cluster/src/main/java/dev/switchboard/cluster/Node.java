package dev.switchboard.cluster;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * One node of a cluster: its base URL and optional attributes (zone, rack, role…) that a
 * {@linkplain ClusterTransport.Builder#nodeFilter node filter} or a {@link NodeSelector} can use.
 *
 * <p>The base URL is absolute ({@code http} or {@code https}, with a host) and may carry a path
 * prefix, such as {@code http://10.0.0.1:9200/es/}: a request for {@code _search} (or {@code
 * /_search}) then goes to {@code http://10.0.0.1:9200/es/_search}. It has no query and no fragment.
 * Two nodes are equal when URL and attributes are.
 *
 * @param url the base URL
 * @param attributes attributes of the node, never {@code null} (an empty map when none)
 */
public record Node(URI url, Map<String, String> attributes) {
  /** Validates the URL and copies the attributes. */
  public Node {
    Objects.requireNonNull(url, "url");
    attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    String scheme = url.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "a node URL must be absolute http or https with a host, such as http://10.0.0.1:9200/,"
              + " got '"
              + Urls.redact(url)
              + "'");
    }
    if (url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "a node URL is a base (scheme, host, port and an optional path prefix) without query or"
              + " fragment, got '"
              + Urls.redact(url)
              + "'");
    }
  }

  /** A node at {@code url} without attributes. */
  public static Node of(String url) {
    return of(url, Map.of());
  }

  /** A node at {@code url} without attributes. */
  public static Node of(URI url) {
    return new Node(url, Map.of());
  }

  /** A node at {@code url} with {@code attributes}, such as {@code Map.of("zone", "eu-1a")}. */
  public static Node of(String url, Map<String, String> attributes) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + url + "' is not a valid URL: " + e.getMessage(), e);
    }
    return new Node(uri, attributes);
  }

  /** The value of attribute {@code name}, or {@code null}. */
  public String attribute(String name) {
    return attributes.get(name);
  }

  /** The base URL, credentials redacted, followed by the attributes when there are any. */
  @Override
  public String toString() {
    return attributes.isEmpty() ? Urls.redact(url) : Urls.redact(url) + " " + attributes;
  }
}
