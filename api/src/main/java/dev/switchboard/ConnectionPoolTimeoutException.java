package dev.switchboard;

import java.time.Duration;

/**
 * No connection became free within {@link TransportConfig#connectionAcquireTimeout()}: every
 * connection the transport may open to that host ({@link TransportConfig#maxConnectionsPerHost()})
 * or in all ({@link TransportConfig#maxConnections()}) was busy. Nothing was sent ({@link
 * #requestSent()} is {@code false}); not a connect timeout, and never retried by {@link
 * RetryPolicy}, which would only add to the queue.
 */
public class ConnectionPoolTimeoutException extends ConnectionException {
  private final Duration timeout;

  /** Creates an exception; see {@link TransportException}. */
  public ConnectionPoolTimeoutException(
      Duration timeout, Request request, String transport, Throwable cause) {
    super(
        "no connection became free within "
            + (timeout == null ? "the connection acquire timeout" : Durations.format(timeout))
            + ": every connection the transport may open (maxConnectionsPerHost, maxConnections)"
            + " was busy; raise those limits or connectionAcquireTimeout",
        request,
        transport,
        cause);
    this.timeout = timeout;
  }

  /** The acquire timeout that passed, or {@code null} when unknown. */
  public Duration timeout() {
    return timeout;
  }
}
