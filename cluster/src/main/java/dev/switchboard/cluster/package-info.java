/**
 * One {@link dev.switchboard.Transport} over many nodes of one service: {@link
 * dev.switchboard.cluster.ClusterTransport} sends each request with a relative URI to the next live
 * node (round-robin by default), marks a node that cannot be reached or answers 502, 503 or 504
 * dead for an exponentially growing time, and fails over to another node only where that is safe.
 *
 * <p>Node health is observable through {@link dev.switchboard.cluster.ClusterTransport#nodes()} and
 * a {@link dev.switchboard.cluster.ClusterListener}.
 */
package dev.switchboard.cluster;
