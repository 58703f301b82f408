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
    return ApacheEngine.create(config);
  }
}
