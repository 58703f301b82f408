package dev.switchboard.bench;

import dev.switchboard.TransportConfig;
import java.time.Duration;

/**
 * The settings both sides of a comparison share: those of Switchboard's defaults, which each raw
 * client below is built with too, so that the only difference is the Switchboard layer.
 */
final class Settings {
  /** What Switchboard sends unless told otherwise; the raw clients send the same. */
  static final String ACCEPT_ENCODING = "gzip, deflate";

  /** A User-Agent of the same length as Switchboard's. */
  static final String USER_AGENT = "switchboard-bench/raw";

  final int maxConnectionsPerHost;
  final int maxConnections;
  final Duration connectTimeout;
  final Duration responseTimeout;

  Settings(TransportConfig config) {
    this.maxConnectionsPerHost = config.maxConnectionsPerHost();
    this.maxConnections = config.maxConnections();
    this.connectTimeout = config.connectTimeout();
    this.responseTimeout = config.responseTimeout();
  }

  /** The configuration for {@code transport}: Switchboard's defaults with the limits given. */
  static TransportConfig config(String transport, int perHost, int total) {
    return TransportConfig.builder()
        .provider(transport)
        .maxConnectionsPerHost(perHost)
        .maxConnections(total)
        .build();
  }
}
