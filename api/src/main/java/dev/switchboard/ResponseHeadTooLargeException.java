package dev.switchboard;

/**
 * The response head (its header fields) passed {@link TransportConfig#maxResponseHeadBytes()}: the
 * exchange was aborted before its body was read. The limit is the same on every transport; raise it
 * with {@link TransportConfig.Builder#maxResponseHeadBytes(int)}.
 */
public class ResponseHeadTooLargeException extends ResponseTooLargeException {
  /** Creates an exception; {@code cause} is the library's own refusal, when it refused first. */
  public ResponseHeadTooLargeException(
      int limit, Request request, String transport, Throwable cause) {
    super(
        "response head is larger than maxResponseHeadBytes ("
            + limit
            + " bytes); raise TransportConfig.maxResponseHeadBytes (at most "
            + TransportConfig.MAX_RESPONSE_HEAD_BYTES
            + ")",
        limit,
        request,
        transport,
        cause);
  }
}
