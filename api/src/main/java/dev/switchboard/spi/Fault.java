package dev.switchboard.spi;

/**
 * What went wrong in an exchange, as an engine observes it. An engine reports the fact with {@link
 * ExchangeListener#onFailure(Fault, Throwable)} and the library's exception as the cause;
 * Switchboard turns it into the typed exception, its message and {@code requestSent()}, the same on
 * every transport. Choose the most specific fault the library lets you tell apart; {@link #FAILED}
 * is the last resort.
 */
public enum Fault {
  /** The server refused the TCP connection (nothing listens there). Nothing was sent. */
  REFUSED,
  /**
   * The connection could not be set up for another reason (unreachable, reset during the handshake,
   * an unusable address). Nothing was sent.
   */
  CONNECT_FAILED,
  /**
   * No pooled connection became free within the configuration's {@code connectionAcquireTimeout}
   * (every connection the engine may open was busy). Nothing was sent.
   */
  POOL_TIMEOUT,
  /** No connection (TCP and TLS) within the exchange's connect timeout. Nothing was sent. */
  CONNECT_TIMEOUT,
  /** The TLS handshake failed (certificate, host name, protocol). Nothing was sent. */
  TLS,
  /**
   * A reused (pooled keep-alive) connection closed before any byte of the response came back.
   * Report it only when both facts are known; otherwise {@link #NO_RESPONSE}.
   */
  STALE_CONNECTION,
  /**
   * The connection closed or was reset after the request was (partly) written and before any byte
   * of the response: an empty reply.
   */
  NO_RESPONSE,
  /**
   * The proxy demanded credentials ({@code 407}) and the library gave up: none were configured, or
   * the proxy refused them. Nothing reached the server. (A {@code 407} response the library hands
   * over instead is recognized by Switchboard itself.)
   */
  PROXY_AUTHENTICATION,
  /** The status line or the header fields are not valid HTTP. */
  MALFORMED_HEAD,
  /** The library refused a response head larger than its limit (see the engine's contract). */
  HEAD_TOO_LARGE,
  /**
   * The body ended early: the connection closed or was reset before the declared length or the last
   * chunk, or the chunked framing is broken.
   */
  BODY_CUT,
  /** The engine or its library client was closed while the exchange ran, or before it started. */
  CLOSED,
  /** Anything else; the cause says what. */
  FAILED
}
