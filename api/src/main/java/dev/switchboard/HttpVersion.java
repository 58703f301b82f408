package dev.switchboard;

/** The HTTP version a transport speaks. */
public enum HttpVersion {
  /** HTTP/1.1 only: no upgrade attempt, no {@code Upgrade: h2c} header. The default. */
  HTTP_1_1,
  /**
   * HTTP/2 where the server agrees (ALPN over TLS), HTTP/1.1 otherwise. Needs {@link
   * Capability#HTTP_2}.
   */
  HTTP_2
}
