package dev.switchboard;

/** A 4xx status: the request was wrong (see the subclasses for 404, 409 and 429). */
public class ClientErrorException extends HttpStatusException {
  /** Creates an exception for {@code response}. */
  public ClientErrorException(Response response) {
    super(response);
  }
}
