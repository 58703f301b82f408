/**
 * OpenTelemetry tracing for any Switchboard transport: {@link
 * dev.switchboard.opentelemetry.OpenTelemetryEventListener}.
 */
module dev.switchboard.opentelemetry {
  requires transitive dev.switchboard;
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;

  exports dev.switchboard.opentelemetry;
}
