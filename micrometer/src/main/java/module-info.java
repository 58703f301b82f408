/**
 * Micrometer metrics for any Switchboard transport: {@link
 * dev.switchboard.micrometer.MicrometerEventListener}.
 */
module dev.switchboard.micrometer {
  requires transitive dev.switchboard;
  requires transitive micrometer.core;

  exports dev.switchboard.micrometer;
}
