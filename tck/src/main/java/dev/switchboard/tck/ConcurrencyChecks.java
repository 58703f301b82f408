package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.ConnectionException;
import dev.switchboard.NotFoundException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ServerErrorException;
import dev.switchboard.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Area {@code concurrency}. */
final class ConcurrencyChecks {
  private final TckContext ctx;

  ConcurrencyChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  /** Answers after the delay in the path's last segment, with the request target as body. */
  private RawServer delayed() throws Exception {
    return delayed(new CountDownLatch(0));
  }

  /**
   * As {@link #delayed()}, the delay counted once {@code gate} is open (10 s at most): a check
   * opens it once its continuations are attached, so that none runs on the thread attaching it.
   */
  private RawServer delayed(CountDownLatch gate) throws Exception {
    return ctx.raw(
        (req, conn) -> {
          gate.await(10, TimeUnit.SECONDS);
          String p = req.path();
          long delay = Long.parseLong(p.substring(p.lastIndexOf('/') + 1));
          Thread.sleep(delay);
          conn.respond(200, req.target());
        });
  }

  void fanOut() throws Exception {
    int n = 64;
    CountDownLatch arrived = new CountDownLatch(n);
    java.util.concurrent.atomic.AtomicBoolean gaveUp =
        new java.util.concurrent.atomic.AtomicBoolean();
    // each request is held until all 64 have arrived (or 3 s passed), then for 300 ms: a hidden
    // cap keeps the rest from ever arriving while the first ones are held
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              arrived.countDown();
              if (!gaveUp.get() && !arrived.await(3, TimeUnit.SECONDS)) {
                gaveUp.set(true); // a cap: wait no more, let the rest through in rounds
              }
              Thread.sleep(300);
              conn.respond(200, req.target());
            });
    Transport t = ctx.transport();
    List<CompletableFuture<Response>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      all.add(t.send(Request.get(server.uri("/fan/" + i))));
    }
    // all 64 must be done within 10 s (asserted below), so waiting longer proves nothing more
    for (int i = 0; i < n; i++) {
      Response r;
      try {
        r = ok(all.get(i), Duration.ofMillis(Math.max(1, 10_200 - TckContext.since(start))));
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + " for request "
                + i
                + " of 64 (the server saw at most "
                + server.maxInFlight()
                + " at once: a hidden per-host cap below 64?)",
            e.getCause());
      }
      assertEquals("/fan/" + i, r.text());
    }
    long took = TckContext.since(start);
    assertEquals(
        n,
        server.maxInFlight(),
        "requests at the server at once (a hidden per-host cap below 64 with the default"
            + " configuration); all took "
            + took
            + " ms");
    assertTrue( // about 600 ms; wide for a loaded machine (64 connections to open)
        took < 10_000,
        "64 requests with a 300 ms server delay took " + took + " ms; expected about 600 ms");
  }

  void maxConnectionsPerHost() throws Exception {
    RawServer server = delayed();
    Transport t = ctx.transport(b -> b.maxConnectionsPerHost(2));
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(t.send(Request.get(server.uri("/limited/" + i + "/150"))));
    }
    // 10 × 150 ms over 2 connections take about 750 ms: 10 s for all of them is generous
    long start = System.nanoTime();
    for (CompletableFuture<Response> f : all) {
      assertEquals(
          200, ok(f, Duration.ofMillis(Math.max(1, 10_000 - TckContext.since(start)))).status());
    }
    assertTrue(
        server.maxOpenConnections() <= 2,
        "the server saw " + server.maxOpenConnections() + " connections at once; limit 2");
    assertTrue(
        server.maxInFlight() <= 2,
        "the server saw " + server.maxInFlight() + " requests at once; limit 2");
    assertEquals(10, server.requestCount());
  }

  void cancelAborts() throws Exception {
    RawServer never = ctx.raw((req, conn) -> conn.holdUntilClientCloses());
    Transport t = ctx.transport();
    CompletableFuture<Response> f = t.send(Request.get(never.uri("/never")));
    assertTrue(never.awaitRequests(1, Duration.ofSeconds(5)), "the request never arrived");
    assertTrue(f.cancel(true), "cancel() returned false");
    assertTrue(f.isCancelled());
    assertTrue(
        never.awaitClosedByClient(1, Duration.ofSeconds(5)),
        "the server did not see the connection go after cancel()");
    RawServer fine = ctx.raw((req, conn) -> conn.respond(200, "fine"));
    assertEquals("fine", ok(t.send(Request.get(fine.uri("/after")))).text());
  }

  void blockingContinuationIsolated() throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    RawServer server = delayed(attached);
    Transport t = ctx.transport();
    CountDownLatch done = new CountDownLatch(1);
    long start = System.nanoTime();
    // the continuation blocks until the other request completes (10 s at most): delayed behind
    // it, the other could not complete before then
    CompletableFuture<String> blocked =
        t.send(Request.get(server.uri("/a/100"))).thenApply(r -> textAfterBlocking(r, done));
    CompletableFuture<Response> other = t.send(Request.get(server.uri("/b/400")));
    other.whenComplete((r, e) -> done.countDown());
    attached.countDown();
    boolean completed = done.await(BLOCKING_SECONDS - 2, TimeUnit.SECONDS);
    long took = TckContext.since(start);
    assertTrue(
        completed,
        "a request answered after 400 ms had not completed after "
            + took
            + " ms: a continuation blocking on another response delayed it");
    assertEquals("/a/100", blocked.get(BLOCKING_SECONDS + 5, TimeUnit.SECONDS));
  }

  /**
   * With one connection per host, a continuation that blocks on a response must not keep the next
   * request from that connection: the exchange gives its connection, and its place under the limit,
   * back before user code runs.
   */
  void blockingContinuationHoldsNoConnection() throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    RawServer server = delayed(attached);
    Transport t = ctx.transport(b -> b.maxConnectionsPerHost(1));
    CountDownLatch blocking = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    // the continuation blocks until the second request completes (10 s at most): if it kept the
    // connection, the second could not complete before then
    CompletableFuture<String> first =
        t.send(Request.get(server.uri("/first/0")))
            .thenApply(
                r -> {
                  blocking.countDown();
                  return textAfterBlocking(r, secondDone);
                });
    attached.countDown();
    assertTrue(blocking.await(5, TimeUnit.SECONDS), "the first response never came");
    long start = System.nanoTime();
    CompletableFuture<Response> sent = t.send(Request.get(server.uri("/second/0")));
    sent.whenComplete((r, e) -> secondDone.countDown());
    Response second;
    try {
      second = sent.get(BLOCKING_SECONDS - 2, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          "with maxConnectionsPerHost(1), a request sent while a continuation blocked on the"
              + " previous response had not completed after "
              + TckContext.since(start)
              + " ms: the continuation kept the only connection, or its place under the limit");
    }
    assertEquals("/second/0", second.text());
    assertEquals("/first/0", first.get(BLOCKING_SECONDS + 5, TimeUnit.SECONDS));
  }

  /**
   * Sixteen responses arrive at about the same time and each continuation waits for all sixteen to
   * be running: they can only all get there if none waits behind another that blocks. Catches
   * completions that queue on one thread (an I/O thread, a single-thread executor) or that a pool
   * takes in a batch and runs one after another without moving the rest elsewhere when one blocks.
   */
  void blockingContinuationsRunAtOnce() throws Exception {
    int n = 16;
    RawServer server = delayed(); // 200 ms each: the continuations are attached long before
    Transport t = ctx.transport();
    CountDownLatch running = new CountDownLatch(n);
    long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // one deadline for all
    Thread sender = Thread.currentThread();
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(
          t.send(Request.get(server.uri("/at-once/" + i + "/200")))
              .thenApply(
                  r -> {
                    running.countDown();
                    if (Thread.currentThread() == sender) {
                      return true; // attached after the response: runs here, not the transport's
                    }
                    try {
                      return running.await(giveUpAt - System.nanoTime(), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                      return false;
                    }
                  }));
    }
    int together = 0;
    for (CompletableFuture<Boolean> f : all) {
      if (f.get(30, TimeUnit.SECONDS)) {
        together++;
      }
    }
    assertEquals(
        n,
        together,
        "of "
            + n
            + " continuations that each wait for all to be running, "
            + (n - together)
            + " gave up after 10 s: some waited for others to return before they could run"
            + " (completions queued on one thread)");
  }

  /** How long a blocking continuation blocks at most. */
  private static final long BLOCKING_SECONDS = 10;

  /**
   * A continuation that blocks its thread until {@code released} (another request's completion),
   * for {@value #BLOCKING_SECONDS} s at most, then gives the body: a request held up behind it
   * cannot complete before it ends, however loaded the machine.
   */
  private static String textAfterBlocking(Response r, CountDownLatch released) {
    try {
      released.await(BLOCKING_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return r.text();
  }

  void executeUnwrapped() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/missing")) {
                conn.respond(404, "missing");
              } else {
                conn.respond(200, "here");
              }
            });
    Transport t = ctx.transport();
    assertEquals("here", t.execute(Request.get(server.uri("/here"))).text());
    NotFoundException e =
        assertThrows(NotFoundException.class, () -> t.execute(Request.get(server.uri("/missing"))));
    assertEquals(404, e.status());
    URI refused = URI.create("http://127.0.0.1:" + ErrorsChecks.freePort() + "/");
    assertThrows(ConnectionException.class, () -> t.execute(Request.get(refused)));
  }

  void executeOnTransportThread() throws Exception {
    RawServer server = delayed();
    Transport t = ctx.transport();
    CompletableFuture<String> seen =
        t.send(Request.get(server.uri("/first/100")))
            .thenApply(
                r -> {
                  try {
                    t.execute(Request.get(server.uri("/nested/0")));
                    return "execute() returned on " + Thread.currentThread().getName();
                  } catch (IllegalStateException expected) {
                    return "IllegalStateException";
                  } catch (RuntimeException other) {
                    return "execute() threw " + TckContext.describe(other);
                  }
                });
    String outcome;
    try {
      outcome = seen.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("execute() on a transport thread deadlocked (no answer in 10 s)");
    }
    assertEquals("IllegalStateException", outcome, "execute() called in a continuation of send()");
  }

  void sendAllKeepsOrder() throws Exception {
    RawServer server = delayed();
    Transport t = ctx.transport();
    List<Request> requests = new ArrayList<>();
    int[] delays = {500, 50, 400, 0, 250, 100};
    for (int i = 0; i < delays.length; i++) {
      requests.add(Request.get(server.uri("/order/" + i + "/" + delays[i])));
    }
    // the slowest answer comes after 500 ms
    List<Response> out = t.sendAll(requests).get(5, TimeUnit.SECONDS);
    assertEquals(delays.length, out.size());
    for (int i = 0; i < delays.length; i++) {
      assertEquals("/order/" + i + "/" + delays[i], out.get(i).text(), "response " + i);
    }
  }

  void sendAllFailsFast() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/fail")) {
                Thread.sleep(200);
                conn.respond(500, "failed");
              } else {
                conn.holdUntilClientCloses();
              }
            });
    Transport t = ctx.transport();
    long start = System.nanoTime();
    CompletableFuture<List<Response>> all =
        t.sendAll(
            List.of(
                Request.get(server.uri("/hang-1")),
                Request.get(server.uri("/fail")),
                Request.get(server.uri("/hang-2"))));
    // the other two are never answered: without failing fast it would not fail at all; 10 s is
    // wide for a loaded machine (it fails after about 200 ms)
    TckContext.failure(all, ServerErrorException.class, Duration.ofMillis(10_200));
    long took = TckContext.since(start);
    assertTrue(
        took < 10_000, "sendAll failed after " + took + " ms; expected at the first failure");
    assertTrue(
        server.awaitClosedByClient(2, Duration.ofSeconds(5)),
        "the requests still in flight were not cancelled (server saw "
            + server.closedByClient()
            + " of 2 connections closed)");
  }

  void sequentialReuse() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              switch (req.path()) {
                case "/500" -> conn.respond(500, "error");
                case "/404" -> conn.respond(404, "missing");
                default -> conn.respond(200, "ok");
              }
            });
    Transport t = ctx.transport();
    for (String path : List.of("/a", "/500", "/b", "/404", "/c", "/500", "/d")) {
      CompletableFuture<Response> f = t.send(Request.get(server.uri(path)));
      if (path.equals("/a") || path.length() == 2) {
        ok(f);
      } else {
        TckContext.failure(f);
      }
    }
    assertEquals(7, server.requestCount());
    assertEquals(
        1,
        server.connections(),
        "sequential requests (errors included) should reuse one connection");
  }

  void sharedByThreads() throws Exception {
    RawServer server =
        ctx.raw((req, conn) -> conn.respond(200, req.target(), "X-Echo", req.header("X-Id")));
    Transport t = ctx.transport();
    int threads = 8;
    int each = 25;
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int id = w;
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  String key = "w" + id + "-" + i;
                  try {
                    Response r =
                        i % 2 == 0
                            ? t.execute(
                                Request.builder("GET", server.uri("/echo?k=" + key))
                                    .header("X-Id", key)
                                    .build())
                            : t.send(
                                    Request.builder("GET", server.uri("/echo?k=" + key))
                                        .header("X-Id", key)
                                        .build())
                                .get(10, TimeUnit.SECONDS);
                    if (!r.text().equals("/echo?k=" + key) || !key.equals(r.header("X-Echo"))) {
                      errors.add(key + " got " + r.text() + " / " + r.header("X-Echo"));
                    }
                  } catch (Exception e) {
                    errors.add(key + " failed: " + TckContext.describe(e));
                  }
                }
              },
              "tck-shared-" + w);
      th.setDaemon(true);
      workers.add(th);
      th.start();
    }
    // 200 small requests take well under a second: one deadline of 10 s for all the workers (not
    // 20 s for each in turn), so a hang is reported instead of running into the area's timeout
    long joinEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (Thread th : workers) {
      th.join(Math.max(1, (joinEnd - System.nanoTime()) / 1_000_000));
      if (th.isAlive()) {
        errors.add(th.getName() + " still waiting for an answer after 10 s (hang)");
      }
    }
    assertTrue(errors.isEmpty(), "wrong or failed answers: " + errors);
    assertEquals(threads * each, server.requestCount());
  }
}
