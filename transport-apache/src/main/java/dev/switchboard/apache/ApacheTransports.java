package dev.switchboard.apache;

import dev.switchboard.HttpVersion;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import java.util.Objects;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;

/**
 * Makes a {@link Transport} from a {@code CloseableHttpAsyncClient} you built yourself (your
 * certificates, proxy, pool), with the same semantics as a discovered {@code apache} transport.
 */
public final class ApacheTransports {
  private ApacheTransports() {}

  /**
   * Wraps {@code client}. It is started if it was not; closing the transport leaves it running: you
   * own its lifecycle and close it after the transport.
   *
   * <p>Applied to every request whatever the client's defaults: the connect, response and request
   * timeouts, and no redirects, decompression, authentication or protocol upgrade from the library
   * (through a per-request {@code RequestConfig}). Left to the client, so build it with {@code
   * disableAutomaticRetries()} (Switchboard cannot switch retries off per request, nor check them):
   * its connection pool and limits, TLS and HTTP version, proxy, cookies and interceptors. The
   * options of {@code config} that would need those are therefore rejected unless left at their
   * defaults: {@code sslContext}, {@code httpVersion}, {@code maxConnectionsPerHost} and {@code
   * maxConnections}. Configure them on the client's connection manager instead.
   *
   * @throws UnsupportedFeatureException when {@code config} sets an option the client decides
   */
  public static Transport wrap(CloseableHttpAsyncClient client, TransportConfig config) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(config, "config");
    TransportConfig defaults = TransportConfig.defaults();
    if (config.sslContext() != null) {
      throw unsupported(
          "sslContext",
          "set it with ClientTlsStrategyBuilder.create().setSslContext(...) on its connection"
              + " manager");
    }
    if (config.httpVersion() != HttpVersion.HTTP_1_1) {
      throw unsupported(
          "httpVersion", "set TlsConfig.setVersionPolicy(...) on its connection manager");
    }
    if (config.maxConnectionsPerHost() != defaults.maxConnectionsPerHost()
        || config.maxConnections() != defaults.maxConnections()) {
      throw unsupported(
          "maxConnectionsPerHost/maxConnections",
          "set setMaxConnPerRoute(...) and setMaxConnTotal(...) on its connection manager");
    }
    return Transports.wrap(ApacheEngine.wrap(client, config), config);
  }

  private static UnsupportedFeatureException unsupported(String option, String instead) {
    return new UnsupportedFeatureException(
        "TransportConfig."
            + option
            + " cannot be applied to a CloseableHttpAsyncClient you built; leave it at its default"
            + " and "
            + instead,
        null,
        ApacheEngine.NAME);
  }
}
