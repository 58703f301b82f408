package dev.switchboard;

/** A 5xx status: the server failed. */
public class ServerErrorException extends HttpStatusException {
  /** Creates an exception for {@code response}. */
  public ServerErrorException(Response response) {
    super(response);
  }
}
