package dev.switchboard;

import java.util.Objects;

/**
 * The result of one request of {@link Transport#sendAllSettled}: a response, or the failure (a
 * {@link TransportException}, or a {@link java.util.concurrent.CancellationException}).
 */
public final class Outcome {
  private final Request request;
  private final Response response;
  private final Throwable failure;

  private Outcome(Request request, Response response, Throwable failure) {
    this.request = request;
    this.response = response;
    this.failure = failure;
  }

  /** A success. */
  public static Outcome success(Request request, Response response) {
    return new Outcome(request, Objects.requireNonNull(response, "response"), null);
  }

  /** A failure. */
  public static Outcome failure(Request request, Throwable failure) {
    return new Outcome(request, null, Objects.requireNonNull(failure, "failure"));
  }

  /** The request this is the outcome of. */
  public Request request() {
    return request;
  }

  /** Whether a response arrived (and was accepted). */
  public boolean isSuccess() {
    return response != null;
  }

  /**
   * The response.
   *
   * @throws IllegalStateException when this outcome is a failure
   */
  public Response response() {
    if (response == null) {
      throw new IllegalStateException("no response: the request failed with " + failure, failure);
    }
    return response;
  }

  /** The failure, or {@code null} on success. */
  public Throwable failure() {
    return failure;
  }

  @Override
  public String toString() {
    return isSuccess() ? "Outcome[" + response + "]" : "Outcome[failed: " + failure + "]";
  }
}
