package dev.switchboard;

/**
 * The server answered with a status of 400 or above that the request did not {@linkplain
 * Request.Builder#acceptStatus(int...) accept}. The whole {@link #response()} (status, headers and
 * the decoded body) is kept; read it with {@code response().text()} or {@code response().json(..)}.
 */
public class HttpStatusException extends TransportException {
  private final transient Response response;

  /** Creates an exception for {@code response}; prefer {@link #of(Response)}. */
  public HttpStatusException(Response response) {
    super(
        "HTTP " + response.status() + " " + Statuses.reason(response.status()) + snippet(response),
        response.request(),
        response.transport(),
        true,
        null);
    this.response = response;
  }

  /** Returns the most specific exception for the response's status. */
  public static HttpStatusException of(Response response) {
    int s = response.status();
    return switch (s) {
      case 404 -> new NotFoundException(response);
      case 409 -> new ConflictException(response);
      case 429 -> new TooManyRequestsException(response);
      default ->
          s >= 500
              ? new ServerErrorException(response)
              : s >= 400 ? new ClientErrorException(response) : new HttpStatusException(response);
    };
  }

  /** The response, body included. */
  public Response response() {
    return response;
  }

  /** The status code. */
  public int status() {
    return response.status();
  }

  private static String snippet(Response response) {
    String text = Snippets.of(response);
    return text.isEmpty() ? "" : ": " + text;
  }
}
