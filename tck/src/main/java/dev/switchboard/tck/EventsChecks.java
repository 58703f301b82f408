package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.AttemptEvent;
import dev.switchboard.CallEvent;
import dev.switchboard.Capability;
import dev.switchboard.ConnectionException;
import dev.switchboard.EventListener;
import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.RetryPolicy;
import dev.switchboard.ServerErrorException;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Area {@code events}: the {@link EventListener} sees the same events in the same order on every
 * transport, for a plain call, a failure, an error status, a redirect, a stale-connection resend, a
 * retry and a stream; its headers reach the server; a listener that throws changes nothing; the
 * events of concurrent calls stay apart.
 *
 * <p>The recorder writes each call's events as lines, such as {@code attemptStart 2 REDIRECT
 * /target}. {@code connectionAcquired} is recorded apart: it is the one event a transport may lack
 * ({@link Capability#CONNECTION_EVENTS}).
 */
final class EventsChecks {
  private final TckContext ctx;

  EventsChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  /** Records every event, per call, as lines. */
  static final class Recorder implements EventListener {
    final Map<CallEvent, List<String>> calls = new ConcurrentHashMap<>();
    final Map<CallEvent, TransportException> failures = new ConcurrentHashMap<>();
    final List<String> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger callsEnded = new AtomicInteger();

    private void add(CallEvent call, String line) {
      calls
          .computeIfAbsent(call, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(line);
    }

    @Override
    public void callStart(CallEvent call) {
      add(call, "callStart " + call.request().method() + " " + call.request().uri().getPath());
    }

    @Override
    public void attemptStart(AttemptEvent a) {
      add(
          a.call(),
          "attemptStart " + a.number() + " " + a.reason() + " " + a.request().uri().getPath());
    }

    @Override
    public void connectionAcquired(AttemptEvent a, boolean reused) {
      connections.add(a.request().uri().getPath() + (reused ? " reused" : " new"));
    }

    @Override
    public void requestSent(AttemptEvent a) {
      add(a.call(), "requestSent " + a.number());
    }

    @Override
    public void responseHeaders(AttemptEvent a, int status, Headers headers) {
      add(a.call(), "responseHeaders " + a.number() + " " + status);
    }

    @Override
    public void responseBodyEnd(AttemptEvent a, long bytes) {
      add(a.call(), "responseBodyEnd " + a.number() + " " + bytes);
    }

    @Override
    public void attemptFailed(AttemptEvent a, TransportException failure) {
      add(a.call(), "attemptFailed " + a.number() + " " + failure.getClass().getSimpleName());
    }

    @Override
    public void callEnd(CallEvent call, int status) {
      add(call, "callEnd " + status);
      callsEnded.incrementAndGet();
    }

    @Override
    public void callFailed(CallEvent call, TransportException failure) {
      failures.put(call, failure);
      add(call, "callFailed " + failure.getClass().getSimpleName());
      callsEnded.incrementAndGet();
    }

    /** Waits (up to 10 s) until {@code n} calls have ended. */
    void awaitEnded(int n) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (callsEnded.get() < n && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertTrue(
          callsEnded.get() >= n,
          "calls whose end the listener was told within 10 s: " + callsEnded.get() + " of " + n);
    }

    /** The lines of the one call of {@code path}. */
    List<String> of(String path) {
      List<List<String>> found = new ArrayList<>();
      calls.forEach(
          (c, lines) -> {
            if (c.request().uri().getPath().equals(path)) {
              found.add(lines);
            }
          });
      assertEquals(1, found.size(), "calls of " + path + " the listener was told of");
      synchronized (found.get(0)) {
        return List.copyOf(found.get(0));
      }
    }

    CallEvent call(String path) {
      return calls.keySet().stream()
          .filter(c -> c.request().uri().getPath().equals(path))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no call of " + path + " was told"));
    }
  }

  private Transport withRecorder(Recorder r) {
    return ctx.transport(b -> b.eventListener(r));
  }

  private RawServer answering(int status, String body) throws Exception {
    return ctx.raw((req, conn) -> conn.respond(status, body));
  }

  /** A GET answered 200: each step once, in order, with the body's size. */
  void plainCall() throws Exception {
    RawServer server = answering(200, "hello events");
    Recorder rec = new Recorder();
    Transport t = withRecorder(rec);
    assertEquals("hello events", ok(t.send(Request.get(server.uri("/plain")))).text());
    rec.awaitEnded(1);
    assertEquals(
        List.of(
            "callStart GET /plain",
            "attemptStart 1 INITIAL /plain",
            "requestSent 1",
            "responseHeaders 1 200",
            "responseBodyEnd 1 12",
            "callEnd 200"),
        rec.of("/plain"),
        "the events of a plain GET");
  }

  /** A refused connection: the attempt and the call fail with the exception the caller gets. */
  void failure() throws Exception {
    Recorder rec = new Recorder();
    Transport t = withRecorder(rec);
    URI refused = URI.create("http://127.0.0.1:" + ErrorsChecks.freePort() + "/refused");
    Throwable thrown = TckContext.failure(t.send(Request.get(refused)), ConnectionException.class);
    rec.awaitEnded(1);
    assertEquals(
        List.of(
            "callStart GET /refused",
            "attemptStart 1 INITIAL /refused",
            "attemptFailed 1 ConnectionException",
            "callFailed ConnectionException"),
        rec.of("/refused"),
        "the events of a refused connection");
    assertSame(
        thrown,
        rec.failures.get(rec.call("/refused")),
        "callFailed must carry the exception the caller got");
  }

  /** A 500: a whole response for the attempt, a failed call for the caller. */
  void errorStatus() throws Exception {
    RawServer server = answering(500, "broken");
    Recorder rec = new Recorder();
    Transport t = withRecorder(rec);
    TckContext.failure(t.send(Request.get(server.uri("/error"))), ServerErrorException.class);
    rec.awaitEnded(1);
    assertEquals(
        List.of(
            "callStart GET /error",
            "attemptStart 1 INITIAL /error",
            "requestSent 1",
            "responseHeaders 1 500",
            "responseBodyEnd 1 6",
            "callFailed ServerErrorException"),
        rec.of("/error"),
        "the events of a GET answered 500");
  }

  /** A followed redirect is the call's second attempt, with the target's request. */
  void redirect() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/from")) {
                conn.respond(302, "", "Location", "/to");
              } else {
                conn.respond(200, "arrived");
              }
            });
    Recorder rec = new Recorder();
    Transport t = ctx.transport(b -> b.eventListener(rec).followRedirects(true));
    assertEquals("arrived", ok(t.send(Request.get(server.uri("/from")))).text());
    rec.awaitEnded(1);
    assertEquals(
        List.of(
            "callStart GET /from",
            "attemptStart 1 INITIAL /from",
            "requestSent 1",
            "responseHeaders 1 302",
            "responseBodyEnd 1 0",
            "attemptStart 2 REDIRECT /to",
            "requestSent 2",
            "responseHeaders 2 200",
            "responseBodyEnd 2 7",
            "callEnd 200"),
        rec.of("/from"),
        "the events of a redirected GET");
    assertEquals(2, server.requestCount(), "requests the server received: one per attempt");
  }

  /**
   * A GET on a pooled connection the server closed: the failed attempt, then a resend told as such,
   * and exactly as many arrivals as attempts.
   */
  void staleConnectionResend() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.indexOnConnection() == 0) {
                conn.respond(200, "fresh");
              } else {
                conn.close();
              }
            });
    Recorder rec = new Recorder();
    Transport t = withRecorder(rec);
    ok(t.send(Request.get(server.uri("/warm"))));
    assertEquals("fresh", ok(t.send(Request.get(server.uri("/stale")))).text());
    rec.awaitEnded(2);
    assertEquals(
        List.of(
            "callStart GET /stale",
            "attemptStart 1 INITIAL /stale",
            "attemptFailed 1 StaleConnectionException",
            "attemptStart 2 STALE_CONNECTION /stale",
            "requestSent 2",
            "responseHeaders 2 200",
            "responseBodyEnd 2 5",
            "callEnd 200"),
        withoutSent(rec.of("/stale"), 1),
        "the events of a GET resent after a stale connection");
    Thread.sleep(200);
    long arrivals = server.requests().stream().filter(r -> r.path().equals("/stale")).count();
    assertEquals(2, arrivals, "arrivals of the GET: one per attempt the listener was told of");
  }

  /**
   * The stale attempt's {@code requestSent} depends on how far the library got before the server
   * closed; the line is taken out where it is allowed, so that the rest can be compared exactly.
   */
  private static List<String> withoutSent(List<String> lines, int attempt) {
    List<String> out = new ArrayList<>(lines);
    out.remove("requestSent " + attempt);
    return out;
  }

  /** A 503 retried by {@link RetryPolicy}: a second attempt told as a retry, once per arrival. */
  void retry() throws Exception {
    AtomicInteger n = new AtomicInteger();
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (n.incrementAndGet() == 1) {
                conn.respond(503, "busy");
              } else {
                conn.respond(200, "done");
              }
            });
    Recorder rec = new Recorder();
    RetryPolicy retry = RetryPolicy.builder().baseDelay(Duration.ofMillis(10)).build();
    Transport t = ctx.transport(b -> b.eventListener(rec).interceptor(retry));
    assertEquals("done", ok(t.send(Request.get(server.uri("/retried")))).text());
    rec.awaitEnded(1);
    assertEquals(
        List.of(
            "callStart GET /retried",
            "attemptStart 1 INITIAL /retried",
            "requestSent 1",
            "responseHeaders 1 503",
            "responseBodyEnd 1 4",
            "attemptStart 2 RETRY /retried",
            "requestSent 2",
            "responseHeaders 2 200",
            "responseBodyEnd 2 4",
            "callEnd 200"),
        rec.of("/retried"),
        "the events of a GET retried after a 503");
    assertEquals(2, server.requestCount(), "requests the server received: one per attempt");
  }

  /**
   * A stream read to its end: the body's end is told, then the call's end, after the consumer read
   * it; a stream closed early ends its call without a failure and without a body end.
   */
  void streaming() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/whole")) {
                conn.respond(200, "x".repeat(100_000));
              } else {
                conn.head(200, "Content-Length", "1000000");
                conn.writeRaw(new byte[1000]);
                conn.holdUntilClientCloses();
              }
            });
    Recorder rec = new Recorder();
    Transport t = withRecorder(rec);
    try (StreamingResponse s = t.openStream(Request.get(server.uri("/whole")))) {
      InputStream in = s.body();
      assertEquals(100_000, in.readAllBytes().length, "bytes streamed");
    }
    rec.awaitEnded(1);
    assertEquals(
        List.of(
            "callStart GET /whole",
            "attemptStart 1 INITIAL /whole",
            "requestSent 1",
            "responseHeaders 1 200",
            "responseBodyEnd 1 100000",
            "callEnd 200"),
        rec.of("/whole"),
        "the events of a stream read to its end");
    try (StreamingResponse s = t.openStream(Request.get(server.uri("/early")))) {
      assertEquals(0, s.body().read(), "the first byte of the stream");
    }
    rec.awaitEnded(2);
    assertEquals(
        List.of(
            "callStart GET /early",
            "attemptStart 1 INITIAL /early",
            "requestSent 1",
            "responseHeaders 1 200",
            "callEnd 200"),
        rec.of("/early"),
        "the events of a stream closed before its end (an end, not a failure)");
  }

  /**
   * A header the listener sets in {@code attemptStart} reaches the server on every attempt, with
   * that attempt's value.
   */
  void listenerHeadersSent() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/traced")) {
                conn.respond(307, "", "Location", "/traced-target");
              } else {
                conn.respond(200, "ok");
              }
            });
    EventListener tracing =
        new EventListener() {
          @Override
          public void attemptStart(AttemptEvent attempt) {
            attempt.setHeader("X-Attempt", "attempt-" + attempt.number());
          }
        };
    Transport t = ctx.transport(b -> b.eventListener(tracing).followRedirects(true));
    ok(t.send(Request.get(server.uri("/traced"))));
    List<RawServer.RawRequest> seen = server.requests();
    assertEquals(2, seen.size(), "requests the server received");
    assertEquals("attempt-1", seen.get(0).header("X-Attempt"), "the first attempt's header");
    assertEquals("attempt-2", seen.get(1).header("X-Attempt"), "the redirect's header");
    assertEquals(1, seen.get(1).all("X-Attempt").size(), "X-Attempt fields on the redirect");
  }

  /**
   * A listener that throws from every event changes nothing: the same response, the same typed
   * failure, and a listener beside it (through {@link EventListener#all}) still told everything.
   */
  void listenerThrows() throws Exception {
    RawServer server = answering(200, "unchanged");
    EventListener throwing =
        new EventListener() {
          @Override
          public void callStart(CallEvent call) {
            throw new IllegalStateException("listener bug in callStart");
          }

          @Override
          public void attemptStart(AttemptEvent attempt) {
            throw new IllegalStateException("listener bug in attemptStart");
          }

          @Override
          public void connectionAcquired(AttemptEvent attempt, boolean reused) {
            throw new IllegalStateException("listener bug in connectionAcquired");
          }

          @Override
          public void requestSent(AttemptEvent attempt) {
            throw new IllegalStateException("listener bug in requestSent");
          }

          @Override
          public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
            throw new IllegalStateException("listener bug in responseHeaders");
          }

          @Override
          public void responseBodyEnd(AttemptEvent attempt, long bytes) {
            throw new IllegalStateException("listener bug in responseBodyEnd");
          }

          @Override
          public void attemptFailed(AttemptEvent attempt, TransportException failure) {
            throw new IllegalStateException("listener bug in attemptFailed");
          }

          @Override
          public void callEnd(CallEvent call, int status) {
            throw new IllegalStateException("listener bug in callEnd");
          }

          @Override
          public void callFailed(CallEvent call, TransportException failure) {
            throw new IllegalStateException("listener bug in callFailed");
          }
        };
    Recorder rec = new Recorder();
    Transport t = ctx.transport(b -> b.eventListener(EventListener.all(throwing, rec)));
    // the throwing is on purpose: its WARNING (and stack trace) would only be noise in the kit's
    // output, so the JDK's logging, where it is the backend, is quiet for this check
    java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.switchboard");
    java.util.logging.Level level = log.getLevel();
    log.setLevel(java.util.logging.Level.OFF);
    try {
      throwingListenerChangesNothing(t, server, rec);
    } finally {
      log.setLevel(level);
    }
  }

  private static void throwingListenerChangesNothing(Transport t, RawServer server, Recorder rec)
      throws Exception {
    Response r = ok(t.send(Request.get(server.uri("/throws"))));
    assertEquals(200, r.status(), "status with a throwing listener");
    assertEquals("unchanged", r.text(), "body with a throwing listener");
    try (StreamingResponse s = t.openStream(Request.get(server.uri("/throws-stream")))) {
      assertEquals("unchanged", new String(s.body().readAllBytes()), "a stream's body");
    }
    URI refused = URI.create("http://127.0.0.1:" + ErrorsChecks.freePort() + "/throws-refused");
    TckContext.failure(t.send(Request.get(refused)), ConnectionException.class);
    assertEquals("unchanged", t.execute(Request.get(server.uri("/throws-blocking"))).text());
    rec.awaitEnded(4);
    assertEquals(6, rec.of("/throws").size(), "events told beside the throwing listener");
    assertEquals(
        "callFailed ConnectionException",
        last(rec.of("/throws-refused")),
        "the last event of the refused call beside the throwing listener");
  }

  /**
   * Where the transport declares {@link Capability#CONNECTION_EVENTS}: a first GET on a new
   * connection, a second one on the pooled one. Where it does not, the event never comes.
   */
  void connectionReuse() throws Exception {
    RawServer server = answering(200, "pooled");
    Recorder rec = new Recorder();
    Transport t = withRecorder(rec);
    ok(t.send(Request.get(server.uri("/first"))));
    ok(t.send(Request.get(server.uri("/second"))));
    rec.awaitEnded(2);
    assertEquals(1, server.connections(), "connections the server accepted for two GETs");
    if (!ctx.has(Capability.CONNECTION_EVENTS)) {
      assertEquals(
          List.of(), rec.connections, "connectionAcquired without CONNECTION_EVENTS declared");
      ctx.alternativeVerified(
          "CONNECTION_EVENTS not declared: no connectionAcquired event comes; the other events"
              + " are told in full");
      return;
    }
    assertEquals(
        List.of("/first new", "/second reused"), rec.connections, "connectionAcquired events");
    List<String> second = rec.of("/second");
    assertEquals(
        "attemptStart 1 INITIAL /second", second.get(1), "the event before the connection");
    assertEquals("requestSent 1", second.get(2), "the event after the connection");
  }

  /**
   * 24 calls at once: each call's events complete, in order and told with its own call (a
   * listener's state kept in the call stays its own).
   */
  void concurrentCallsKeptApart() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              conn.pause(20);
              conn.respond(200, req.path());
            });
    Recorder rec = new Recorder();
    List<String> mixed = new java.util.concurrent.CopyOnWriteArrayList<>();
    EventListener owner =
        new EventListener() {
          @Override
          public void callStart(CallEvent call) {
            call.put(String.class, call.request().uri().getPath());
          }

          @Override
          public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
            String mine = attempt.call().get(String.class);
            if (!attempt.request().uri().getPath().equals(mine)) {
              mixed.add(attempt.request().uri().getPath() + " told with the state of " + mine);
            }
          }
        };
    Transport t = ctx.transport(b -> b.eventListener(EventListener.all(owner, rec)));
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      all.add(t.send(Request.get(server.uri("/c" + i))));
    }
    for (int i = 0; i < 24; i++) {
      assertEquals("/c" + i, ok(all.get(i)).text(), "body of call " + i);
    }
    rec.awaitEnded(24);
    for (int i = 0; i < 24; i++) {
      String p = "/c" + i;
      assertEquals(
          List.of(
              "callStart GET " + p,
              "attemptStart 1 INITIAL " + p,
              "requestSent 1",
              "responseHeaders 1 200",
              "responseBodyEnd 1 " + p.length(),
              "callEnd 200"),
          rec.of(p),
          "the events of concurrent call " + p);
    }
    assertEquals(List.of(), mixed, "attempts told with another call's state");
  }

  private static String last(List<String> lines) {
    assertNotNull(lines);
    return lines.get(lines.size() - 1);
  }
}
