package dev.switchboard;

import dev.switchboard.spi.Fault;
import java.time.Duration;

/**
 * Turns the fault an engine reports into the typed exception: one message and one {@code
 * requestSent()} per fault, whatever the transport. The library's exception is the cause, with its
 * own words.
 */
final class Faults {
  private Faults() {}

  /**
   * The exception for {@code fault}.
   *
   * @param sentSoFar whether the engine had reported the request sent (decides {@link
   *     Fault#CLOSED})
   * @param via the proxy the request went through, or {@code null}
   * @param acquireTimeout the configuration's connection acquire timeout, or {@code null}
   */
  static TransportException of(
      Fault fault,
      Throwable cause,
      Request wire,
      String transport,
      Duration connectTimeout,
      int maxHeadBytes,
      boolean sentSoFar,
      ProxyConfig.Server via,
      Duration acquireTimeout) {
    String proxy = via == null ? "" : "; via the " + via.type() + " proxy " + via.authority();
    return switch (fault) {
      case REFUSED -> new ConnectionException("connection refused" + proxy, wire, transport, cause);
      case CONNECT_FAILED ->
          new ConnectionException("could not connect" + proxy, wire, transport, cause);
      case PROXY_AUTHENTICATION ->
          via == null
              ? new ConnectionException(
                  "a proxy demanded credentials (407), but the configuration names no proxy",
                  wire,
                  transport,
                  cause)
              : new ProxyAuthenticationException(via, wire, transport, cause);
      case CONNECT_TIMEOUT -> new ConnectTimeoutException(connectTimeout, wire, transport, cause);
      case POOL_TIMEOUT ->
          new ConnectionPoolTimeoutException(acquireTimeout, wire, transport, cause);
      case TLS -> new TlsException("TLS handshake failed", wire, transport, cause);
      case STALE_CONNECTION ->
          new StaleConnectionException(
              "the server closed a reused connection before responding", wire, transport, cause);
      case NO_RESPONSE ->
          new MalformedResponseException(
              "the server closed the connection before responding", wire, transport, cause);
      case MALFORMED_HEAD ->
          new MalformedResponseException(
              "the response head is not valid HTTP", wire, transport, cause);
      case HEAD_TOO_LARGE ->
          new ResponseHeadTooLargeException(maxHeadBytes, wire, transport, cause);
      case BODY_CUT ->
          new MalformedResponseException(
              "the connection closed before the end of the response body", wire, transport, cause);
      case CLOSED ->
          new TransportException(
              "the transport was closed while this request was in flight",
              wire,
              transport,
              sentSoFar,
              cause);
      case FAILED -> new TransportException("the exchange failed", wire, transport, true, cause);
    };
  }
}
