package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.FakeEngine.Script;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LayeredTransportTest {
  private static final String BASE = "http://127.0.0.1:9/";
  private final FakeEngine engine = new FakeEngine();
  private Transport transport;

  private Transport transport(TransportConfig config) {
    transport = Transports.wrap(engine, config);
    return transport;
  }

  private Transport transport() {
    return transport(TransportConfig.defaults());
  }

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
  }

  /** Polls for up to 5 s: for effects that follow a completion on another thread. */
  static void eventually(java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 5 s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static Throwable failure(CompletableFuture<?> f) {
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return e.getCause();
  }

  // ------------------------------------------------------------ headers and compression

  @Test
  void defaultUserAgentAndAcceptEncodingAreAdded() {
    transport().execute(Request.get(BASE));
    Request wire = engine.last().request();
    assertEquals("switchboard/" + Transports.version() + " (fake)", wire.header("User-Agent"));
    assertEquals("gzip, deflate", wire.header("Accept-Encoding"));
  }

  @Test
  void configuredUserAgentWinsAndCompressionOffSendsNoAcceptEncoding() {
    transport(TransportConfig.builder().userAgent("search/1.0").compression(false).build())
        .execute(Request.get(BASE));
    Request wire = engine.last().request();
    assertEquals(List.of("search/1.0"), wire.headers().all("User-Agent"));
    assertNull(wire.header("Accept-Encoding"));
  }

  @Test
  void theCallersOwnHeadersAreKept() {
    transport()
        .execute(
            Request.builder("GET", BASE)
                .header("User-Agent", "mine")
                .header("Accept-Encoding", "identity")
                .build());
    assertEquals(List.of("mine"), engine.last().request().headers().all("User-Agent"));
    assertEquals(List.of("identity"), engine.last().request().headers().all("Accept-Encoding"));
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] data, boolean raw) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(9, raw))) {
      d.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void gzipAndDeflateBodiesAreDecodedAndTheHeadersFixed() throws Exception {
    byte[] json = "{\"status\":\"green\"}".getBytes(StandardCharsets.UTF_8);
    for (Map.Entry<String, byte[]> c :
        Map.of(
                "gzip", gzip(json),
                "deflate", deflate(json, false),
                "x-gzip", gzip(json))
            .entrySet()) {
      engine.answering(
          r ->
              Script.status(
                  200,
                  Headers.of(
                      "Content-Encoding",
                      c.getKey(),
                      "Content-Length",
                      "" + c.getValue().length,
                      "Content-Type",
                      "application/json"),
                  c.getValue()));
      Response r = (transport == null ? transport() : transport).execute(Request.get(BASE));
      assertArrayEquals(json, r.bytes(), c.getKey());
      assertNull(r.header("Content-Encoding"), c.getKey());
      assertNull(r.header("Content-Length"), c.getKey());
      assertEquals("green", r.json(Map.class).get("status"));
    }
    byte[] raw = deflate(json, true);
    engine.answering(r -> Script.status(200, Headers.of("Content-Encoding", "deflate"), raw));
    assertArrayEquals(json, transport.execute(Request.get(BASE)).bytes(), "raw deflate");
  }

  @Test
  void aCorruptCompressedBodyIsMalformedNotAPartialSuccess() {
    engine.answering(
        r -> Script.status(200, Headers.of("Content-Encoding", "gzip"), "not gzip".getBytes()));
    assertInstanceOf(
        MalformedResponseException.class, failure(transport().send(Request.get(BASE))));
  }

  @Test
  void withCompressionOffBodiesArePassedThroughRaw() throws Exception {
    byte[] gz = gzip("hello".getBytes());
    engine.answering(r -> Script.status(200, Headers.of("Content-Encoding", "gzip"), gz));
    Response r =
        transport(TransportConfig.builder().compression(false).build()).execute(Request.get(BASE));
    assertArrayEquals(gz, r.bytes());
    assertEquals("gzip", r.header("Content-Encoding"));
  }

  // ------------------------------------------------------------ body limit

  @Test
  void aDeclaredLengthOverTheLimitFailsAtTheHeadersAndAborts() {
    engine.answering(r -> Script.status(200, Headers.of("Content-Length", "5000"), new byte[5000]));
    Throwable e =
        failure(
            transport(TransportConfig.builder().maxResponseBytes(1000).build())
                .send(Request.get(BASE)));
    assertInstanceOf(ResponseTooLargeException.class, e);
    assertEquals(1000, ((ResponseTooLargeException) e).limit());
    assertEquals(1, engine.aborts.get());
  }

  @Test
  void chunksPastTheLimitFailAndAbort() {
    engine.answering(
        r ->
            new Script(
                0,
                200,
                Headers.empty(),
                List.of(new byte[600], new byte[600], new byte[600]),
                null,
                true,
                false));
    Throwable e =
        failure(
            transport(TransportConfig.builder().maxResponseBytes(1000).build())
                .send(Request.get(BASE)));
    assertInstanceOf(ResponseTooLargeException.class, e);
    assertEquals(1, engine.aborts.get());
  }

  @Test
  void aCompressedBodyThatInflatesPastTheLimitIsTooLarge() throws Exception {
    byte[] bomb = gzip(new byte[200_000]);
    assertTrue(bomb.length < 1000);
    engine.answering(r -> Script.status(200, Headers.of("Content-Encoding", "gzip"), bomb));
    assertInstanceOf(
        ResponseTooLargeException.class,
        failure(
            transport(TransportConfig.builder().maxResponseBytes(10_000).build())
                .send(Request.get(BASE))));
  }

  // ------------------------------------------------------------ statuses

  @Test
  void errorStatusesFailWithTheirClassAndKeepTheBody() {
    engine.answering(
        r ->
            Script.status(
                404,
                Headers.of("Content-Type", "application/json"),
                "{\"error\":{\"type\":\"index_not_found_exception\"}}".getBytes()));
    Throwable e = failure(transport().send(Request.get(BASE + "missing")));
    NotFoundException nf = assertInstanceOf(NotFoundException.class, e);
    assertEquals(
        "index_not_found_exception",
        ((Map<?, ?>) nf.response().json(Map.class).get("error")).get("type"));
    assertEquals("fake", nf.transport());
  }

  @Test
  void acceptStatusReturnsTheResponseInstead() {
    engine.answering(r -> Script.ok(404, "nope"));
    Response r = transport().execute(Request.builder("GET", BASE).acceptStatus(404).build());
    assertEquals(404, r.status());
    assertEquals("nope", r.text());
  }

  @Test
  void redirectsAreReturnedNotFollowedByDefault() {
    engine.answering(r -> Script.status(302, Headers.of("Location", "/other"), new byte[0]));
    assertEquals(302, transport().execute(Request.get(BASE)).status());
    assertEquals(1, engine.started.size());
  }

  @Test
  void redirectsAreFollowedWhenAskedDroppingAuthorizationAcrossOrigins() {
    engine.answering(
        r ->
            r.request().uri().getPort() == 9
                ? Script.status(
                    307, Headers.of("Location", "http://127.0.0.1:10/next"), new byte[0])
                : Script.ok(200, "there"));
    Response r =
        transport(TransportConfig.builder().followRedirects(true).build())
            .execute(
                Request.builder("PUT", BASE)
                    .header("Authorization", "Bearer x")
                    .body(Body.of("doc", "text/plain"))
                    .build());
    assertEquals("there", r.text());
    assertEquals(URI.create("http://127.0.0.1:10/next"), r.request().uri());
    Request second = engine.last().request();
    assertEquals("PUT", second.method());
    assertEquals("doc", new String(second.body().bytes(), StandardCharsets.UTF_8));
    assertNull(second.header("Authorization"));
  }

  @Test
  void redirectLoopsStopAtTheHopLimit() {
    engine.answering(r -> Script.status(301, Headers.of("Location", "/again"), new byte[0]));
    Throwable e =
        failure(
            transport(TransportConfig.builder().followRedirects(true).maxRedirects(3).build())
                .send(Request.get(BASE)));
    assertTrue(e.getMessage().contains("more than 3 redirects"), e.getMessage());
    assertEquals(4, engine.started.size());
  }

  // ------------------------------------------------------------ GET with a body

  @Test
  void getWithBodyNativeWithoutTheCapabilityFailsAtOnceAndSendsNothing() {
    FakeEngine noGetBody = new FakeEngine("nobody", EnumSet.noneOf(Capability.class));
    try (Transport t = Transports.wrap(noGetBody, TransportConfig.defaults())) {
      Request search = Request.builder("GET", BASE + "_search").json(Map.of("q", 1)).build();
      UnsupportedFeatureException e =
          assertInstanceOf(UnsupportedFeatureException.class, failure(t.send(search)));
      assertTrue(e.getMessage().contains("AS_POST"), e.getMessage());
      assertFalse(e.requestSent());
      assertTrue(noGetBody.started.isEmpty());
    }
  }

  @Test
  void getWithBodyAsPostSendsAPostWithTheBody() {
    FakeEngine noGetBody = new FakeEngine("nobody", EnumSet.noneOf(Capability.class));
    try (Transport t =
        Transports.wrap(
            noGetBody, TransportConfig.builder().getWithBody(GetWithBody.AS_POST).build())) {
      t.execute(Request.builder("GET", BASE + "_search").json(Map.of("q", 1)).build());
      Request wire = noGetBody.last().request();
      assertEquals("POST", wire.method());
      assertEquals("{\"q\":1}", new String(wire.body().bytes(), StandardCharsets.UTF_8));
      t.execute(Request.get(BASE)); // a GET without a body stays a GET
      assertEquals("GET", noGetBody.last().request().method());
    }
  }

  @Test
  void getWithBodyIsSentNativelyWhereSupported() {
    transport().execute(Request.builder("GET", BASE).json(Map.of("q", 1)).build());
    assertEquals("GET", engine.last().request().method());
    assertTrue(engine.last().request().hasBody());
  }

  // ------------------------------------------------------------ timeouts

  @Test
  void theRequestDeadlineAbortsTheExchange() {
    engine.answering(r -> Script.silent());
    long start = System.nanoTime();
    Throwable e =
        failure(
            // 1 s, not 200 ms: the engine reports the request written on its I/O thread, which
            // a loaded machine may not run within 200 ms (then requestSent() is rightly false)
            transport(TransportConfig.builder().requestTimeout(Duration.ofSeconds(1)).build())
                .send(Request.get(BASE)));
    RequestTimeoutException rt = assertInstanceOf(RequestTimeoutException.class, e);
    assertEquals(TransportTimeoutException.Phase.REQUEST, rt.phase());
    assertTrue(rt.requestSent());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 10_000);
    assertEquals(1, engine.aborts.get());
  }

  @Test
  void aPerRequestDeadlineOverridesTheClients() {
    engine.answering(r -> Script.connecting());
    Throwable e =
        failure(
            transport(TransportConfig.builder().requestTimeout(Duration.ofSeconds(60)).build())
                .send(Request.builder("GET", BASE).requestTimeout(Duration.ofMillis(100)).build()));
    RequestTimeoutException rt = assertInstanceOf(RequestTimeoutException.class, e);
    assertEquals(Duration.ofMillis(100), rt.timeout());
    assertFalse(rt.requestSent());
  }

  @Test
  void theResponseTimeoutRunsFromRequestSentToHeadersAndAborts() {
    engine.answering(r -> Script.silent());
    Throwable e =
        failure(
            transport(TransportConfig.builder().responseTimeout(Duration.ofMillis(150)).build())
                .send(Request.get(BASE)));
    ResponseTimeoutException rt = assertInstanceOf(ResponseTimeoutException.class, e);
    assertEquals(TransportTimeoutException.Phase.RESPONSE, rt.phase());
    assertEquals(1, engine.aborts.get());
  }

  @Test
  void shorterResponseTimeoutsFireOnTimeBesideALongOneAndAfterEachOther() {
    engine.answering(r -> Script.silent());
    Transport t =
        transport(TransportConfig.builder().responseTimeout(Duration.ofSeconds(30)).build());
    CompletableFuture<Response> longOne = t.send(Request.get(BASE + "long"));
    // one timer watches every exchange: each short one must arm it earlier than the long one,
    // also after the timer has fired for the one before and gone back to the long one
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      Throwable e =
          failure(
              t.send(
                  Request.builder("GET", BASE + "short")
                      .responseTimeout(Duration.ofMillis(100))
                      .build()));
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertInstanceOf(ResponseTimeoutException.class, e);
      // wide for a loaded machine: a short one left behind the long one would wait 30 s
      assertTrue(
          took >= 90 && took < 10_000, "a 100 ms response timeout fired after " + took + " ms");
    }
    assertFalse(longOne.isDone(), "the exchange with 30 s is still waiting");
    longOne.cancel(true);
  }

  @Test
  void noResponseTimeoutBeforeTheRequestIsWritten() {
    engine.answering(r -> Script.connecting());
    CompletableFuture<Response> f =
        transport(TransportConfig.builder().responseTimeout(Duration.ofMillis(50)).build())
            .send(Request.get(BASE));
    assertThrows(
        java.util.concurrent.TimeoutException.class, () -> f.get(300, TimeUnit.MILLISECONDS));
    f.cancel(true);
  }

  @Test
  void theConnectTimeoutIsHandedToTheEngineWithPerRequestOverrides() {
    transport(TransportConfig.builder().connectTimeout(Duration.ofSeconds(3)).build())
        .execute(Request.get(BASE));
    assertEquals(Duration.ofSeconds(3), engine.last().connectTimeout());
    transport.execute(Request.builder("GET", BASE).connectTimeout(Duration.ofMillis(5)).build());
    assertEquals(Duration.ofMillis(5), engine.last().connectTimeout());
  }

  // ------------------------------------------------------------ threads, execute, sendAll

  @Test
  void futuresCompleteOnTheCallbackExecutorNeverOnTheIoThread() {
    AtomicReference<String> thread = new AtomicReference<>();
    // The gate holds the engine's answer until the continuation is attached: without it, a fast
    // completion would run the continuation on the caller's thread and prove nothing.
    engine.gate = new CountDownLatch(1);
    CompletableFuture<Void> done =
        transport()
            .send(Request.get(BASE))
            .thenRun(() -> thread.set(Thread.currentThread().getName()));
    engine.gate.countDown();
    done.join();
    assertTrue(thread.get().startsWith("switchboard-fake-callback-"), thread.get());
  }

  @Test
  void aBlockingContinuationDelaysNothingElseInFlight() throws Exception {
    engine.answering(
        r ->
            r.request().uri().getPath().equals("/slow")
                ? Script.ok(200, "s")
                : Script.ok(200, "f").delayed(50));
    Transport t = transport();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    engine.gate = new CountDownLatch(1);
    CompletableFuture<Void> blocker =
        t.send(Request.get(BASE + "slow"))
            .thenAccept(
                r -> {
                  blocking.countDown();
                  try {
                    release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    engine.gate.countDown();
    assertTrue(blocking.await(5, TimeUnit.SECONDS));
    assertTimeoutPreemptively( // wide for a loaded machine; the blocked continuation holds 30 s
        Duration.ofSeconds(10),
        () -> assertEquals("f", t.send(Request.get(BASE + "fast")).join().text()));
    release.countDown();
    blocker.join();
  }

  @Test
  void anEngineThatLendsItsThreadRunsTheCompletionThereOnceTheExchangeEnded() {
    engine.lendsThreads = true;
    Transport t = transport();
    engine.gate = new CountDownLatch(1);
    CompletableFuture<Object> seen =
        t.send(Request.get(BASE))
            .thenApply(
                r -> {
                  engine.ioEvents.add("continuation");
                  String execute;
                  try {
                    t.execute(Request.get(BASE));
                    execute = "execute() ran";
                  } catch (IllegalStateException expected) {
                    execute = "execute() refused";
                  }
                  return List.of(Thread.currentThread().getName(), t.isTransportThread(), execute);
                });
    engine.gate.countDown();
    assertEquals(List.of("fake-io", true, "execute() refused"), seen.join());
    assertEquals(List.of("ended", "lent", "continuation"), engine.ioEvents);
  }

  @Test
  void aStreamsHeadersAreNotLentToTheThreadThatReadsItsBody() throws Exception {
    engine.lendsThreads = true;
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      chunks.add(new byte[64 * 1024]); // twice the stream's window: the engine waits for demand
    }
    engine.answering(r -> new Script(0, 200, Headers.empty(), chunks, null, true, false));
    Transport t = transport();
    // lent, the completion would run only after the exchange, which waits for this consumer
    StreamingResponse r = t.stream(Request.get(BASE)).get(5, TimeUnit.SECONDS);
    try (r) {
      assertEquals(8 * 64 * 1024, r.body().readAllBytes().length);
    }
  }

  @Test
  void whatAnEngineDoesNotLendGoesToTheCallbackPool() {
    engine.lendsThreads = true;
    engine.answering(r -> Script.silent());
    Transport t =
        transport(TransportConfig.builder().responseTimeout(Duration.ofMillis(50)).build());
    // the timeout is raised on the timer thread, which is no thread of the engine's; the gate
    // holds the request (and so the timeout) until the continuation is attached
    engine.gate = new CountDownLatch(1);
    CompletableFuture<String> timedOut =
        t.send(Request.get(BASE)).handle((r, e) -> Thread.currentThread().getName());
    engine.gate.countDown();
    assertTrue(timedOut.join().startsWith("switchboard-fake-callback-"), timedOut.join());
    engine.lendingThrows = true; // and an engine that throws loses nothing either
    engine.answering(r -> Script.ok(200, "x"));
    engine.gate = new CountDownLatch(1);
    CompletableFuture<String> thrown =
        t.send(Request.get(BASE)).thenApply(r -> Thread.currentThread().getName());
    engine.gate.countDown();
    assertTrue(thrown.join().startsWith("switchboard-fake-callback-"), thrown.join());
  }

  @Test
  void aSuppliedExecutorIsUsedEvenWhenTheEngineLends() {
    engine.lendsThreads = true;
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
    try {
      engine.gate = new CountDownLatch(1);
      CompletableFuture<String> supplied =
          transport(TransportConfig.builder().callbackExecutor(pool).build())
              .send(Request.get(BASE))
              .thenApply(r -> Thread.currentThread().getName());
      engine.gate.countDown();
      assertEquals("mine", supplied.join());
      eventually(() -> engine.ioEvents.size() == 1);
      assertEquals(List.of("ended"), engine.ioEvents, "nothing was lent");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void executeCompletesOnTheWaitingCallerEvenWhenTheEngineLends() {
    engine.lendsThreads = true;
    AtomicReference<String> continuation = new AtomicReference<>();
    Transport t =
        transport(
            TransportConfig.builder()
                .interceptor(
                    whenExchangeEnds(() -> continuation.set(Thread.currentThread().getName())))
                .build());
    engine.answering(r -> Script.ok(200, "x").delayed(30)); // the caller waits before the answer
    t.execute(Request.get(BASE));
    assertEquals(Thread.currentThread().getName(), continuation.get());
    eventually(() -> engine.ioEvents.size() == 1);
    assertEquals(List.of("ended"), engine.ioEvents, "nothing was lent");
  }

  @Test
  void aSuppliedCallbackExecutorIsUsedAndNotShutDown() {
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
    try {
      AtomicReference<String> thread = new AtomicReference<>();
      engine.gate = new CountDownLatch(1);
      CompletableFuture<Void> f =
          transport(TransportConfig.builder().callbackExecutor(pool).build())
              .send(Request.get(BASE))
              .thenRun(() -> thread.set(Thread.currentThread().getName()));
      engine.gate.countDown();
      f.join();
      assertEquals("mine", thread.get());
      transport.close();
      assertFalse(pool.isShutdown());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void executeThrowsTheFailureItselfNotAWrapper() {
    ConnectionException refused =
        new ConnectionException(
            "refused", Request.get(BASE), "fake", new java.net.ConnectException());
    engine.answering(r -> Script.fail(refused));
    ConnectionException thrown =
        assertThrows(ConnectionException.class, () -> transport().execute(Request.get(BASE)));
    assertSame(refused, thrown);
    assertFalse(thrown.requestSent());
  }

  @Test
  void executeOnACallbackThreadThrowsIllegalStateInsteadOfDeadlocking() {
    Transport t = transport();
    engine.gate = new CountDownLatch(1);
    CompletableFuture<Object> nested =
        t.send(Request.get(BASE)).thenApply(r -> t.execute(Request.get(BASE)));
    CompletableFuture<Boolean> onCallback =
        t.send(Request.get(BASE)).thenApply(r -> t.isTransportThread());
    engine.gate.countDown();
    Throwable e = failure(nested);
    assertInstanceOf(IllegalStateException.class, e);
    assertTrue(onCallback.join());
    assertFalse(t.isTransportThread());
    assertTrue(e.getMessage().contains("compose on send"), e.getMessage());
  }

  @Test
  void executeLetsTheWaitingThreadCompleteItsOwnCallWithTheDefaultExecutor() {
    String caller = Thread.currentThread().getName();
    AtomicReference<String> continuation = new AtomicReference<>();
    AtomicReference<Boolean> marked = new AtomicReference<>();
    AtomicReference<Transport> self = new AtomicReference<>();
    Transport t =
        transport(
            TransportConfig.builder()
                .interceptor(
                    whenExchangeEnds(
                        () -> {
                          continuation.set(Thread.currentThread().getName());
                          marked.set(self.get().isTransportThread());
                        }))
                .build());
    self.set(t);
    engine.answering(r -> Script.ok(200, "x").delayed(30)); // the caller waits before the answer
    assertEquals("x", t.execute(Request.get(BASE)).text());
    assertEquals(caller, continuation.get());
    assertTrue(marked.get(), "the caller counts as a callback thread while it completes its call");
    assertFalse(t.isTransportThread(), "and no longer once execute() returned");
  }

  @Test
  void executeWithASuppliedExecutorCompletesThere() {
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "mine"));
    try {
      AtomicReference<String> continuation = new AtomicReference<>();
      Transport t =
          transport(
              TransportConfig.builder()
                  .callbackExecutor(pool)
                  .interceptor(
                      whenExchangeEnds(() -> continuation.set(Thread.currentThread().getName())))
                  .build());
      engine.answering(r -> Script.ok(200, "x").delayed(30));
      t.execute(Request.get(BASE));
      assertEquals("mine", continuation.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anInterruptedExecuteAbortsAndWhatFollowsStillRunsOnACallbackThread() throws Exception {
    AtomicReference<String> lateContinuation = new AtomicReference<>();
    CountDownLatch late = new CountDownLatch(1);
    Transport t =
        transport(
            TransportConfig.builder()
                .interceptor(
                    whenExchangeEnds(
                        () -> {
                          lateContinuation.set(Thread.currentThread().getName());
                          late.countDown();
                        }))
                .build());
    engine.answering(r -> Script.silent());
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                t.execute(Request.get(BASE));
              } catch (Throwable e) {
                thrown.set(e);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              }
            },
            "blocked-caller");
    caller.start();
    assertTrue(waitFor(() -> engine.started.size() == 1));
    caller.interrupt();
    caller.join(5000);
    TransportException e = assertInstanceOf(TransportException.class, thrown.get());
    assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
    assertTrue(stillInterrupted.get(), "the interrupt status is restored");
    assertTrue(waitFor(() -> engine.aborts.get() == 1), "the exchange was aborted");
    assertTrue(late.await(5, TimeUnit.SECONDS), "the interceptor still saw the exchange end");
    assertTrue(
        lateContinuation.get().startsWith("switchboard-fake-callback-"), lateContinuation.get());
  }

  /** An interceptor that runs {@code action} where the exchange's end is observed. */
  private static Interceptor whenExchangeEnds(Runnable action) {
    return chain -> chain.proceed(chain.request()).whenComplete((r, e) -> action.run());
  }

  private static boolean waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Test
  void executeOnAnIoThreadThrowsIllegalState() throws Exception {
    Transport t = transport();
    t.execute(Request.get(BASE)); // marks the fake-io threads as I/O threads
    AtomicReference<Throwable> seen = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) { // both fake-io threads
      engine.io.execute(
          () -> {
            try {
              t.execute(Request.get(BASE));
            } catch (Throwable e) {
              seen.compareAndSet(null, e);
            } finally {
              done.countDown();
            }
          });
    }
    assertTrue(done.await(5, TimeUnit.SECONDS));
    // at least the thread that delivered the first exchange is known to be an I/O thread
    assertInstanceOf(IllegalStateException.class, seen.get());
  }

  @Test
  void sendAllKeepsRequestOrder() {
    engine.answering(
        r -> {
          String p = r.request().uri().getPath();
          return Script.ok(200, p).delayed(p.equals("/a") ? 150 : 0);
        });
    List<Response> all =
        transport()
            .sendAll(
                List.of(Request.get(BASE + "a"), Request.get(BASE + "b"), Request.get(BASE + "c")))
            .join();
    assertEquals(List.of("/a", "/b", "/c"), all.stream().map(Response::text).toList());
  }

  @Test
  void sendAllFailsFastAndCancelsTheRest() {
    engine.answering(
        r ->
            r.request().uri().getPath().equals("/bad")
                ? Script.ok(500, "boom").delayed(50)
                : Script.silent());
    long start = System.nanoTime();
    Throwable e =
        failure(
            transport()
                .sendAll(
                    List.of(
                        Request.get(BASE + "slow1"),
                        Request.get(BASE + "bad"),
                        Request.get(BASE + "slow2"))));
    assertInstanceOf(ServerErrorException.class, e);
    // the others never answer: without failing fast this would not end (bound wide for load)
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 10_000);
    eventually(() -> engine.aborts.get() == 2);
  }

  @Test
  void sendAllSettledReportsEveryOutcomeAndCancelsNothing() {
    engine.answering(
        r ->
            r.request().uri().getPath().equals("/bad")
                ? Script.ok(503, "x")
                : Script.ok(200, "ok"));
    List<Outcome> outcomes =
        transport()
            .sendAllSettled(List.of(Request.get(BASE + "a"), Request.get(BASE + "bad")))
            .join();
    assertTrue(outcomes.get(0).isSuccess());
    assertEquals("ok", outcomes.get(0).response().text());
    assertFalse(outcomes.get(1).isSuccess());
    assertInstanceOf(ServerErrorException.class, outcomes.get(1).failure());
    assertThrows(IllegalStateException.class, () -> outcomes.get(1).response());
    assertEquals(0, engine.aborts.get());
  }

  @Test
  void cancellingTheFutureAbortsTheExchange() throws Exception {
    engine.answering(r -> Script.silent());
    CompletableFuture<Response> f = transport().send(Request.get(BASE));
    Thread.sleep(50);
    assertTrue(f.cancel(true));
    assertThrows(CancellationException.class, f::join);
    assertEquals(1, engine.aborts.get());
  }

  // ------------------------------------------------------------ lifecycle

  @Test
  void closeFailsWhatIsInFlightAndLaterSends() {
    engine.answering(r -> Script.silent());
    Transport t = transport();
    CompletableFuture<Response> inFlight = t.send(Request.get(BASE));
    t.close();
    TransportException e =
        assertInstanceOf(
            TransportException.class, failure(inFlight.orTimeout(10, TimeUnit.SECONDS)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    TransportException later =
        assertInstanceOf(TransportException.class, failure(t.send(Request.get(BASE))));
    assertTrue(later.getMessage().contains("transport is closed"), later.getMessage());
    assertFalse(later.requestSent());
    assertTrue(engine.closed.get());
  }

  @Test
  void aBreakdownOfTheLibraryFailsWhatIsInFlightAndEveryLaterCallAtOnce() throws Exception {
    engine.answering(
        r ->
            r.request().uri().getPath().equals("/stream")
                ? Script.chunked(200, Headers.empty(), List.of(new byte[100], new byte[100]))
                    .stallingAfter(1)
                : Script.silent());
    Transport t = transport();
    CompletableFuture<Response> inFlight = t.send(Request.get(BASE + "silent"));
    StreamingResponse stream = t.openStream(Request.get(BASE + "stream"));
    java.io.InputStream body = stream.body();
    assertEquals(100, body.readNBytes(100).length);
    eventually(() -> engine.started.size() == 2);
    OutOfMemoryError cause = new OutOfMemoryError("killed the library's I/O thread");
    engine.breakdown.accept(cause);

    String expected = "the HTTP library under this transport stopped working";
    TransportException e =
        assertInstanceOf(
            TransportException.class, failure(inFlight.orTimeout(10, TimeUnit.SECONDS)));
    assertEquals(TransportException.class, e.getClass(), "no subtype: nothing is known of it");
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    assertSame(cause, e.getCause());
    assertTrue(e.requestSent(), "in flight: the server may have had it");
    java.io.IOException read = assertThrows(java.io.IOException.class, body::readAllBytes);
    TransportException streamed = assertInstanceOf(TransportException.class, read.getCause());
    assertTrue(streamed.getMessage().startsWith(expected), streamed.getMessage());
    eventually(() -> engine.aborts.get() == 2); // both exchanges told to stop

    // later calls fail at once, with nothing handed to the engine
    TransportException later =
        assertInstanceOf(TransportException.class, failure(t.send(Request.get(BASE))));
    assertTrue(later.getMessage().startsWith(expected), later.getMessage());
    assertSame(cause, later.getCause());
    assertFalse(later.requestSent());
    TransportException blocking =
        assertThrows(TransportException.class, () -> t.execute(Request.get(BASE)));
    assertTrue(blocking.getMessage().startsWith(expected), blocking.getMessage());
    assertThrows(TransportException.class, () -> t.openStream(Request.get(BASE)));
    assertEquals(2, engine.started.size());

    engine.breakdown.accept(new OutOfMemoryError("again")); // told twice: the first one stays
    assertSame(cause, failure(t.send(Request.get(BASE))).getCause());
    t.close(); // the engine is still closed with the transport, and the message is close's
    assertTrue(engine.closed.get());
    assertTrue(failure(t.send(Request.get(BASE))).getMessage().contains("transport is closed"));
  }

  /**
   * A broken library refuses what it is handed next as "closed" (HC5's dead reactor: aborting one
   * exchange gives its pooled connection to the next, whose connect is refused at once): that is
   * the breakdown too, not a close of the user's.
   */
  @Test
  void anExchangeTheBrokenLibraryRefusesAsClosedFailsWithTheBreakdown() {
    List<dev.switchboard.spi.ExchangeListener> live =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicReference<java.util.function.Consumer<Throwable>> breakdown = new AtomicReference<>();
    dev.switchboard.spi.TransportEngine refusing =
        new dev.switchboard.spi.TransportEngine() {
          @Override
          public String name() {
            return "refusing";
          }

          @Override
          public java.util.Set<Capability> capabilities() {
            return java.util.Set.of();
          }

          @Override
          public dev.switchboard.spi.Exchange start(
              dev.switchboard.spi.ExchangeRequest request,
              dev.switchboard.spi.ExchangeListener listener) {
            live.add(listener);
            return new dev.switchboard.spi.Exchange() {
              @Override
              public void request(long n) {}

              @Override
              public void abort() { // the others, refused at once by the broken library
                live.remove(listener);
                for (dev.switchboard.spi.ExchangeListener other : live) {
                  live.remove(other);
                  other.onFailure(
                      dev.switchboard.spi.Fault.CLOSED,
                      new IllegalStateException("I/O reactor has been shut down"));
                }
              }
            };
          }

          @Override
          public void onBreakdown(java.util.function.Consumer<Throwable> b) {
            breakdown.set(b);
          }

          @Override
          public void close() {}
        };
    Transport t = Transports.wrap(refusing, TransportConfig.defaults());
    transport = t;
    CompletableFuture<Response> a = t.send(Request.get(BASE + "a"));
    CompletableFuture<Response> b = t.send(Request.get(BASE + "b"));
    eventually(() -> live.size() == 2);
    OutOfMemoryError cause = new OutOfMemoryError("simulated");
    breakdown.get().accept(cause);
    for (CompletableFuture<Response> f : List.of(a, b)) {
      TransportException e =
          assertInstanceOf(TransportException.class, failure(f.orTimeout(10, TimeUnit.SECONDS)));
      assertTrue(
          e.getMessage().startsWith("the HTTP library under this transport stopped working"),
          e.getMessage());
      assertSame(cause, e.getCause());
    }
  }

  /**
   * A caller that closes the transport (and then its tracer) as soon as it has the answer: the
   * call's end, told on the completing thread after the caller's continuation, is told by close()
   * at the latest.
   */
  @Test
  void closeTellsTheEndOfACallWhoseCallerAlreadyHasTheAnswer() {
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    EventListener listener =
        new EventListener() {
          @Override
          public void callEnd(CallEvent call, int status) {
            told.add("end " + status);
          }
        };
    Transport t = transport(TransportConfig.builder().eventListener(listener).build());
    CompletableFuture<List<String>> seenAfterClose =
        t.send(Request.get(BASE))
            .thenApply( // attached after the transport's own: runs before it
                r -> {
                  t.close();
                  return List.copyOf(told);
                });
    assertEquals(List.of("end 200"), seenAfterClose.orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(List.of("end 200"), told, "told once");
  }

  @Test
  void noCallbackThreadIsLeftWhenCloseReturns() {
    Transport t = transport();
    for (int i = 0; i < 20; i++) {
      t.sendAll(List.of(Request.get(BASE), Request.get(BASE), Request.get(BASE))).join();
    }
    t.close();
    List<String> left =
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(n -> n.startsWith("switchboard-fake-callback-"))
            .toList();
    assertEquals(List.of(), left);
  }

  @Test
  void closeOnACallbackThreadDoesNotWaitForItself() {
    Transport t = transport();
    // close() waits up to 1 s for the callback threads to end: timed alone, not with the send
    engine.gate = new CountDownLatch(1); // the answer waits until the continuation is attached
    CompletableFuture<Long> closing =
        t.send(Request.get(BASE))
            .thenApply(
                r -> {
                  long start = System.nanoTime();
                  t.close();
                  return Duration.ofNanos(System.nanoTime() - start).toMillis();
                });
    engine.gate.countDown();
    long took = closing.join();
    assertTrue(took < 900, "close() on a callback thread took " + took + " ms");
  }

  @Test
  void aRelativeUriIsRefusedWithAClearMessage() {
    TransportException e =
        assertInstanceOf(
            TransportException.class,
            failure(transport().send(Request.get(URI.create("/_cluster/health")))));
    assertTrue(e.getMessage().contains("absolute"), e.getMessage());
  }

  @Test
  void anEngineReportingAFailureSynchronouslyDoesNotMakeTheCallerAnIoThread() {
    FakeEngine synchronous =
        new FakeEngine() {
          @Override
          public dev.switchboard.spi.Exchange start(
              dev.switchboard.spi.ExchangeRequest request,
              dev.switchboard.spi.ExchangeListener listener) {
            listener.onFailure(new ConnectionException("refused", request.request(), "fake", null));
            return new dev.switchboard.spi.Exchange() {
              @Override
              public void request(long n) {}

              @Override
              public void abort() {}
            };
          }
        };
    try (Transport t = Transports.wrap(synchronous, TransportConfig.defaults())) {
      assertThrows(ConnectionException.class, () -> t.execute(Request.get(BASE)));
      assertThrows(ConnectionException.class, () -> t.execute(Request.get(BASE)));
    }
  }

  @Test
  void anEngineThatThrowsFromStartBecomesATransportException() {
    FakeEngine throwing =
        new FakeEngine() {
          @Override
          public dev.switchboard.spi.Exchange start(
              dev.switchboard.spi.ExchangeRequest request,
              dev.switchboard.spi.ExchangeListener listener) {
            throw new IllegalArgumentException("library said no");
          }
        };
    try (Transport t = Transports.wrap(throwing, TransportConfig.defaults())) {
      TransportException e =
          assertInstanceOf(TransportException.class, failure(t.send(Request.get(BASE))));
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }
  }

  // ------------------------------------------------------------ interceptors

  @Test
  void interceptorsRunInOrderRewriteRequestAndResponseAndSeeFailures() {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Interceptor first =
        chain -> {
          order.add("first");
          return chain
              .proceed(chain.request().toBuilder().header("X-First", "1").build())
              .whenComplete((r, e) -> failures.add(e));
        };
    Interceptor second =
        chain -> {
          order.add("second");
          return chain
              .proceed(chain.request())
              .thenApply(
                  r ->
                      r.toBuilder()
                          .headers(Headers.of("X-Seen", chain.request().header("X-First")))
                          .build());
        };
    Transport t =
        transport(TransportConfig.builder().interceptor(first).interceptor(second).build());
    Response r = t.execute(Request.get(BASE));
    assertEquals(List.of("first", "second"), order);
    assertEquals("1", engine.last().request().header("X-First"));
    assertEquals("1", r.header("X-Seen"));
    engine.answering(req -> Script.ok(500, "x"));
    assertThrows(ServerErrorException.class, () -> t.execute(Request.get(BASE)));
    Throwable seen = failures.get(failures.size() - 1);
    assertInstanceOf(
        ServerErrorException.class, seen instanceof CompletionException ? seen.getCause() : seen);
  }

  @Test
  void anInterceptorThatThrowsFailsTheCallWithATransportException() {
    Transport t =
        transport(
            TransportConfig.builder()
                .interceptor(
                    chain -> {
                      throw new IllegalStateException("bug");
                    })
                .build());
    TransportException e =
        assertInstanceOf(TransportException.class, failure(t.send(Request.get(BASE))));
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void retryPolicyAsAnInterceptorRetriesWhatIsSafe() {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    engine.answering(
        r ->
            n.incrementAndGet() < 3
                ? Script.fail(new ConnectionException("refused", r.request(), "fake", null))
                : Script.ok(200, "third time"));
    Transport t =
        transport(
            TransportConfig.builder()
                .interceptor(RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).build())
                .build());
    assertEquals("third time", t.execute(Request.post(BASE, Body.of("x", "text/plain"))).text());
    assertEquals(3, engine.started.size());
  }
}
