package dev.switchboard.cluster;

import static dev.switchboard.cluster.FakeTransport.connectTimeout;
import static dev.switchboard.cluster.FakeTransport.fails;
import static dev.switchboard.cluster.FakeTransport.ok;
import static dev.switchboard.cluster.FakeTransport.refused;
import static dev.switchboard.cluster.FakeTransport.status;
import static dev.switchboard.cluster.FakeTransport.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.NotFoundException;
import dev.switchboard.Outcome;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.ServerErrorException;
import dev.switchboard.TooManyRequestsException;
import dev.switchboard.TransportException;
import dev.switchboard.UnsupportedFeatureException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClusterTransportTest {
  static final int A = 9201;
  static final int B = 9202;
  static final int C = 9203;

  final FakeTransport.Clock clock = new FakeTransport.Clock();
  final FakeTransport fake = new FakeTransport(clock);
  final List<String> events = Collections.synchronizedList(new ArrayList<>());

  ClusterTransport.Builder cluster(int... ports) {
    ClusterTransport.Builder b =
        ClusterTransport.builder(fake)
            .nanoTime(clock::now)
            .listener(
                new ClusterListener() {
                  @Override
                  public void attemptStarted(Attempt a) {
                    events.add("start " + a.number() + " " + a.node().url().getPort());
                  }

                  @Override
                  public void attemptEnded(
                      Attempt a, Response r, TransportException e, boolean movingOn) {
                    events.add(
                        "end "
                            + a.number()
                            + " "
                            + (r != null ? r.status() : e.getClass().getSimpleName())
                            + (movingOn ? " moving on" : ""));
                  }

                  @Override
                  public void nodeMarkedDead(NodeState s) {
                    events.add(
                        "dead "
                            + s.node().url().getPort()
                            + " x"
                            + s.consecutiveFailures()
                            + " "
                            + s.revivesIn().toMillis()
                            + "ms");
                  }

                  @Override
                  public void nodeMarkedLive(NodeState s) {
                    events.add("live " + s.node().url().getPort());
                  }
                });
    for (int p : ports) {
      b.node(url(p));
    }
    return b;
  }

  /** A cluster whose selector always takes the first candidate, so attempts follow node order. */
  ClusterTransport.Builder ordered(int... ports) {
    return cluster(ports).selector(candidates -> candidates.get(0));
  }

  static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isDone(), "the future should be done");
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return e.getCause();
  }

  static NodeState state(ClusterTransport c, int port) {
    return c.nodes().stream().filter(s -> s.node().url().getPort() == port).findFirst().get();
  }

  // ---------------------------------------------------------------- URIs

  @Test
  void relativeUriKeepsPathPrefixAndQueryEncoding() {
    fake.on(A, ok());
    try (ClusterTransport c =
        ClusterTransport.builder(fake).node("http://127.0.0.1:9201/es/").build()) {
      Response r = c.execute(Request.get("_search?q=a%20b&x=%2F%3D"));
      assertEquals(
          "http://127.0.0.1:9201/es/_search?q=a%20b&x=%2F%3D", r.request().uri().toString());
      c.execute(Request.get("/idx/_doc/1"));
      assertEquals(
          "http://127.0.0.1:9201/es/idx/_doc/1", fake.sent.get(1).uri().toString(), "leading /");
      c.execute(Request.get(""));
      assertEquals("http://127.0.0.1:9201/es/", fake.sent.get(2).uri().toString());
    }
  }

  @Test
  void urlsJoinWithAndWithoutPrefix() {
    var base = java.net.URI.create("http://127.0.0.1:9200");
    var prefixed = java.net.URI.create("http://127.0.0.1:9200/es");
    assertEquals(
        "http://127.0.0.1:9200/_cat/nodes?v",
        Urls.resolve(base, java.net.URI.create("_cat/nodes?v")).toString());
    assertEquals("http://127.0.0.1:9200/", Urls.resolve(base, java.net.URI.create("")).toString());
    assertEquals(
        "http://127.0.0.1:9200/es/_bulk",
        Urls.resolve(prefixed, java.net.URI.create("/_bulk")).toString());
    assertEquals(
        "http://127.0.0.1:9200/es/a%2Fb?q=%C3%A9#",
        Urls.resolve(prefixed, java.net.URI.create("a%2Fb?q=%C3%A9#frag")).toString() + "#");
  }

  @Test
  void absoluteUriIsRefusedWithoutSending() {
    fake.on(A, ok());
    try (ClusterTransport c = cluster(A).build()) {
      Throwable e = failure(c.send(Request.get("http://127.0.0.1:9201/x")));
      TransportException te = assertInstanceOf(TransportException.class, e);
      assertFalse(te.requestSent());
      assertTrue(te.getMessage().contains("relative"), te.getMessage());
      assertTrue(fake.sent.isEmpty());
    }
  }

  @Test
  void nodeUrlsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> Node.of("127.0.0.1:9200"));
    assertThrows(IllegalArgumentException.class, () -> Node.of("ftp://127.0.0.1/"));
    assertThrows(IllegalArgumentException.class, () -> Node.of("http://127.0.0.1:9200/?a=b"));
    assertThrows(IllegalArgumentException.class, () -> ClusterTransport.builder(fake).build());
    assertThrows(
        IllegalArgumentException.class, () -> ClusterTransport.builder(fake).nodes(url(A), url(A)));
    assertEquals(
        "http://<redacted>@127.0.0.1:9200/", Node.of("http://u:secret@127.0.0.1:9200/").toString());
  }

  // ---------------------------------------------------------------- selection

  @Test
  void roundRobinSharesLoadEvenly() {
    fake.on(A, ok()).on(B, ok()).on(C, ok());
    try (ClusterTransport c = cluster(A, B, C).build()) {
      for (int i = 0; i < 300; i++) {
        c.execute(Request.get("x"));
      }
    }
    assertEquals(100, fake.count(A));
    assertEquals(100, fake.count(B));
    assertEquals(100, fake.count(C));
  }

  @Test
  void roundRobinSkipsDeadNodeAndSharesAmongLiveOnes() {
    fake.on(A, ok()).on(B, refused()).on(C, ok());
    try (ClusterTransport c = cluster(A, B, C).build()) {
      for (int i = 0; i < 301; i++) {
        c.execute(Request.get("x"));
      }
    }
    assertEquals(1, fake.count(B), "B is tried once, then stays dead (the clock stands still)");
    assertEquals(301, fake.count(A) + fake.count(C) - 1 + 1);
    assertTrue(
        Math.abs(fake.count(A) - fake.count(C)) <= 1, fake.count(A) + " vs " + fake.count(C));
  }

  @Test
  void randomSelectorUsesEveryNode() {
    fake.on(A, ok()).on(B, ok()).on(C, ok());
    try (ClusterTransport c = cluster(A, B, C).selector(NodeSelector.random()).build()) {
      for (int i = 0; i < 300; i++) {
        c.execute(Request.get("x"));
      }
    }
    assertTrue(
        fake.count(A) > 30 && fake.count(B) > 30 && fake.count(C) > 30, fake.ports().toString());
  }

  @Test
  void nodeFilterExcludesNodesAndRejectingAllFails() {
    fake.on(A, ok()).on(B, ok());
    try (ClusterTransport c =
        ClusterTransport.builder(fake)
            .node(Node.of(url(A), Map.of("zone", "z1")))
            .node(Node.of(url(B), Map.of("zone", "z2")))
            .nodeFilter(n -> !"z1".equals(n.attribute("zone")))
            .build()) {
      for (int i = 0; i < 4; i++) {
        c.execute(Request.get("x"));
      }
      assertEquals(List.of(B, B, B, B), fake.ports());
    }
    try (ClusterTransport c = cluster(A, B).nodeFilter(n -> false).build()) {
      TransportException e =
          assertThrows(TransportException.class, () -> c.execute(Request.get("x")));
      assertTrue(e.getMessage().contains("node filter rejected all 2 nodes"), e.getMessage());
      assertFalse(e.requestSent());
    }
  }

  @Test
  void selectorReturningAStrangerFailsTheCall() {
    try (ClusterTransport c =
        cluster(A, B).selector(candidates -> Node.of("http://127.0.0.1:1/")).build()) {
      TransportException e =
          assertThrows(TransportException.class, () -> c.execute(Request.get("x")));
      assertTrue(e.getMessage().contains("not one of the candidates"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------- dead nodes

  @Test
  void backoffDoublesFromBaseUpToMax() {
    var b =
        new NodeHealth.Backoff(Duration.ofSeconds(1).toNanos(), Duration.ofMinutes(30).toNanos());
    assertEquals(Duration.ofSeconds(1), Duration.ofNanos(b.nanos(1)));
    assertEquals(Duration.ofSeconds(2), Duration.ofNanos(b.nanos(2)));
    assertEquals(Duration.ofSeconds(4), Duration.ofNanos(b.nanos(3)));
    assertEquals(Duration.ofSeconds(1024), Duration.ofNanos(b.nanos(11)));
    assertEquals(Duration.ofMinutes(30), Duration.ofNanos(b.nanos(12)));
    assertEquals(Duration.ofMinutes(30), Duration.ofNanos(b.nanos(64)));
    assertEquals(Duration.ofMinutes(30), Duration.ofNanos(b.nanos(Integer.MAX_VALUE)));
  }

  @Test
  void deadNodeRevivesAfterItsBackoffAndDoublesOnEachFailure() {
    fake.on(A, refused()).on(B, ok());
    try (ClusterTransport c =
        ordered(A, B).deadNodeBackoff(Duration.ofSeconds(1), Duration.ofSeconds(3)).build()) {
      c.execute(Request.get("x")); // A refused -> B
      assertEquals(new NodeState(Node.of(url(A)), false, 1, Duration.ofSeconds(1)), state(c, A));
      c.execute(Request.get("x"));
      assertEquals(List.of(A, B, B), fake.ports(), "A is left alone while dead");

      clock.advance(Duration.ofSeconds(1));
      assertTrue(state(c, A).live(), "revived after 1s");
      c.execute(Request.get("x")); // round-robin reaches A again, it fails again
      assertEquals(2, state(c, A).consecutiveFailures());
      assertEquals(Duration.ofSeconds(2), state(c, A).revivesIn());

      clock.advance(Duration.ofMillis(1999));
      assertFalse(state(c, A).live());
      assertEquals(Duration.ofMillis(1), state(c, A).revivesIn());
      clock.advance(Duration.ofMillis(1));
      fake.on(A, refused());
      c.execute(Request.get("x"));
      c.execute(Request.get("x"));
      assertEquals(Duration.ofSeconds(3), state(c, A).revivesIn(), "capped at max");

      clock.advance(Duration.ofSeconds(3));
      fake.on(A, ok());
      fake.sent.clear();
      c.execute(Request.get("x"));
      c.execute(Request.get("x"));
      assertTrue(fake.ports().contains(A));
      assertEquals(new NodeState(Node.of(url(A)), true, 0, Duration.ZERO), state(c, A));
      assertTrue(events.contains("live " + A), events.toString());
      assertTrue(events.contains("dead " + A + " x1 1000ms"), events.toString());
      assertTrue(events.contains("dead " + A + " x2 2000ms"), events.toString());
    }
  }

  @Test
  void whenAllNodesAreDeadTheOneDueSoonestIsTried() {
    fake.on(A, fake.takes(Duration.ofMillis(100), refused()))
        .on(B, fake.takes(Duration.ofMillis(100), refused()))
        .on(C, fake.takes(Duration.ofMillis(100), refused()));
    try (ClusterTransport c = ordered(C, B, A).build()) {
      // C fails at t=100ms, B at 200ms, A at 300ms: all dead, C due soonest
      assertThrows(ConnectionException.class, () -> c.execute(Request.get("x")));
      assertEquals(List.of(C, B, A), fake.ports());
      assertTrue(c.nodes().stream().noneMatch(NodeState::live));

      fake.sent.clear();
      fake.on(B, ok()).on(C, ok());
      c.execute(Request.get("x"));
      assertEquals(List.of(C), fake.ports(), "due soonest, although still dead");
    }
  }

  @Test
  void concurrentFailuresOfOneOutageAreCountedOnce() {
    NodeHealth h = new NodeHealth(Node.of(url(A)));
    var backoff = new NodeHealth.Backoff(1_000_000_000L, 60_000_000_000L);
    NodeHealth.State seen = h.state();
    assertEquals(1, h.markFailed(seen, 0, backoff).failures());
    assertNull(h.markFailed(seen, 1, backoff), "a second attempt of the same outage");
    assertEquals(1, h.state().failures());
    NodeHealth.State later = h.state();
    assertEquals(2, h.markFailed(later, 2_000_000_000L, backoff).failures(), "after revival");
  }

  @Test
  void manyThreadsAtOnceAllSucceedAndOneOutageCountsOnce() throws Exception {
    fake.on(A, ok()).on(B, refused()).on(C, ok());
    try (ClusterTransport c = cluster(A, B, C).build()) {
      int threads = 8;
      int calls = 500;
      List<Thread> workers = new ArrayList<>();
      AtomicReference<Throwable> trouble = new AtomicReference<>();
      for (int t = 0; t < threads; t++) {
        Thread w =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < calls; i++) {
                      assertEquals(200, c.execute(Request.get("x")).status());
                    }
                  } catch (Throwable e) {
                    trouble.compareAndSet(null, e);
                  }
                });
        workers.add(w);
        w.start();
      }
      for (Thread w : workers) {
        w.join(60_000);
      }
      assertNull(trouble.get());
      assertEquals(1, state(c, B).consecutiveFailures(), "one outage, however many saw it");
      assertTrue(fake.count(B) <= threads, "B is left alone once dead: " + fake.count(B));
      assertEquals(threads * calls + fake.count(B), fake.count(A) + fake.count(B) + fake.count(C));
      long a = fake.count(A);
      long cc = fake.count(C);
      assertTrue(Math.abs(a - cc) < threads * calls / 10, a + " vs " + cc);
    }
  }

  // ---------------------------------------------------------------- failover

  @Test
  void connectFailuresMoveOnForAnyMethod() {
    fake.on(A, refused()).on(B, connectTimeout()).on(C, ok());
    try (ClusterTransport c = ordered(A, B, C).build()) {
      Response r = c.execute(Request.post("_doc", Body.of("{}", "application/json")));
      assertEquals(C, r.request().uri().getPort());
      assertFalse(state(c, A).live());
      assertFalse(state(c, B).live());
    }
  }

  @Test
  void unavailableStatusMovesOnForIdempotentRequest() {
    fake.on(A, status(503)).on(B, status(502)).on(C, ok());
    try (ClusterTransport c = ordered(A, B, C).build()) {
      assertEquals(200, c.execute(Request.get("x")).status());
      assertEquals(List.of(A, B, C), fake.ports());
      assertFalse(state(c, A).live());
      assertFalse(state(c, B).live());
    }
  }

  @Test
  void unavailableStatusDoesNotMoveOnForPostButMarksNodeDead() {
    fake.on(A, status(503)).on(B, ok());
    try (ClusterTransport c = cluster(A, B).build()) {
      ServerErrorException e =
          assertThrows(
              ServerErrorException.class,
              () -> c.execute(Request.post("_doc", Body.of("{}", "application/json"))));
      assertEquals(503, e.status());
      assertEquals(List.of(A), fake.ports());
      assertFalse(state(c, A).live());
    }
  }

  @Test
  void retrySafePredicateLetsPostSearchMoveOn() {
    fake.on(A, status(504)).on(B, ok());
    try (ClusterTransport c =
        ordered(A, B)
            .retrySafe(r -> r.isIdempotent() || r.uri().getPath().endsWith("_search"))
            .build()) {
      assertEquals(200, c.execute(Request.post("idx/_search", Body.json(Map.of()))).status());
      assertEquals(List.of(A, B), fake.ports());
      clock.advance(Duration.ofSeconds(1)); // A revives
      fake.sent.clear();
      assertThrows(
          ServerErrorException.class,
          () -> c.execute(Request.post("idx/_doc", Body.json(Map.of()))));
      assertEquals(List.of(A), fake.ports());
    }
  }

  @Test
  void answersOtherThanUnavailableEndTheCallAndMeanHealthy() {
    for (int s : new int[] {400, 404, 409, 429, 500, 501}) {
      FakeTransport.Clock clock = new FakeTransport.Clock();
      FakeTransport f = new FakeTransport(clock);
      f.on(A, status(s)).on(B, ok());
      try (ClusterTransport c = ClusterTransport.builder(f).nodes(url(A), url(B)).build()) {
        TransportException e =
            assertThrows(TransportException.class, () -> c.execute(Request.get("x")));
        assertEquals(List.of(A), f.ports(), "status " + s);
        assertEquals(s, ((dev.switchboard.HttpStatusException) e).status());
        assertTrue(state(c, A).live());
      }
    }
    fake.on(A, status(429));
    try (ClusterTransport c = cluster(A).build()) {
      assertThrows(TooManyRequestsException.class, () -> c.execute(Request.get("x")));
    }
  }

  @Test
  void aFourHundredResetsTheFailuresOfANodeThatHadFailed() {
    fake.on(A, refused());
    try (ClusterTransport c = cluster(A).build()) {
      assertThrows(ConnectionException.class, () -> c.execute(Request.get("x")));
      assertEquals(1, state(c, A).consecutiveFailures());
      clock.advance(Duration.ofSeconds(1));
      fake.on(A, status(404));
      assertThrows(NotFoundException.class, () -> c.execute(Request.get("x")));
      assertEquals(0, state(c, A).consecutiveFailures());
      assertTrue(events.contains("live " + A));
    }
  }

  @Test
  void timeoutsMoveOnOnlyWhenEnabledAndSafe() {
    fake.on(A, fails(r -> new ResponseTimeoutException(Duration.ofSeconds(1), r, "fake", null)))
        .on(B, ok());
    try (ClusterTransport c = cluster(A, B).build()) {
      assertThrows(ResponseTimeoutException.class, () -> c.execute(Request.get("x")));
      assertTrue(state(c, A).live(), "a timeout does not kill a node");
    }
    fake.sent.clear();
    try (ClusterTransport c = ordered(A, B).retryOnTimeout(true).build()) {
      assertEquals(200, c.execute(Request.get("x")).status());
      assertEquals(List.of(A, B), fake.ports());
      fake.sent.clear();
      assertThrows(
          ResponseTimeoutException.class,
          () -> c.execute(Request.post("x", Body.of("a", "text/plain"))));
      assertEquals(List.of(A), fake.ports(), "a POST that may have been sent stays put");
    }
  }

  @Test
  void otherFailuresEndTheCall() {
    fake.on(A, fails(r -> new MalformedResponseException("garbage", r, "fake", null))).on(B, ok());
    try (ClusterTransport c = cluster(A, B).build()) {
      assertThrows(MalformedResponseException.class, () -> c.execute(Request.get("x")));
      assertEquals(List.of(A), fake.ports());
      assertTrue(state(c, A).live());
    }
    fake.sent.clear();
    fake.on(A, fails(r -> new UnsupportedFeatureException("cannot", r, "fake")));
    try (ClusterTransport c = cluster(A, B).build()) {
      assertThrows(UnsupportedFeatureException.class, () -> c.execute(Request.get("x")));
      assertEquals(List.of(A), fake.ports(), "every node would say the same");
    }
    fake.sent.clear();
    fake.on(A, fails(r -> new TransportException("pool closed", r, "fake", false, null)));
    try (ClusterTransport c = cluster(A, B).build()) {
      assertEquals(200, c.execute(Request.post("x", Body.of("a", "text/plain"))).status());
      assertEquals(List.of(A, B), fake.ports(), "nothing sent: safe to move on");
      assertTrue(state(c, A).live(), "not a node failure");
    }
  }

  @Test
  void acceptedUnavailableStatusMovesOnAndTheLastIsReturned() {
    fake.on(A, status(503)).on(B, status(503));
    try (ClusterTransport c = cluster(A, B).build()) {
      Response r = c.execute(Request.builder("GET", "x").acceptStatus(503).build());
      assertEquals(503, r.status());
      assertEquals(List.of(A, B), fake.ports());
      assertFalse(state(c, A).live());
      assertFalse(state(c, B).live());
      assertEquals(
          List.of(
              "start 1 " + A,
              "dead " + A + " x1 1000ms",
              "end 1 503 moving on",
              "start 2 " + B,
              "dead " + B + " x1 1000ms",
              "end 2 503"),
          events);
    }
  }

  @Test
  void attemptsAreBounded() {
    fake.on(A, status(503)).on(B, status(503)).on(C, status(503));
    try (ClusterTransport c = cluster(A, B, C).maxAttempts(2).build()) {
      ServerErrorException e =
          assertThrows(ServerErrorException.class, () -> c.execute(Request.get("x")));
      assertEquals(2, fake.sent.size());
      assertEquals(1, e.getSuppressed().length);
    }
    fake.sent.clear();
    try (ClusterTransport c = cluster(A, B).maxAttempts(5).build()) {
      assertThrows(ServerErrorException.class, () -> c.execute(Request.get("x")));
      assertEquals(List.of(A, B, A, B, A), fake.ports(), "more attempts than nodes: rounds");
    }
  }

  @Test
  void everyFailedAttemptIsSuppressedOnTheExceptionThrown() {
    fake.on(A, refused()).on(B, status(503)).on(C, status(404));
    try (ClusterTransport c = ordered(A, B, C).build()) {
      NotFoundException e =
          assertThrows(NotFoundException.class, () -> c.execute(Request.get("x")));
      Throwable[] s = e.getSuppressed();
      assertEquals(2, s.length);
      assertInstanceOf(ConnectionException.class, s[0]);
      assertInstanceOf(ServerErrorException.class, s[1]);
      assertEquals(A, ((TransportException) s[0]).request().uri().getPort());
      assertEquals(C, e.request().uri().getPort(), "the exception names the node");
    }
  }

  @Test
  void aThrowingRetrySafePredicateFailsTheCallInsteadOfHangingIt() {
    fake.on(A, status(503)).on(B, ok());
    try (ClusterTransport c =
        ordered(A, B)
            .retrySafe(
                r -> {
                  throw new IllegalStateException("bug");
                })
            .build()) {
      TransportException e =
          assertThrows(TransportException.class, () -> c.execute(Request.get("x")));
      assertInstanceOf(IllegalStateException.class, e.getCause());
    }
  }

  // ---------------------------------------------------------------- the deadline

  @Test
  void oneDeadlineForTheWholeCall() {
    fake.on(A, fake.takes(Duration.ofMillis(600), connectTimeout()))
        .on(
            B,
            fake.takes(
                Duration.ofMillis(400),
                fails(r -> new RequestTimeoutException(r.requestTimeout(), r, "fake", true, null))))
        .on(C, ok());
    try (ClusterTransport c = ordered(A, B, C).build()) {
      RequestTimeoutException e =
          assertThrows(
              RequestTimeoutException.class,
              () ->
                  c.execute(
                      Request.builder("GET", "x").requestTimeout(Duration.ofSeconds(1)).build()));
      assertEquals(Duration.ofSeconds(1), fake.sent.get(0).requestTimeout());
      assertEquals(Duration.ofMillis(400), fake.sent.get(1).requestTimeout(), "the time left");
      assertEquals(2, fake.sent.size(), "C is never tried");
      assertEquals(Duration.ofSeconds(1), e.timeout(), "the call's timeout, not a slice");
      assertTrue(e.requestSent());
      assertEquals("x", e.request().uri().toString());
      assertEquals(2, e.getSuppressed().length);
      assertInstanceOf(ConnectTimeoutException.class, e.getSuppressed()[0]);
      assertInstanceOf(RequestTimeoutException.class, e.getSuppressed()[1]);
    }
  }

  @Test
  void clusterTimeoutAppliesWhenTheRequestHasNone() {
    fake.on(A, fake.takes(Duration.ofMillis(1500), refused())).on(B, ok());
    try (ClusterTransport c = cluster(A, B).requestTimeout(Duration.ofSeconds(1)).build()) {
      RequestTimeoutException e =
          assertThrows(RequestTimeoutException.class, () -> c.execute(Request.get("x")));
      assertEquals(List.of(A), fake.ports());
      assertFalse(e.requestSent());
      assertEquals(1, e.getSuppressed().length);
      assertEquals(Duration.ofSeconds(1), fake.sent.get(0).requestTimeout());

      // the request's own timeout wins
      fake.sent.clear();
      clock.advance(Duration.ofSeconds(10));
      c.execute(Request.builder("GET", "y").requestTimeout(Duration.ofSeconds(5)).build());
      assertEquals(Duration.ofSeconds(5), fake.sent.get(0).requestTimeout());
    }
  }

  @Test
  void withoutADeadlineAttemptsKeepTheirOwnTimeouts() {
    fake.on(A, ok());
    try (ClusterTransport c = cluster(A).build()) {
      c.execute(Request.get("x"));
      assertNull(fake.sent.get(0).requestTimeout());
    }
  }

  // ---------------------------------------------------------------- listener, cancel, close

  @Test
  void listenerSeesAttemptsAndHealth() {
    fake.on(A, refused()).on(B, ok());
    try (ClusterTransport c = cluster(A, B).build()) {
      c.execute(Request.get("x"));
    }
    assertEquals(
        List.of(
            "start 1 " + A,
            "dead " + A + " x1 1000ms",
            "end 1 ConnectionException moving on",
            "start 2 " + B,
            "end 2 200"),
        events);
  }

  @Test
  void aThrowingListenerChangesNothing() {
    fake.on(A, ok());
    try (ClusterTransport c =
        ClusterTransport.builder(fake)
            .node(url(A))
            .listener(
                new ClusterListener() {
                  @Override
                  public void attemptStarted(Attempt attempt) {
                    throw new IllegalStateException("boom");
                  }
                })
            .build()) {
      assertEquals(200, c.execute(Request.get("x")).status());
    }
  }

  @Test
  void cancellingTheFutureCancelsTheAttemptInFlight() {
    fake.on(A, fake.hangs()).on(B, ok());
    try (ClusterTransport c = cluster(A, B).build()) {
      CompletableFuture<Response> f = c.send(Request.get("x"));
      assertEquals(1, fake.pending.size());
      assertTrue(f.cancel(true));
      assertTrue(fake.pending.get(0).isCancelled());
      assertEquals(List.of(A), fake.ports(), "no other attempt");
    }
  }

  @Test
  void closeFailsCallsInFlightAndClosesTheInnerTransportUnlessShared() {
    fake.on(A, fake.hangs());
    ClusterTransport c = cluster(A).build();
    CompletableFuture<Response> f = c.send(Request.get("x"));
    c.close();
    c.close();
    TransportException e = assertInstanceOf(TransportException.class, failure(f));
    assertTrue(e.getMessage().contains("closed while this request was in flight"));
    assertTrue(fake.pending.get(0).isCancelled());
    assertTrue(fake.closed.get());
    assertTrue(failure(c.send(Request.get("x"))).getMessage().contains("is closed"));

    FakeTransport shared = new FakeTransport(clock);
    ClusterTransport.builder(shared).node(url(A)).closeTransport(false).build().close();
    assertFalse(shared.closed.get());
  }

  // ---------------------------------------------------------------- execute, sendAll

  @Test
  void executeThrowsTheFailureItself() {
    fake.on(A, status(404));
    try (ClusterTransport c = cluster(A).build()) {
      assertThrows(NotFoundException.class, () -> c.execute(Request.get("x")));
    }
  }

  @Test
  void executeIsRefusedOnTransportThreads() throws Exception {
    fake.on(A, fake.hangs());
    try (ClusterTransport c = cluster(A).build()) {
      AtomicReference<Throwable> seen = new AtomicReference<>();
      CompletableFuture<Response> f = c.send(Request.get("x"));
      CompletableFuture<Void> cont =
          f.thenAccept(
              r -> {
                try {
                  c.execute(Request.get("y"));
                } catch (Throwable t) {
                  seen.set(t);
                }
              });
      fake.pending.get(0).complete(Response.builder(fake.sent.get(0), 200).build());
      cont.join();
      assertInstanceOf(IllegalStateException.class, seen.get(), "inside a continuation");

      fake.on(A, ok());
      fake.ownThread.set(Boolean.TRUE);
      try {
        assertThrows(IllegalStateException.class, () -> c.execute(Request.get("y")));
      } finally {
        fake.ownThread.remove();
      }
      assertEquals(200, c.execute(Request.get("y")).status());
    }
  }

  @Test
  void sendAllFailsOnTheFirstFailureAndCancelsTheRest() {
    fake.on(A, fake.hangs()).on(B, status(404));
    try (ClusterTransport c = cluster(A, B).maxAttempts(1).build()) {
      CompletableFuture<List<Response>> all =
          c.sendAll(List.of(Request.get("one"), Request.get("two")));
      assertInstanceOf(NotFoundException.class, failure(all));
      assertTrue(fake.pending.get(0).isCancelled());
    }
  }

  @Test
  void sendAllSettledReportsEveryOutcomeInOrder() {
    fake.on(A, ok()).on(B, status(404));
    try (ClusterTransport c = cluster(A, B).maxAttempts(1).build()) {
      List<Outcome> out =
          c.sendAllSettled(List.of(Request.get("one"), Request.get("two"), Request.get("three")))
              .join();
      assertEquals(3, out.size());
      assertTrue(out.get(0).isSuccess());
      assertInstanceOf(NotFoundException.class, out.get(1).failure());
      assertTrue(out.get(2).isSuccess());
      assertEquals("one", out.get(0).request().uri().toString());
      fake.on(B, ok());
      List<Response> ok = c.sendAll(List.of(Request.get("a"), Request.get("c"))).join();
      assertEquals(List.of("/a", "/c"), ok.stream().map(r -> r.request().uri().getPath()).toList());
    }
  }

  @Test
  void cancellationOfTheCallIsNotReportedAsAnAttemptFailure() {
    fake.on(A, fake.hangs());
    try (ClusterTransport c = cluster(A).build()) {
      CompletableFuture<Response> f = c.send(Request.get("x"));
      f.cancel(true);
      assertThrows(CancellationException.class, f::join);
      assertEquals(List.of("start 1 " + A), events);
    }
  }

  // ---------------------------------------------------------------- bodies sent once

  @Test
  void aBodySentOnlyOnceIsNeverMovedToAnotherNodeAndTheFailureSaysWhy() {
    fake.on(A, FakeTransport.refused()).on(B, ok());
    try (ClusterTransport c = ordered(A, B).build()) {
      Body once = Body.ofPublisher(Body.of(new byte[] {1, 2, 3}, null).publisher(), 3, null);
      Request put = Request.builder("PUT", "idx/_doc/1").body(once).build();
      Throwable e = failure(c.send(put));
      assertInstanceOf(ConnectionException.class, e);
      assertEquals(List.of(A), fake.ports(), "B never saw it");
      assertTrue(
          java.util.Arrays.stream(e.getSuppressed())
              .anyMatch(s -> s.getMessage().contains("can be sent only once")),
          java.util.Arrays.toString(e.getSuppressed()));
      assertEquals(
          List.of("start 1 " + A, "dead " + A + " x1 1000ms", "end 1 ConnectionException"),
          events,
          "the node is still marked dead; the call does not move on");
    }
  }

  @Test
  void aRepeatableStreamingBodyStillMovesOn() {
    fake.on(A, FakeTransport.refused()).on(B, ok());
    try (ClusterTransport c = ordered(A, B).build()) {
      Body again =
          Body.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[] {1, 2, 3}), 3, null);
      Request put = Request.builder("PUT", "idx/_doc/1").body(again).build();
      assertEquals(200, c.execute(put).status());
      assertEquals(List.of(A, B), fake.ports());
    }
  }
}
