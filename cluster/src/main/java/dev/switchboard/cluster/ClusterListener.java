package dev.switchboard.cluster;

import dev.switchboard.Response;
import dev.switchboard.TransportException;

/**
 * Observes a {@link ClusterTransport}: every attempt and every change of a node's health. Set one
 * with {@link ClusterTransport.Builder#listener}.
 *
 * <p>Methods run on the thread that starts or completes the attempt (the caller's, or a callback
 * thread of the inner transport), possibly on many threads at once; they must be fast and must not
 * block. An exception thrown by a listener is ignored: it never changes the outcome of a call.
 */
public interface ClusterListener {
  /** An attempt is about to be sent to {@code attempt.node()}. */
  default void attemptStarted(Attempt attempt) {}

  /**
   * An attempt ended, with a response (possibly a 502, 503 or 504 the request {@linkplain
   * dev.switchboard.Request.Builder#acceptStatus accepts}) or a failure; exactly one of the two is
   * {@code null}.
   *
   * @param movingOn whether the call goes on to another attempt
   */
  default void attemptEnded(
      Attempt attempt, Response response, TransportException failure, boolean movingOn) {}

  /**
   * A node failed (a connect failure, or 502, 503 or 504) and is dead for {@code
   * state.revivesIn()}. Reported at every failure, so {@code consecutiveFailures} grows.
   */
  default void nodeMarkedDead(NodeState state) {}

  /** A node that had failed answered again: its failures are forgotten. */
  default void nodeMarkedLive(NodeState state) {}
}
