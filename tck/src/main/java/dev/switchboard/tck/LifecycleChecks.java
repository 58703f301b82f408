package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.NotFoundException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/** Area {@code lifecycle}. */
final class LifecycleChecks {
  private final TckContext ctx;

  LifecycleChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  void closeFailsInFlight() throws Exception {
    RawServer never = ctx.raw((req, conn) -> conn.holdUntilClientCloses());
    RawServer fine = ctx.raw((req, conn) -> conn.respond(200, "fine"));
    Transport t = ctx.transport();
    ok(t.send(Request.get(fine.uri("/before"))));
    CompletableFuture<Response> inFlight = t.send(Request.get(never.uri("/never")));
    assertTrue(never.awaitRequests(1, Duration.ofSeconds(5)), "the request never arrived");
    long start = System.nanoTime();
    t.close();
    Throwable f = TckContext.failure(inFlight, Duration.ofSeconds(5));
    TckContext.expect(f, TransportException.class);
    assertTrue(TckContext.since(start) < 5000, "close() took too long to fail what was in flight");
    assertTrue(
        never.awaitClosedByClient(1, Duration.ofSeconds(5)),
        "the server did not see the in-flight connection closed after close()");
    Throwable later = TckContext.failure(t.send(Request.get(fine.uri("/after"))));
    TckContext.expect(later, TransportException.class);
    assertThrows(TransportException.class, () -> t.execute(Request.get(fine.uri("/after"))));
    t.close(); // idempotent
    assertEquals(1, fine.requestCount(), "a request after close() reached the server");
  }

  private static Set<Thread> liveNonDaemon() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.isAlive() && !th.isDaemon())
        .collect(Collectors.toSet());
  }

  void noThreadsLeft() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              Thread.sleep(50);
              conn.respond(200, "ok");
            });
    Set<Thread> before = liveNonDaemon();
    Transport t = ctx.transport();
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(t.send(Request.get(server.uri("/t/" + i))));
    }
    for (CompletableFuture<Response> f : all) {
      ok(f);
    }
    ok(t.send(Request.post(server.uri("/p"), Body.of("x", "text/plain"))));
    t.close();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<String> left;
    do {
      left = new ArrayList<>();
      for (Thread th : liveNonDaemon()) {
        if (!before.contains(th)
            && !th.getName().startsWith("qtp")
            && !th.getName().startsWith("tck-")) {
          left.add(th.getName());
        }
      }
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < end);
    throw new AssertionError("non-daemon threads still alive 5 s after close(): " + left);
  }

  void userSuppliedClient() throws Exception {
    TransportConfig config =
        TransportConfig.builder().responseTimeout(Duration.ofMillis(800)).build();
    Transport t = ctx.userClientTransport(config);
    Assumptions.assumeTrue(
        t != null,
        "the kit was not given a transport made from a user-supplied library client:"
            + " override TransportTck.createWithUserClient to certify that factory");
    assertEquals(ctx.name, t.name(), "name of the transport made from a user client");
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              switch (req.path()) {
                case "/missing" -> conn.respond(404, "missing");
                case "/never" -> conn.holdUntilClientCloses();
                case "/gz" ->
                    conn.respond(
                        200, DecodingChecks.gzip("zipped".getBytes()), "Content-Encoding", "gzip");
                default -> conn.respond(200, req.bodyText());
              }
            });
    if (t.capabilities().contains(Capability.GET_WITH_BODY)) {
      Response r =
          ok(
              t.send(
                  Request.builder("GET", server.uri("/echo"))
                      .body(Body.of("{\"q\":1}", "application/json"))
                      .build()));
      assertEquals("{\"q\":1}", r.text(), "GET body through the user's client");
      assertEquals("GET", server.lastRequest().method());
    }
    ok(t.send(Request.get(server.uri("/ua"))));
    assertEquals(
        List.of("switchboard/" + Transports.version() + " (" + t.name() + ")"),
        server.lastRequest().all("User-Agent"),
        "User-Agent through the user's client");
    assertEquals("zipped", ok(t.send(Request.get(server.uri("/gz")))).text(), "decoding");
    TckContext.failure(t.send(Request.get(server.uri("/missing"))), NotFoundException.class);
    TckContext.failure(t.send(Request.get(server.uri("/never"))), ResponseTimeoutException.class);
    assertFalse(server.requests().isEmpty());
  }
}
