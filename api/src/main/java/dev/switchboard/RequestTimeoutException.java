package dev.switchboard;

import java.time.Duration;

/** The whole exchange (retries and body included) passed the request timeout and was aborted. */
public class RequestTimeoutException extends TransportTimeoutException {
  /** Creates an exception. */
  public RequestTimeoutException(
      Duration timeout, Request request, String transport, boolean requestSent, Throwable cause) {
    super(Phase.REQUEST, timeout, request, transport, requestSent, cause);
  }
}
