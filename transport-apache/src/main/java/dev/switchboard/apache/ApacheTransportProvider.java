package dev.switchboard.apache;

import dev.switchboard.Capability;
import dev.switchboard.TransportConfig;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.Set;

/**
 * The {@code apache} transport: Switchboard over Apache HttpClient 5 async ({@code
 * CloseableHttpAsyncClient}), found by {@link java.util.ServiceLoader}.
 *
 * <p>Each transport gets its own client, connection pool and I/O reactor (daemon threads named
 * {@code switchboard-apache-io-N}), all released by {@code close()}. The library's own retries,
 * redirects, decompression, cookies, authentication and protocol upgrade are switched off; the pool
 * allows {@code maxConnectionsPerHost} per route and {@code maxConnections} in all. Every option of
 * {@link TransportConfig} is honoured. To use a client you built yourself, see {@link
 * ApacheTransports#wrap}.
 *
 * <p>With {@code httpVersion(HTTP_2)} each TLS connection offers {@code h2} by ALPN and falls back
 * to HTTP/1.1; plain {@code http://} stays on HTTP/1.1 (no {@code h2c}). The library's sharing of
 * one HTTP/2 connection between concurrent requests is experimental in 5.6 and left off, so {@code
 * maxConnectionsPerHost} bounds concurrency on HTTP/2 too. The connect timeout bounds the whole
 * wait for a connection: a free pooled one, or a new one connected and its TLS handshake done.
 */
public final class ApacheTransportProvider implements TransportProvider {
  /** Called by {@link java.util.ServiceLoader}; starts nothing. */
  public ApacheTransportProvider() {}

  @Override
  public String name() {
    return ApacheEngine.NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return ApacheEngine.CAPABILITIES;
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    ApacheVersionCheck.check();
    QuietSlf4j.ensure();
    return ApacheEngine.create(config);
  }
}
