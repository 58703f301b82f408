package dev.switchboard;

import java.time.Duration;

/** The request was written but no response headers arrived within the response timeout. */
public class ResponseTimeoutException extends TransportTimeoutException {
  /** Creates an exception; {@code timeout} may be {@code null} when unknown. */
  public ResponseTimeoutException(
      Duration timeout, Request request, String transport, Throwable cause) {
    super(Phase.RESPONSE, timeout, request, transport, true, cause);
  }
}
