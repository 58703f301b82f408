package dev.switchboard.tck.selftest;

import dev.switchboard.Capability;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionPoolTimeoutException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.spi.TransportEngine;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Broken transports for the {@code pool} area, over the real {@code jdk} transport. */
final class BrokenPool {
  private BrokenPool() {}

  /**
   * Reports the wait for a free connection as a connect timeout (as HttpClient 4's {@code
   * ConnectionPoolTimeoutException}, a subclass of its connect timeout, did).
   */
  static Transport poolTimeoutAsConnectTimeout(TransportConfig c) {
    Transport t = Transports.create(BrokenTransports.jdkConfig(c));
    return new ForwardingTransport(t) {
      @Override
      public CompletableFuture<Response> send(Request request) {
        return delegate
            .send(request)
            .handle(
                (r, e) -> {
                  Throwable f = e instanceof CompletionException ce ? ce.getCause() : e;
                  if (f == null) {
                    return CompletableFuture.completedFuture(r);
                  }
                  if (f instanceof ConnectionPoolTimeoutException p) {
                    f = new ConnectTimeoutException(p.timeout(), p.request(), p.transport(), p);
                  }
                  return CompletableFuture.<Response>failedFuture(f);
                })
            .thenCompose(x -> x);
      }
    };
  }

  /** Declares MAX_IDLE_TIME and keeps idle connections as long as its library does. */
  static final class KeepsIdleConnections extends ForwardingEngine {
    KeepsIdleConnections(TransportEngine delegate) {
      super(delegate);
    }

    @Override
    public Set<Capability> capabilities() {
      Set<Capability> all = EnumSet.of(Capability.MAX_IDLE_TIME);
      all.addAll(delegate.capabilities());
      return all;
    }
  }

  /** Declares CONNECTION_TIME_TO_LIVE and uses connections for as long as they last. */
  static final class IgnoresTimeToLive extends ForwardingEngine {
    IgnoresTimeToLive(TransportEngine delegate) {
      super(delegate);
    }

    @Override
    public Set<Capability> capabilities() {
      Set<Capability> all = EnumSet.of(Capability.CONNECTION_TIME_TO_LIVE);
      all.addAll(delegate.capabilities());
      return all;
    }
  }

  /** Declares POOL_STATS and tells an empty pool whatever it holds. */
  static final class StatsAlwaysEmpty extends ForwardingEngine {
    StatsAlwaysEmpty(TransportEngine delegate) {
      super(delegate);
    }

    @Override
    public Set<Capability> capabilities() {
      Set<Capability> all = EnumSet.of(Capability.POOL_STATS);
      all.addAll(delegate.capabilities());
      return all;
    }

    @Override
    public dev.switchboard.PoolStats poolStats() {
      return new dev.switchboard.PoolStats(0, 0, 0);
    }
  }
}
