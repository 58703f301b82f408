package dev.switchboard;

/** 404 Not Found. */
public class NotFoundException extends ClientErrorException {
  /** Creates an exception for {@code response}. */
  public NotFoundException(Response response) {
    super(response);
  }
}
