package dev.switchboard.cluster;

import dev.switchboard.Request;

/**
 * One attempt of a call through a {@link ClusterTransport}: the request as the caller gave it, the
 * node chosen, the attempt's number and the request actually sent there.
 *
 * @param request the caller's request, with its relative URI
 * @param node the node this attempt goes to
 * @param number 1 for the first attempt of a call, 2 for the first failover…
 * @param sent the request sent to the node: its absolute URI, and the time left of the call's
 *     deadline as its request timeout when the call has one
 */
public record Attempt(Request request, Node node, int number, Request sent) {}
