/**
 * The {@code jdk} transport: Switchboard over {@code java.net.http.HttpClient}. Found through
 * {@code provides}; {@link dev.switchboard.jdk.JdkTransports} wraps an {@code HttpClient} the
 * application already has.
 */
module dev.switchboard.jdk {
  requires transitive dev.switchboard;
  requires transitive java.net.http;

  exports dev.switchboard.jdk;

  provides dev.switchboard.spi.TransportProvider with
      dev.switchboard.jdk.JdkTransportProvider;
}
