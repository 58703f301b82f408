package dev.switchboard;

import java.time.Duration;
import java.util.Optional;

/** 429 Too Many Requests, with the server's {@code Retry-After} when it gave one. */
public class TooManyRequestsException extends ClientErrorException {
  /** Creates an exception for {@code response}. */
  public TooManyRequestsException(Response response) {
    super(response);
  }

  /**
   * How long the server asked the client to wait, from {@code Retry-After} in seconds or as an
   * HTTP-date (relative to now; a date in the past gives zero); empty when absent or unreadable.
   */
  public Optional<Duration> retryAfter() {
    return RetryAfter.parse(response().header("Retry-After"), java.time.Clock.systemUTC());
  }
}
