package dev.switchboard.apache;

import dev.switchboard.HttpVersion;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.tck.TransportTck;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;

/** The whole conformance kit against the {@code apache} transport. */
class ApacheTransportTckTest extends TransportTck {
  @Override
  protected Transport create(TransportConfig config) {
    return Transports.create(config.toBuilder().provider("apache").build());
  }

  /**
   * A client built the way {@link ApacheTransports#wrap}'s documentation asks, with the pool, TLS
   * and HTTP version of {@code config} set on it; the transport's owner (here, the kit) closes it
   * after the transport.
   */
  @Override
  protected Transport createWithUserClient(TransportConfig config) {
    PoolingAsyncClientConnectionManagerBuilder pool =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnPerRoute(config.maxConnectionsPerHost())
            .setMaxConnTotal(config.maxConnections())
            .setDefaultTlsConfig(
                TlsConfig.custom()
                    .setVersionPolicy(
                        config.httpVersion() == HttpVersion.HTTP_2
                            ? HttpVersionPolicy.NEGOTIATE
                            : HttpVersionPolicy.FORCE_HTTP_1)
                    .build());
    if (config.sslContext() != null) {
      pool.setTlsStrategy(
          ClientTlsStrategyBuilder.create().setSslContext(config.sslContext()).build());
    }
    CloseableHttpAsyncClient client =
        ApacheTransports.configure(HttpAsyncClients.custom())
            .setConnectionManager(pool.build())
            .build();
    TransportConfig defaults = TransportConfig.defaults();
    Transport transport =
        ApacheTransports.wrap(
            client,
            config.toBuilder()
                .sslContext(null)
                .httpVersion(HttpVersion.HTTP_1_1)
                .maxConnections(defaults.maxConnections())
                .maxConnectionsPerHost(defaults.maxConnectionsPerHost())
                .build());
    AtomicBoolean closed = new AtomicBoolean();
    return new ForwardingTransport(transport) {
      @Override
      public void close() {
        super.close();
        if (closed.compareAndSet(false, true)) {
          client.close(CloseMode.GRACEFUL);
        }
      }
    };
  }
}
