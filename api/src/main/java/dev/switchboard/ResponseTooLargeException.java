package dev.switchboard;

/**
 * The response body passed {@link TransportConfig#maxResponseBytes()}; reading stopped there and
 * the exchange was aborted.
 */
public class ResponseTooLargeException extends TransportException {
  private final long limit;

  /** Creates an exception. */
  public ResponseTooLargeException(long limit, Request request, String transport) {
    this(
        "response body is larger than maxResponseBytes ("
            + limit
            + " bytes); raise TransportConfig.maxResponseBytes or ask for less",
        limit,
        request,
        transport,
        null);
  }

  /** Creates an exception with its own message; for subclasses. */
  protected ResponseTooLargeException(
      String message, long limit, Request request, String transport, Throwable cause) {
    super(message, request, transport, true, cause);
    this.limit = limit;
  }

  /** The limit that was passed, in bytes. */
  public long limit() {
    return limit;
  }
}
