package dev.switchboard;

/**
 * The server closed a reused (pooled keep-alive) connection before sending any byte of the
 * response. The request was written, so {@link #requestSent()} is {@code true}, but a server that
 * closes an idle connection has almost always not processed it: RFC 9112 section 9.3.1 lets a
 * client send an idempotent request again on a new connection, and {@link RetryPolicy} does.
 * Engines report it only when they know both facts (connection reused, no response byte); otherwise
 * the same event is an ordinary {@link MalformedResponseException}.
 */
public class StaleConnectionException extends MalformedResponseException {
  /** Creates an exception; see {@link TransportException}. */
  public StaleConnectionException(
      String message, Request request, String transport, Throwable cause) {
    super(message, request, transport, cause);
  }
}
