package dev.switchboard;

/** 409 Conflict (for a search server: the resource already exists, or a version clash). */
public class ConflictException extends ClientErrorException {
  /** Creates an exception for {@code response}. */
  public ConflictException(Response response) {
    super(response);
  }
}
