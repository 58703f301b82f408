package dev.switchboard.cluster;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chooses the node for the next attempt among the live candidates. Set one with {@link
 * ClusterTransport.Builder#selector}; the default is {@link #roundRobin()}.
 *
 * <p>{@link #select} is called by many threads at once, for every attempt, and must be fast and not
 * block. It receives the live nodes that passed the {@linkplain ClusterTransport.Builder#nodeFilter
 * node filter} and were not yet tried by this call, in the order the nodes were configured. It is
 * called only when there is a choice: a single live candidate is taken as it is, and when none is
 * live the node due to revive soonest is tried.
 */
@FunctionalInterface
public interface NodeSelector {
  /**
   * Returns one of {@code candidates}.
   *
   * @param candidates never empty, in configuration order
   */
  Node select(List<Node> candidates);

  /** Takes the candidates in turn, so that live nodes share the load evenly. */
  static NodeSelector roundRobin() {
    AtomicLong next = new AtomicLong();
    return candidates ->
        candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
  }

  /** Takes a candidate at random. */
  static NodeSelector random() {
    return candidates -> candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
  }
}
