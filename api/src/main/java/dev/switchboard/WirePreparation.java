package dev.switchboard;

import java.net.URI;
import java.util.Set;

/**
 * Everything done to a request on its way to the engine: the URI checked, GET-body mode applied,
 * User-Agent and Accept-Encoding added where the request has none.
 */
final class WirePreparation {
  private static final Headers.Field ACCEPT_ENCODING =
      new Headers.Field("Accept-Encoding", "gzip, deflate");

  private final TransportConfig config;
  private final String name;
  private final Set<Capability> capabilities;
  private final Headers.Field userAgent;

  WirePreparation(TransportConfig config, String name, Set<Capability> capabilities) {
    this.config = config;
    this.name = name;
    this.capabilities = capabilities;
    this.userAgent =
        new Headers.Field(
            "User-Agent",
            config.userAgent() != null
                ? config.userAgent()
                : "switchboard/" + Transports.version() + " (" + name + ")");
  }

  /**
   * The request as it goes to the engine.
   *
   * @throws TransportException for a relative URI, or a GET with a body this transport cannot send
   */
  Request prepare(Request request) {
    URI uri = request.uri();
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new TransportException(
          "the URI must be absolute with a host (http://host:port/path), got '"
              + Redaction.uri(uri)
              + "'; relative URIs need a ClusterTransport",
          request,
          name,
          false,
          null);
    }
    String method = request.method();
    if (method.equalsIgnoreCase("GET") && request.hasBody()) {
      if (config.getWithBody() == GetWithBody.AS_POST) {
        method = "POST";
      } else if (!capabilities.contains(Capability.GET_WITH_BODY)) {
        throw new UnsupportedFeatureException(
            "the "
                + name
                + " transport cannot send a GET with a body; set"
                + " TransportConfig.getWithBody(GetWithBody.AS_POST) to send it as a POST, or use"
                + " a transport with GET_WITH_BODY (jdk, apache)",
            request,
            name);
      }
    }
    Headers headers = request.headers();
    boolean addAgent = !headers.contains("User-Agent");
    boolean addEncoding = config.compression() && !headers.contains("Accept-Encoding");
    if (addAgent && addEncoding) {
      headers = headers.plus(userAgent, ACCEPT_ENCODING);
    } else if (addAgent) {
      headers = headers.plus(userAgent, null);
    } else if (addEncoding) {
      headers = headers.plus(ACCEPT_ENCODING, null);
    }
    return request.with(method, headers);
  }
}
