package dev.switchboard.opensearch;

import dev.switchboard.Request;
import dev.switchboard.UriTemplate;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.transport.Endpoint;
import org.opensearch.client.transport.TransportOptions;
import org.opensearch.client.transport.Version;

/**
 * An endpoint's request as a Switchboard {@link Request}: the endpoint's method and path (already
 * percent-encoded by the client), its query parameters and then the options' (an option's value
 * replaces the endpoint's), the endpoint's headers, then the options' headers, then {@code Accept:
 * application/json} and a {@code User-Agent} naming the client and Switchboard unless one of those
 * set them, and the body. The request is tagged with a {@link UriTemplate} made from the path, so
 * metrics and traces show {@code /{index}/_doc/{id}} rather than one series per document.
 */
final class EndpointRequests {
  /** The client's own agent string, naming Switchboard: {@code opensearch-java/3.9.0 (...)}. */
  static final String USER_AGENT =
      "opensearch-java/"
          + (Version.VERSION == null ? "unknown" : Version.VERSION)
          + " (Switchboard; Java/"
          + System.getProperty("java.version")
          + ")";

  private final URI base;
  private final JsonpMapper mapper;

  /**
   * @param base the node's base URI, or {@code null} to send relative URIs (a cluster transport
   *     resolves them against its nodes)
   */
  EndpointRequests(URI base, JsonpMapper mapper) {
    this.base = base;
    this.mapper = mapper;
  }

  <RequestT> Request toRequest(
      RequestT request, Endpoint<RequestT, ?, ?> endpoint, TransportOptions options) {
    String path = endpoint.requestUrl(request);
    Map<String, String> query = new LinkedHashMap<>(orEmpty(endpoint.queryParameters(request)));
    query.putAll(orEmpty(options.queryParameters()));
    Request.Builder builder =
        Request.builder(endpoint.method(request), uri(path, query))
            .tag(UriTemplate.class, UriTemplate.of(template(path)));
    orEmpty(endpoint.headers(request)).forEach(builder::header);
    if (options.headers() != null) {
      for (Map.Entry<String, String> header : options.headers()) {
        builder.header(header.getKey(), header.getValue());
      }
    }
    Request draft = builder.build();
    if (draft.header("Accept") == null) {
      builder.header("Accept", RequestBodies.JSON);
    }
    if (draft.header("User-Agent") == null) {
      builder.header("User-Agent", USER_AGENT);
    }
    if (endpoint.hasRequestBody()) {
      builder.body(RequestBodies.of(request, mapper));
    }
    return builder.build();
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  private URI uri(String path, Map<String, String> query) {
    StringBuilder uri = new StringBuilder();
    if (base != null) {
      String prefix = base.toString();
      uri.append(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
      uri.append(path.startsWith("/") ? "" : "/");
    }
    uri.append(path);
    char separator = '?';
    for (Map.Entry<String, String> parameter : query.entrySet()) {
      if (parameter.getValue() == null) {
        continue;
      }
      uri.append(separator).append(encode(parameter.getKey()));
      uri.append('=').append(encode(parameter.getValue()));
      separator = '&';
    }
    return URI.create(uri.toString());
  }

  /** Percent-encodes a query name or value (a space as {@code %20}, never {@code +}). */
  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * The path with the segments that name data elided: a first segment that is not an API word (API
   * words start with {@code _}) becomes {@code {index}}, any later one {@code {id}}. {@code
   * /books/_doc/42} gives {@code /{index}/_doc/{id}}, {@code /_cluster/health} {@code
   * /_cluster/{id}}: few enough distinct values for a metric's tag.
   */
  static String template(String path) {
    StringBuilder template = new StringBuilder();
    boolean first = true;
    for (String segment : path.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      template.append('/');
      if (segment.startsWith("_")) {
        template.append(segment);
      } else {
        template.append(first ? "{index}" : "{id}");
      }
      first = false;
    }
    return template.length() == 0 ? "/" : template.toString();
  }
}
