package dev.switchboard.cluster;

import java.time.Duration;

/**
 * The health of one node at one moment, as {@link ClusterTransport#nodes()} and the {@link
 * ClusterListener} report it.
 *
 * @param node the node
 * @param live whether the node may receive requests now: it has not failed since its last success,
 *     or its dead time is over (it is then tried again, and one more failure doubles that time)
 * @param consecutiveFailures failures (connect failures, 502, 503, 504) since the node last
 *     answered
 * @param revivesIn how long the node stays dead; {@link Duration#ZERO} when it is live
 */
public record NodeState(Node node, boolean live, int consecutiveFailures, Duration revivesIn) {
  @Override
  public String toString() {
    return node
        + (live ? " live" : " dead for " + revivesIn.toMillis() + "ms")
        + (consecutiveFailures == 0 ? "" : ", " + consecutiveFailures + " failures");
  }
}
