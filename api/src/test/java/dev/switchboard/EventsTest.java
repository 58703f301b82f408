package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.FakeEngine.Script;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The layer's events over the fake engine: order, attempts, a listener that throws, the log. */
class EventsTest {
  private static final String BASE = "http://127.0.0.1:9/";
  private final FakeEngine engine = new FakeEngine();
  private final Recorder events = new Recorder();
  private Transport transport;

  private Transport transport(TransportConfig.Builder config) {
    transport = Transports.wrap(engine, config.eventListener(events).build());
    return transport;
  }

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
  }

  /** Writes each event as a line, in the order they came. */
  static final class Recorder implements EventListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final AtomicReference<TransportException> failed = new AtomicReference<>();

    @Override
    public void callStart(CallEvent call) {
      lines.add("callStart " + call.request().method());
    }

    @Override
    public void attemptStart(AttemptEvent a) {
      lines.add(
          "attemptStart " + a.number() + " " + a.reason() + " " + a.request().uri().getPath());
    }

    @Override
    public void connectionAcquired(AttemptEvent a, boolean reused) {
      lines.add("connectionAcquired " + a.number() + (reused ? " reused" : " new"));
    }

    @Override
    public void requestSent(AttemptEvent a) {
      lines.add("requestSent " + a.number());
    }

    @Override
    public void responseHeaders(AttemptEvent a, int status, Headers headers) {
      lines.add("responseHeaders " + a.number() + " " + status);
    }

    @Override
    public void responseBodyEnd(AttemptEvent a, long bytes) {
      lines.add("responseBodyEnd " + a.number() + " " + bytes);
    }

    @Override
    public void attemptFailed(AttemptEvent a, TransportException failure) {
      lines.add("attemptFailed " + a.number() + " " + failure.getClass().getSimpleName());
    }

    @Override
    public void callEnd(CallEvent call, int status) {
      lines.add("callEnd " + status);
    }

    @Override
    public void callFailed(CallEvent call, TransportException failure) {
      failed.set(failure);
      lines.add("callFailed " + failure.getClass().getSimpleName());
    }

    /** The lines, once the call's last event has come (up to 5 s). */
    List<String> whenEnded() {
      LayeredTransportTest.eventually(
          () -> !lines.isEmpty() && lines.get(lines.size() - 1).startsWith("call"));
      return List.copyOf(lines);
    }
  }

  @Test
  void aPlainCallTellsEachStepInOrder() {
    engine.answering(r -> Script.ok(200, "hello"));
    transport(TransportConfig.builder()).execute(Request.get(BASE + "a"));
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /a",
            "requestSent 1",
            "responseHeaders 1 200",
            "responseBodyEnd 1 5",
            "callEnd 200"),
        events.whenEnded());
  }

  @Test
  void aFailedCallEndsWithTheExceptionItsCallerGets() {
    ConnectionException refused =
        new ConnectionException("refused", Request.get(BASE), "fake", null);
    engine.answering(r -> Script.fail(refused));
    Throwable thrown =
        assertThrows(
                CompletionException.class,
                () -> transport(TransportConfig.builder()).send(Request.get(BASE + "b")).join())
            .getCause();
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /b",
            "attemptFailed 1 ConnectionException",
            "callFailed ConnectionException"),
        events.whenEnded());
    assertSame(thrown, events.failed.get());
  }

  @Test
  void anErrorStatusIsAResponseThenAFailedCall() {
    engine.answering(r -> Script.ok(503, "busy"));
    Transport t = transport(TransportConfig.builder());
    assertThrows(ServerErrorException.class, () -> t.execute(Request.get(BASE + "c")));
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /c",
            "requestSent 1",
            "responseHeaders 1 503",
            "responseBodyEnd 1 4",
            "callFailed ServerErrorException"),
        events.whenEnded());
  }

  @Test
  void aRedirectAndARetryAreAttemptsOfTheSameCall() {
    AtomicInteger n = new AtomicInteger();
    engine.answering(
        r ->
            switch (n.incrementAndGet()) {
              case 1, 3 -> Script.status(302, Headers.of("Location", "/moved"), new byte[0]);
              case 2 -> Script.ok(503, "busy");
              default -> Script.ok(200, "ok");
            });
    RetryPolicy retry = RetryPolicy.builder().baseDelay(java.time.Duration.ofMillis(1)).build();
    transport(TransportConfig.builder().followRedirects(true).interceptor(retry))
        .execute(Request.get(BASE + "d"));
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /d",
            "requestSent 1",
            "responseHeaders 1 302",
            "responseBodyEnd 1 0",
            "attemptStart 2 REDIRECT /moved",
            "requestSent 2",
            "responseHeaders 2 503",
            "responseBodyEnd 2 4",
            "attemptStart 3 RETRY /d",
            "requestSent 3",
            "responseHeaders 3 302",
            "responseBodyEnd 3 0",
            "attemptStart 4 REDIRECT /moved",
            "requestSent 4",
            "responseHeaders 4 200",
            "responseBodyEnd 4 2",
            "callEnd 200"),
        events.whenEnded());
  }

  @Test
  void aStaleConnectionResendIsItsOwnAttempt() {
    AtomicInteger n = new AtomicInteger();
    engine.answering(
        r ->
            n.incrementAndGet() == 1
                ? Script.fail(new StaleConnectionException("stale", r.request(), "fake", null))
                : Script.ok(200, "ok"));
    transport(TransportConfig.builder()).execute(Request.get(BASE + "e"));
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /e",
            "attemptFailed 1 StaleConnectionException",
            "attemptStart 2 STALE_CONNECTION /e",
            "requestSent 2",
            "responseHeaders 2 200",
            "responseBodyEnd 2 2",
            "callEnd 200"),
        events.whenEnded());
  }

  @Test
  void aListenerThatThrowsChangesNothing() {
    List<String> seen = new CopyOnWriteArrayList<>();
    EventListener throwing =
        new EventListener() {
          @Override
          public void callStart(CallEvent call) {
            seen.add("callStart");
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void attemptStart(AttemptEvent attempt) {
            throw new Error("listener error");
          }

          @Override
          public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
            throw new IllegalStateException("listener bug");
          }

          @Override
          public void callEnd(CallEvent call, int status) {
            seen.add("callEnd " + status);
            throw new IllegalStateException("listener bug");
          }
        };
    engine.answering(r -> Script.ok(200, "fine"));
    transport =
        Transports.wrap(
            engine,
            TransportConfig.builder().eventListener(EventListener.all(throwing, events)).build());
    Response r = transport.execute(Request.get(BASE + "f"));
    assertEquals("fine", r.text());
    assertEquals(6, events.whenEnded().size(), "the second listener still got every event");
    LayeredTransportTest.eventually(() -> seen.size() == 2);
    assertEquals(List.of("callStart", "callEnd 200"), seen);
  }

  @Test
  void aListenerSetsHeadersOnTheAttemptOnlyWhileItStarts() {
    AtomicReference<AttemptEvent> kept = new AtomicReference<>();
    EventListener tracing =
        new EventListener() {
          @Override
          public void attemptStart(AttemptEvent attempt) {
            attempt.setHeader("traceparent", "00-" + attempt.number());
            kept.set(attempt);
          }
        };
    transport = Transports.wrap(engine, TransportConfig.builder().eventListener(tracing).build());
    transport.execute(Request.get(BASE + "g"));
    assertEquals("00-1", engine.last().request().header("traceparent"));
    assertEquals("00-1", kept.get().request().header("traceparent"));
    IllegalStateException late =
        assertThrows(IllegalStateException.class, () -> kept.get().setHeader("x", "y"));
    assertTrue(late.getMessage().contains("attemptStart only"), late.getMessage());
  }

  @Test
  void theCallCarriesTheRequestsTagAndTheListenersState() {
    record Operation(String name) {}
    List<String> seen = new ArrayList<>();
    EventListener timing =
        new EventListener() {
          @Override
          public void callStart(CallEvent call) {
            call.put(Long.class, 42L);
          }

          @Override
          public void callEnd(CallEvent call, int status) {
            synchronized (seen) {
              seen.add(call.tag(Operation.class).name() + " " + call.get(Long.class));
            }
          }
        };
    transport = Transports.wrap(engine, TransportConfig.builder().eventListener(timing).build());
    transport.execute(
        Request.builder("GET", BASE + "h").tag(Operation.class, new Operation("health")).build());
    LayeredTransportTest.eventually(
        () -> {
          synchronized (seen) {
            return seen.size() == 1;
          }
        });
    assertEquals(List.of("health 42"), seen);
  }

  @Test
  void aStreamClosedBeforeItsEndEndsTheCallWithoutAFailure() throws Exception {
    engine.answering(
        r ->
            Script.chunked(
                    200, Headers.empty(), List.of(new byte[100], new byte[100], new byte[100]))
                .stallingAfter(1));
    Transport t = transport(TransportConfig.builder());
    try (StreamingResponse s = t.openStream(Request.get(BASE + "i"))) {
      InputStream in = s.body();
      assertEquals(0, in.read());
    }
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /i",
            "requestSent 1",
            "responseHeaders 1 200",
            "callEnd 200"),
        events.whenEnded());
  }

  @Test
  void aStreamReadToItsEndEndsTheCallAfterItsBody() throws Exception {
    engine.answering(
        r -> Script.chunked(200, Headers.empty(), List.of(new byte[100], new byte[50])));
    Transport t = transport(TransportConfig.builder());
    try (StreamingResponse s = t.openStream(Request.get(BASE + "j"))) {
      assertEquals(150, s.body().readAllBytes().length);
    }
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /j",
            "requestSent 1",
            "responseHeaders 1 200",
            "responseBodyEnd 1 150",
            "callEnd 200"),
        events.whenEnded());
  }

  @Test
  void nothingOfAnAttemptIsToldAfterItsEndNorOfACallAfterItsEnd() {
    Layer layer = new Layer(engine, TransportConfig.builder().eventListener(events).build());
    CallEvents call = new Call(layer, Request.get(BASE + "k"), Runnable::run, false).events;
    call.callStart();
    AttemptEvent a = call.attemptStart(Request.get(BASE + "k"), AttemptEvent.Reason.RETRY);
    call.attemptFailed(a, new TransportException("timed out", null, "fake", true, null));
    // an engine's late report, racing the failure that ended the attempt
    call.requestSent(a);
    call.responseHeaders(a, 200, Headers.empty());
    call.responseBodyEnd(a, 2);
    call.callFailed(new TransportException("timed out", null, "fake", true, null));
    call.callEnd(200);
    assertEquals(
        List.of(
            "callStart GET",
            "attemptStart 1 INITIAL /k",
            "attemptFailed 1 TransportException",
            "callFailed TransportException"),
        events.lines);
    engine.close();
  }

  @Test
  void withoutAListenerOrTheLogACallCarriesNoEvents() {
    Layer layer = new Layer(engine, TransportConfig.defaults());
    Call call = new Call(layer, Request.get(BASE), Runnable::run, false);
    assertSame(CallEvents.OFF, call.events);
    engine.close();
  }

  @Test
  void theWireLogWritesOneDebugLinePerAttemptAndRedactsCredentialsAtTrace() {
    Logger jul = Logger.getLogger("dev.switchboard");
    Level before = jul.getLevel();
    List<LogRecord> records = new CopyOnWriteArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    h.setLevel(Level.ALL);
    jul.setLevel(Level.ALL);
    jul.addHandler(h);
    try {
      engine.answering(
          r ->
              Script.status(
                  200,
                  Headers.of("Set-Cookie", "session=s3cr3t", "Content-Type", "text/plain"),
                  "ok".getBytes(StandardCharsets.UTF_8)));
      transport =
          Transports.wrap(engine, TransportConfig.builder().redactHeader("X-Api-Key").build());
      transport.execute(
          Request.builder("GET", "http://user:pw@127.0.0.1:9/log")
              .header("Authorization", "Bearer t0k3n")
              .header("X-Api-Key", "k3y")
              .header("X-Visible", "shown")
              .build());
      LayeredTransportTest.eventually(
          () -> records.stream().anyMatch(r -> r.getLevel() == Level.FINE));
      String all =
          String.join(
              "\n", records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
      assertTrue(
          all.contains("FINE GET http://<redacted>@127.0.0.1:9/log -> 200 (2 bytes) in "), all);
      assertTrue(all.contains("attempt 1, fake"), all);
      assertTrue(all.contains("X-Visible: shown"), all);
      assertTrue(all.contains("Content-Type: text/plain"), all);
      for (String secret : List.of("t0k3n", "k3y", "s3cr3t", "pw@")) {
        assertTrue(!all.contains(secret), secret + " was logged:\n" + all);
      }
      assertTrue(
          records.stream().allMatch(r -> r.getLevel().intValue() <= Level.FINE.intValue()),
          "nothing above DEBUG on success:\n" + all);
      assertEquals(
          1, records.stream().filter(r -> r.getLevel() == Level.FINE).count(), "DEBUG lines");
    } finally {
      jul.removeHandler(h);
      jul.setLevel(before);
    }
  }
}
