package dev.switchboard.opensearch;

import java.io.IOException;
import org.opensearch.client.transport.TransportException;

/**
 * What a failed call throws to opensearch-java's users. Switchboard's failures (a connect timeout,
 * a read timeout, a refused connection...) become the client's {@link TransportException}, an
 * {@link IOException} as its own transports throw, with Switchboard's message and Switchboard's
 * typed exception as the {@linkplain Throwable#getCause() cause}: code written for opensearch-java
 * keeps catching {@code IOException}, and code that wants to know catches nothing new but reads the
 * cause. Everything else (the client's {@code OpenSearchException}, its {@code TransportException})
 * passes through as it is.
 */
final class Failures {
  private Failures() {}

  /** {@code failure} (unwrapped from future wrappers) as the client's users expect it. */
  static Throwable forClient(Throwable failure) {
    Throwable f = dev.switchboard.TransportException.unwrap(failure);
    if (f instanceof dev.switchboard.TransportException switchboard) {
      return new TransportException(switchboard.getMessage(), switchboard);
    }
    return f;
  }

  /** Rethrows {@code failure} as {@link #forClient} makes it, for the blocking call. */
  static IOException rethrow(Throwable failure) throws IOException {
    Throwable f = forClient(failure);
    if (f instanceof IOException io) {
      throw io;
    }
    if (f instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (f instanceof Error error) {
      throw error;
    }
    throw new TransportException("the call failed: " + f, f);
  }
}
