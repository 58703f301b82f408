package dev.switchboard;

/**
 * No connection could be used: refused, unreachable, or closed or reset before the request was
 * written. {@link #requestSent()} is {@code false}, so a retry is safe for any method.
 */
public class ConnectionException extends TransportException {
  /** Creates an exception; see {@link TransportException}. */
  public ConnectionException(String message, Request request, String transport, Throwable cause) {
    super(message, request, transport, false, cause);
  }
}
