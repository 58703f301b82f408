package dev.switchboard;

import java.time.Duration;

/**
 * A timeout passed. {@link #phase()} says which of the four (see {@link TransportConfig}); the
 * exchange was aborted, its connection closed or returned clean.
 */
public abstract class TransportTimeoutException extends TransportException {
  /** The timeout that passed. */
  public enum Phase {
    /** No connection (TCP and TLS) within the connect timeout. */
    CONNECT,
    /** No response headers within the response timeout after the request was written. */
    RESPONSE,
    /** The response body went silent for longer than the read timeout. */
    READ,
    /** The whole exchange, body included, passed the request timeout. */
    REQUEST
  }

  private final Phase phase;
  private final Duration timeout;

  TransportTimeoutException(
      Phase phase,
      Duration timeout,
      Request request,
      String transport,
      boolean requestSent,
      Throwable cause) {
    super(
        phase.name().toLowerCase(java.util.Locale.ROOT)
            + " timeout"
            + (timeout == null ? "" : " of " + Durations.format(timeout))
            + " passed",
        request,
        transport,
        requestSent,
        cause);
    this.phase = phase;
    this.timeout = timeout;
  }

  /** Which timeout passed. */
  public Phase phase() {
    return phase;
  }

  /** The timeout's value, or {@code null} when the library did not say. */
  public Duration timeout() {
    return timeout;
  }
}
