package dev.switchboard;

/**
 * The body is not what {@link Response#json(Class)} was asked for: invalid JSON, or JSON that does
 * not fit the type. The message holds the status and a snippet of the body; the {@link #response()}
 * stays readable, and Jackson's exception is the cause.
 */
public class DecodeException extends TransportException {
  private final transient Response response;
  private final String snippet;

  /** Creates an exception. */
  public DecodeException(String message, Response response, Throwable cause) {
    super(
        message + " (HTTP " + response.status() + ", body starts: " + Snippets.of(response) + ")",
        response.request(),
        response.transport(),
        true,
        cause);
    this.response = response;
    this.snippet = Snippets.of(response);
  }

  /** The response whose body could not be decoded. */
  public Response response() {
    return response;
  }

  /** The status of that response. */
  public int status() {
    return response.status();
  }

  /** The first characters of the body (at most 200). */
  public String snippet() {
    return snippet;
  }
}
