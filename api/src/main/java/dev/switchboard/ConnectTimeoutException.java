package dev.switchboard;

import java.time.Duration;

/** No connection within the connect timeout. Nothing was sent. */
public class ConnectTimeoutException extends TransportTimeoutException {
  /** Creates an exception; {@code timeout} may be {@code null} when unknown. */
  public ConnectTimeoutException(
      Duration timeout, Request request, String transport, Throwable cause) {
    super(Phase.CONNECT, timeout, request, transport, false, cause);
  }
}
