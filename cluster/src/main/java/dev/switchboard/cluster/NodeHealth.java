package dev.switchboard.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The health of one node: consecutive failures and the time it is dead until. Lock-free: each
 * change replaces an immutable {@link State} by compare-and-set, so no lock is ever held, let alone
 * across I/O.
 */
final class NodeHealth {
  /** One immutable state; {@code version} changes with every transition. */
  record State(int failures, long deadUntilNanos, long version) {
    boolean isLive(long now) {
      return failures == 0 || now - deadUntilNanos >= 0;
    }
  }

  private static final State HEALTHY = new State(0, 0, 0);

  final Node node;
  private final AtomicReference<State> state = new AtomicReference<>(HEALTHY);

  NodeHealth(Node node) {
    this.node = node;
  }

  State state() {
    return state.get();
  }

  /**
   * Records a failure of an attempt that started when the node was in state {@code seen}. A failure
   * of an attempt that raced with another one already marking the node dead is not counted twice:
   * ten requests in flight to a node that goes down double its dead time once, not ten times.
   *
   * @return the new state, or {@code null} when this failure was already accounted for
   */
  State markFailed(State seen, long now, Backoff backoff) {
    while (true) {
      State cur = state.get();
      if (cur.version() != seen.version() && cur.failures() > 0 && !cur.isLive(now)) {
        return null;
      }
      int failures = cur.failures() == Integer.MAX_VALUE ? cur.failures() : cur.failures() + 1;
      State next = new State(failures, now + backoff.nanos(failures), cur.version() + 1);
      if (state.compareAndSet(cur, next)) {
        return next;
      }
    }
  }

  /**
   * Records an answer from the node.
   *
   * @return the new state when the node had failures before, or {@code null} when nothing changed
   */
  State markAnswered() {
    while (true) {
      State cur = state.get();
      if (cur.failures() == 0) {
        return null;
      }
      State next = new State(0, 0, cur.version() + 1);
      if (state.compareAndSet(cur, next)) {
        return next;
      }
    }
  }

  NodeState snapshot(long now) {
    return snapshot(state.get(), now);
  }

  NodeState snapshot(State s, long now) {
    boolean live = s.isLive(now);
    return new NodeState(
        node,
        live,
        s.failures(),
        live ? Duration.ZERO : Duration.ofNanos(s.deadUntilNanos() - now));
  }

  /** {@code min(base * 2^(failures - 1), max)}, without overflow. */
  record Backoff(long baseNanos, long maxNanos) {
    long nanos(int failures) {
      int shift = Math.max(0, failures - 1);
      if (shift >= 62 || baseNanos > (maxNanos >> shift)) {
        return maxNanos;
      }
      return Math.min(baseNanos << shift, maxNanos);
    }
  }
}
