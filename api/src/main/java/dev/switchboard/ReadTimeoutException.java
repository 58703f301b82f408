package dev.switchboard;

import java.time.Duration;

/**
 * The response body went silent for longer than the read timeout ({@link
 * TransportConfig#readTimeout()}, or the request's own): no byte from the headers to the first body
 * byte, or between two reads. Time a streaming consumer takes is not silence. The exchange was
 * aborted and its connection closed; {@link #requestSent()} is {@code true}.
 */
public class ReadTimeoutException extends TransportTimeoutException {
  /** Creates an exception; {@code timeout} may be {@code null} when unknown. */
  public ReadTimeoutException(
      Duration timeout, Request request, String transport, Throwable cause) {
    super(Phase.READ, timeout, request, transport, true, cause);
  }
}
