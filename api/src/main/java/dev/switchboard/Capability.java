package dev.switchboard;

/**
 * Something a transport may or may not be able to do. A transport declares what it can do through
 * {@link Transport#capabilities()}; an option that needs a capability the transport lacks is
 * rejected with {@link UnsupportedFeatureException}, never silently ignored.
 */
public enum Capability {
  /**
   * Sends a {@code GET} with a body intact (method, headers and every byte). Without it, {@link
   * GetWithBody#NATIVE} fails at once and {@link GetWithBody#AS_POST} is the alternative.
   */
  GET_WITH_BODY,
  /** Speaks HTTP/2 when {@link TransportConfig#httpVersion()} asks for it. */
  HTTP_2,
  /**
   * Uses a caller-supplied {@link javax.net.ssl.SSLContext} ({@link TransportConfig#sslContext()}).
   */
  CUSTOM_SSL_CONTEXT,
  /**
   * Tells, for each attempt, when it has a connection and whether that connection was reused from
   * the pool ({@link EventListener#connectionAcquired}). Without it that event never comes; every
   * other event does.
   */
  CONNECTION_EVENTS,
  /**
   * Goes through a SOCKS5 proxy ({@link ProxyConfig.Type#SOCKS}), without credentials. Without it a
   * SOCKS proxy is rejected when the transport is created; an HTTP proxy is the alternative.
   */
  SOCKS_PROXY,
  /**
   * Answers a {@code 407} to a {@code CONNECT} (an {@code https://} request through an HTTP proxy)
   * with the proxy's Basic credentials. Without it a configuration with credentials on the proxy
   * for {@code https://} is rejected when the transport is created, naming what would allow it.
   */
  PROXY_TUNNEL_CREDENTIALS,
  /**
   * Closes pooled connections idle for longer than {@link TransportConfig#maxIdleTime()}. Without
   * it a configuration that sets one is rejected when the transport is created.
   */
  MAX_IDLE_TIME,
  /**
   * Uses no connection older than {@link TransportConfig#connectionTimeToLive()} for a new request.
   * Without it a configuration that sets one is rejected when the transport is created.
   */
  CONNECTION_TIME_TO_LIVE,
  /**
   * Tells its pool's state ({@link Transport#poolStats()}: leased, idle, pending). Without it that
   * is always empty.
   */
  POOL_STATS
}
