package dev.switchboard;

/**
 * The server's answer could not be read as HTTP: garbage, an empty reply, a truncated body, or the
 * connection closed or reset in the middle of the response. Never a partial success.
 */
public class MalformedResponseException extends TransportException {
  /** Creates an exception; the request is taken as sent. */
  public MalformedResponseException(
      String message, Request request, String transport, Throwable cause) {
    super(message, request, transport, true, cause);
  }
}
