package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Capability;
import dev.switchboard.ConnectionPoolTimeoutException;
import dev.switchboard.PoolStats;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.UnsupportedFeatureException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assertions;

/** Area {@code pool}: what a request meets when every connection it may use is busy. */
final class PoolChecks {
  private final TckContext ctx;

  PoolChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Without {@code needed}, create() must refuse {@code option}, naming the capability; returns
   * whether it lacked it (the alternative verified).
   */
  private boolean refusedWithout(
      Capability needed, String option, UnaryOperator<TransportConfig.Builder> set) {
    if (ctx.has(needed)) {
      return false;
    }
    UnsupportedFeatureException e =
        Assertions.assertThrows(
            UnsupportedFeatureException.class,
            () -> ctx.create(set.apply(TransportConfig.builder()).build()),
            "create() with " + option + " on a transport without " + needed);
    assertTrue(e.getMessage().contains(needed.name()), e.getMessage());
    ctx.alternativeVerified(
        needed
            + " not supported: create() rejects "
            + option
            + " with UnsupportedFeatureException");
    return true;
  }

  void acquireTimeoutTyped() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.target().equals("/hold")) {
                release.await(30, TimeUnit.SECONDS);
              }
              conn.respond(200, "ok " + req.target());
            });
    Duration acquire = Duration.ofMillis(500);
    Transport t = ctx.transport(b -> b.maxConnectionsPerHost(1).connectionAcquireTimeout(acquire));
    try {
      CompletableFuture<Response> held = t.send(Request.get(server.uri("/hold")));
      assertTrue(
          Loopback.await(server::requestCount, 1, Duration.ofSeconds(10), 10),
          "the first request never reached the server");
      long start = System.nanoTime();
      ConnectionPoolTimeoutException e =
          TckContext.failure(
              t.send(Request.get(server.uri("/queued"))),
              ConnectionPoolTimeoutException.class,
              Duration.ofSeconds(20));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 15_000, "the wait for a connection took " + ms + " ms, bounded at 500 ms");
      assertFalse(e.requestSent(), "requestSent() when no connection became free");
      assertEquals(acquire, e.timeout(), "the timeout the exception names");
      release.countDown();
      assertEquals("ok /hold", ok(held).text(), "the request that held the connection");
      assertEquals(
          "ok /after", ok(t.send(Request.get(server.uri("/after")))).text(), "the next request");
      assertEquals(
          0,
          server.requests().stream().filter(r -> r.target().equals("/queued")).count(),
          "the request that timed out reached the server");
    } finally {
      release.countDown();
    }
  }

  void idleConnectionClosed() throws Exception {
    Duration idle = Duration.ofSeconds(1);
    if (refusedWithout(Capability.MAX_IDLE_TIME, "maxIdleTime", b -> b.maxIdleTime(idle))) {
      return;
    }
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok " + req.target()));
    Transport t = ctx.transport(b -> b.maxIdleTime(idle));
    assertEquals("ok /first", ok(t.send(Request.get(server.uri("/first")))).text());
    assertTrue(
        Loopback.await(server::closedByClient, 1, Duration.ofSeconds(10), 20),
        "a connection idle for 10 s with maxIdleTime 1 s was not closed by the client");
    assertEquals("ok /next", ok(t.send(Request.get(server.uri("/next")))).text());
    assertEquals(2, server.connections(), "connections: the idle one closed, then a new one");
  }

  void connectionRetiredAfterTimeToLive() throws Exception {
    Duration ttl =
        Duration.ofSeconds(2); // two loopback requests take far less, even on a busy machine
    if (refusedWithout(
        Capability.CONNECTION_TIME_TO_LIVE,
        "connectionTimeToLive",
        b -> b.connectionTimeToLive(ttl))) {
      return;
    }
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok " + req.target()));
    Transport t = ctx.transport(b -> b.connectionTimeToLive(ttl));
    assertEquals("ok /1", ok(t.send(Request.get(server.uri("/1")))).text());
    assertEquals("ok /2", ok(t.send(Request.get(server.uri("/2")))).text());
    assertEquals(1, server.connections(), "a young connection is reused");
    Thread.sleep(ttl.toMillis() * 2); // older than its time to live, idle for much less than 1 min
    assertEquals("ok /3", ok(t.send(Request.get(server.uri("/3")))).text());
    assertEquals(2, server.connections(), "a connection past its time to live was used again");
  }

  void statsReadable() throws Exception {
    if (!ctx.has(Capability.POOL_STATS)) {
      assertEquals(
          java.util.Optional.empty(),
          ctx.transport().poolStats(),
          "poolStats() without POOL_STATS");
      ctx.alternativeVerified("POOL_STATS not supported: poolStats() is empty, as declared");
      return;
    }
    CountDownLatch release = new CountDownLatch(1);
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.target().equals("/hold")) {
                release.await(30, TimeUnit.SECONDS);
              }
              conn.respond(200, "ok");
            });
    Transport t = ctx.transport(b -> b.maxConnectionsPerHost(1));
    try {
      CompletableFuture<Response> held = t.send(Request.get(server.uri("/hold")));
      assertTrue(Loopback.await(server::requestCount, 1, Duration.ofSeconds(10), 10));
      CompletableFuture<Response> queued = t.send(Request.get(server.uri("/queued")));
      assertTrue(
          Loopback.await(
              () -> {
                PoolStats p = t.poolStats().orElseThrow();
                return p.leased() == 1 && p.pending() == 1 ? 1 : 0;
              },
              1,
              Duration.ofSeconds(10),
              10),
          "one leased and one pending while the first request holds the only connection: "
              + t.poolStats());
      release.countDown();
      ok(held);
      ok(queued);
      assertTrue(
          Loopback.await(
              () -> {
                PoolStats p = t.poolStats().orElseThrow();
                return p.leased() == 0 && p.pending() == 0 && p.idle() == 1 ? 1 : 0;
              },
              1,
              Duration.ofSeconds(10),
              10),
          "one idle, none leased or pending once both ended: " + t.poolStats());
    } finally {
      release.countDown();
    }
  }
}
