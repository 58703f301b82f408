package dev.switchboard.examples.search;

import java.util.Map;

/**
 * The answer of {@code GET /_cluster/health}.
 *
 * @param clusterName the cluster's name
 * @param status {@code green}, {@code yellow} or {@code red}
 * @param numberOfNodes nodes in the cluster
 * @param activeShards shards started, primaries and replicas
 */
public record ClusterHealth(
    String clusterName, String status, int numberOfNodes, int activeShards) {
  static ClusterHealth from(Map<String, Object> json) {
    return new ClusterHealth(
        Fields.string(json, "cluster_name"),
        Fields.string(json, "status"),
        (int) Fields.number(json, "number_of_nodes"),
        (int) Fields.number(json, "active_shards"));
  }
}
