package dev.switchboard.tck.selftest;

import dev.switchboard.Capability;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionPoolTimeoutException;
import dev.switchboard.PoolStats;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.spi.TransportEngine;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Broken transports for the {@code pool} area, over the real {@code jdk} transport. */
final class BrokenPool {
  private BrokenPool() {}

  /**
   * Reports the wait for a free connection as a connect timeout (as HttpClient 4's {@code
   * ConnectionPoolTimeoutException}, a subclass of its connect timeout, did).
   */
  static Transport poolTimeoutAsConnectTimeout(TransportConfig c) {
    return BrokenProxy.onFailure(
        Transports.create(BrokenTransports.jdkConfig(c)),
        (request, f) ->
            CompletableFuture.failedFuture(
                f instanceof ConnectionPoolTimeoutException p
                    ? new ConnectTimeoutException(p.timeout(), p.request(), p.transport(), p)
                    : f));
  }

  /**
   * Declares {@code claimed} and does nothing about it: the jdk engine keeps idle connections for
   * its JVM-wide keep-alive, uses them however old, (claiming POOL_STATS) tells an empty pool, and
   * goes past a SOCKS proxy.
   */
  static final class Claims extends ForwardingEngine {
    private final Capability claimed;

    Claims(TransportEngine delegate, Capability claimed) {
      super(delegate);
      this.claimed = claimed;
    }

    @Override
    public Set<Capability> capabilities() {
      Set<Capability> all = EnumSet.of(claimed);
      all.addAll(delegate.capabilities());
      return all;
    }

    @Override
    public PoolStats poolStats() {
      return claimed == Capability.POOL_STATS ? new PoolStats(0, 0, 0) : delegate.poolStats();
    }
  }
}
