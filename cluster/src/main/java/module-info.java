/** {@link dev.switchboard.cluster.ClusterTransport}: one Switchboard transport over many nodes. */
module dev.switchboard.cluster {
  requires transitive dev.switchboard;

  exports dev.switchboard.cluster;
}
