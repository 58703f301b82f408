package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import dev.switchboard.spi.TransportEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the api layer decides from the facts an engine reports: the read timeout, the one
 * stale-connection resend, the wording of each fault and the response head limit.
 */
class WireFactsTest {
  private final ScriptEngine engine = new ScriptEngine();
  private Transport transport;

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
  }

  private Transport transport(TransportConfig.Builder config) {
    transport = Transports.wrap(engine, config.build());
    return transport;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- the request body's source

  @Test
  void aFailureWhoseCauseIsTheBodysSourceIsReportedAsThatNotAsTheFault() {
    engine.script =
        (x, l) ->
            l.onFailure(
                dev.switchboard.spi.Fault.NO_RESPONSE,
                new java.io.IOException(
                    "broken pipe",
                    new dev.switchboard.spi.BodySourceException("the disk is gone", null)));
    Transport t = transport(TransportConfig.builder());
    TransportException e =
        assertThrows(
            TransportException.class,
            () -> t.execute(Request.builder("PUT", java.net.URI.create("http://h:1/up")).build()));
    assertEquals(TransportException.class, e.getClass()); // not a MalformedResponseException
    assertEquals(
        "the request body could not be read from its source: the disk is gone"
            + " (PUT http://h:1/up via script)",
        e.getMessage());
    assertEquals(1, engine.started.size(), "a failure of the body's source is never resent");
  }

  // ---------------------------------------------------------------- read timeout

  @Test
  void aBodyThatStallsAfterTheHeadersFailsWithTheReadTimeout() {
    engine.script =
        (x, l) -> {
          l.onRequestSent();
          l.onResponseHeaders(200, Headers.of("Content-Length", "10"));
          l.onBody(bytes("abc")); // and then nothing
        };
    Transport t = transport(TransportConfig.builder().readTimeout(Duration.ofMillis(300)));
    long start = System.nanoTime();
    TransportException e =
        assertThrows(TransportException.class, () -> t.execute(Request.get("http://h:1/stall")));
    long millis = (System.nanoTime() - start) / 1_000_000;
    ReadTimeoutException rte = assertInstanceOf(ReadTimeoutException.class, e);
    assertEquals(TransportTimeoutException.Phase.READ, rte.phase());
    assertEquals(Duration.ofMillis(300), rte.timeout());
    assertTrue(rte.requestSent());
    assertTrue(millis >= 250, "failed after " + millis + " ms, before the read timeout");
    assertTrue(engine.aborted.get(), "the exchange was not aborted");
    assertEquals("read timeout of 300ms passed (GET http://h:1/stall via script)", e.getMessage());
  }

  @Test
  void pausesShorterThanTheReadTimeoutAreNotSilenceEvenWhenTheBodyTakesLonger() {
    engine.script =
        (x, l) -> {
          l.onRequestSent();
          l.onResponseHeaders(200, Headers.empty());
          for (int i = 0; i < 8; i++) {
            pause(100);
            l.onBody(bytes("x"));
          }
          l.onComplete();
        };
    Transport t =
        transport(
            TransportConfig.builder()
                .readTimeout(Duration.ofMillis(600))
                .responseTimeout(Duration.ofMillis(300)));
    assertEquals("xxxxxxxx", t.execute(Request.get("http://h:1/slow")).text());
  }

  @Test
  void aRequestsReadTimeoutWinsOverTheTransports() {
    engine.script =
        (x, l) -> {
          l.onRequestSent();
          l.onResponseHeaders(200, Headers.empty());
        };
    Transport t = transport(TransportConfig.builder().readTimeout(Duration.ofSeconds(60)));
    ReadTimeoutException e =
        assertThrows(
            ReadTimeoutException.class,
            () ->
                t.execute(
                    Request.builder("GET", "http://h:1/")
                        .readTimeout(Duration.ofMillis(200))
                        .build()));
    assertEquals(Duration.ofMillis(200), e.timeout());
  }

  @Test
  void aServerThatNeverAnswersStillHitsTheResponseTimeoutNotTheReadTimeout() {
    engine.script = (x, l) -> l.onRequestSent();
    Transport t =
        transport(
            TransportConfig.builder()
                .responseTimeout(Duration.ofMillis(200))
                .readTimeout(Duration.ofMillis(100)));
    assertThrows(ResponseTimeoutException.class, () -> t.execute(Request.get("http://h:1/")));
  }

  // ---------------------------------------------------------------- stale-connection resend

  private void staleThenOk() {
    engine.script =
        (x, l) -> {
          if (engine.started.size() == 1) {
            l.onRequestSent();
            l.onFailure(Fault.STALE_CONNECTION, new IOException("closed by peer"));
          } else {
            l.onRequestSent();
            l.onResponseHeaders(200, Headers.empty());
            l.onBody(bytes("fresh"));
            l.onComplete();
          }
        };
  }

  @Test
  void anIdempotentRequestIsResentOnceAfterAStaleConnection() {
    staleThenOk();
    Transport t = transport(TransportConfig.builder());
    assertEquals("fresh", t.execute(Request.get("http://h:1/")).text());
    assertEquals(2, engine.started.size());
    assertSame(engine.started.get(0).request(), engine.started.get(1).request());
  }

  @Test
  void aPostIsNeverResent() {
    staleThenOk();
    Transport t = transport(TransportConfig.builder());
    StaleConnectionException e =
        assertThrows(
            StaleConnectionException.class,
            () -> t.execute(Request.post("http://h:1/", Body.of("{}", "application/json"))));
    assertTrue(e.requestSent());
    assertEquals(1, engine.started.size());
  }

  @Test
  void theResendCanBeTurnedOff() {
    staleThenOk();
    Transport t = transport(TransportConfig.builder().retryStaleConnections(false));
    assertThrows(StaleConnectionException.class, () -> t.execute(Request.get("http://h:1/")));
    assertEquals(1, engine.started.size());
  }

  @Test
  void aSecondStaleConnectionIsNotResentAgain() {
    engine.script =
        (x, l) -> {
          l.onRequestSent();
          l.onFailure(Fault.STALE_CONNECTION, new IOException("closed by peer"));
        };
    Transport t = transport(TransportConfig.builder());
    assertThrows(StaleConnectionException.class, () -> t.execute(Request.get("http://h:1/")));
    assertEquals(2, engine.started.size());
  }

  @Test
  void otherFailuresAreNotResent() {
    engine.script =
        (x, l) -> {
          l.onRequestSent();
          l.onFailure(Fault.NO_RESPONSE, new IOException("empty reply"));
        };
    Transport t = transport(TransportConfig.builder());
    assertThrows(MalformedResponseException.class, () -> t.execute(Request.get("http://h:1/")));
    assertEquals(1, engine.started.size());
  }

  // ---------------------------------------------------------------- one wording per fault

  private TransportException failWith(Fault fault, boolean sentFirst) {
    IOException cause = new IOException("the library's own words");
    engine.script =
        (x, l) -> {
          if (sentFirst) {
            l.onRequestSent();
          }
          l.onFailure(fault, cause);
        };
    if (transport == null) {
      transport(TransportConfig.builder().retryStaleConnections(false));
    }
    TransportException e =
        assertThrows(
            TransportException.class, () -> transport.execute(Request.get("http://h:1/p?q")));
    assertSame(cause, e.getCause(), "the library's exception is the cause");
    assertEquals("script", e.transport());
    return e;
  }

  @Test
  void eachFaultHasOneTypeOneMessageAndTheRightRequestSent() {
    record Expect(Fault fault, Class<?> type, String message, boolean sent) {}
    List<Expect> all =
        List.of(
            new Expect(Fault.REFUSED, ConnectionException.class, "connection refused", false),
            new Expect(Fault.CONNECT_FAILED, ConnectionException.class, "could not connect", false),
            new Expect(
                Fault.CONNECT_TIMEOUT,
                ConnectTimeoutException.class,
                "connect timeout of 10s passed",
                false),
            new Expect(Fault.TLS, TlsException.class, "TLS handshake failed", false),
            new Expect(
                Fault.POOL_TIMEOUT,
                ConnectionPoolTimeoutException.class,
                "no connection became free within the connection acquire timeout: every connection"
                    + " the transport may open (maxConnectionsPerHost, maxConnections) was busy;"
                    + " raise those limits or connectionAcquireTimeout",
                false),
            new Expect(
                Fault.STALE_CONNECTION,
                StaleConnectionException.class,
                "the server closed a reused connection before responding",
                true),
            new Expect(
                Fault.NO_RESPONSE,
                MalformedResponseException.class,
                "the server closed the connection before responding",
                true),
            new Expect(
                Fault.MALFORMED_HEAD,
                MalformedResponseException.class,
                "the response head is not valid HTTP",
                true),
            new Expect(
                Fault.HEAD_TOO_LARGE,
                ResponseHeadTooLargeException.class,
                "response head is larger than maxResponseHeadBytes (65536 bytes); raise"
                    + " TransportConfig.maxResponseHeadBytes (at most 261120)",
                true),
            new Expect(
                Fault.BODY_CUT,
                MalformedResponseException.class,
                "the connection closed before the end of the response body",
                true),
            new Expect(
                Fault.PROXY_AUTHENTICATION,
                ConnectionException.class,
                "a proxy demanded credentials (407), but the configuration names no proxy",
                false),
            new Expect(Fault.FAILED, TransportException.class, "the exchange failed", true));
    assertEquals(Fault.values().length - 1, all.size(), "CLOSED is tested on its own");
    for (Expect x : all) {
      TransportException e = failWith(x.fault(), x.sent());
      assertSame(x.type(), e.getClass(), x.fault().toString());
      assertEquals(x.message() + " (GET http://h:1/p?q via script)", e.getMessage());
      assertEquals(x.sent(), e.requestSent(), x.fault() + ": requestSent");
    }
  }

  @Test
  void aClosedEngineSaysWhetherTheRequestHadGone() {
    assertFalse(failWith(Fault.CLOSED, false).requestSent());
    assertTrue(failWith(Fault.CLOSED, true).requestSent());
  }

  // ---------------------------------------------------------------- response head limit

  /** Header fields adding up to exactly {@code size} bytes as the limit counts them. */
  private static Headers headOf(int size) {
    Headers.Builder b = Headers.builder();
    int left = size;
    int i = 0;
    while (left > 0) {
      String name = "X-F" + i++;
      int valueLength = Math.min(1000, left - name.length() - 4);
      if (valueLength < 1) {
        throw new IllegalStateException("cannot make a head of " + size);
      }
      b.add(name, "v".repeat(valueLength));
      left -= name.length() + valueLength + 4;
      if (left > 0 && left < 10) { // keep the last field large enough
        left += name.length() + valueLength + 4;
        b.remove(name);
        b.add(name, "v".repeat(valueLength - 10));
        left -= name.length() + valueLength - 10 + 4;
      }
    }
    return b.build();
  }

  private static int size(Headers h) {
    int n = 0;
    for (int i = 0; i < h.size(); i++) {
      n += h.name(i).length() + h.value(i).length() + 4;
    }
    return n;
  }

  @Test
  void aHeadAtTheLimitIsAcceptedAndOnePastItIsATypedError() {
    int limit = 4096;
    Headers atLimit = headOf(limit);
    Headers past = headOf(limit + 1);
    assertEquals(limit, size(atLimit));
    assertEquals(limit + 1, size(past));
    Transport t = transport(TransportConfig.builder().maxResponseHeadBytes(limit));
    engine.script =
        (x, l) -> {
          l.onRequestSent();
          l.onResponseHeaders(200, x.request().uri().getPath().equals("/at") ? atLimit : past);
          l.onComplete();
        };
    assertEquals(200, t.execute(Request.get("http://h:1/at")).status());
    ResponseHeadTooLargeException e =
        assertThrows(
            ResponseHeadTooLargeException.class, () -> t.execute(Request.get("http://h:1/past")));
    assertEquals(limit, e.limit());
    assertTrue(e.getMessage().contains("maxResponseHeadBytes (4096 bytes)"), e.getMessage());
    assertInstanceOf(ResponseTooLargeException.class, e);
  }

  @Test
  void theHeadLimitIsBoundedByWhatEveryTransportCanHonour() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TransportConfig.builder().maxResponseHeadBytes(256 * 1024));
    assertTrue(e.getMessage().contains("maxResponseHeadBytes must be between 1024 and 261120"));
  }

  /** An engine whose exchanges run a script on a thread of their own. */
  static final class ScriptEngine implements TransportEngine {
    volatile BiConsumer<ExchangeRequest, ExchangeListener> script;
    final List<ExchangeRequest> started = new CopyOnWriteArrayList<>();
    final AtomicBoolean aborted = new AtomicBoolean();
    private final ExecutorService io = Executors.newCachedThreadPool();

    @Override
    public String name() {
      return "script";
    }

    @Override
    public Set<Capability> capabilities() {
      return Set.of();
    }

    @Override
    public Exchange start(ExchangeRequest request, ExchangeListener listener) {
      started.add(request);
      io.execute(() -> script.accept(request, listener));
      return new Exchange() {
        @Override
        public void request(long n) {} // scripts deliver at once; these calls read bodies whole

        @Override
        public void abort() {
          aborted.set(true);
        }
      };
    }

    @Override
    public void close() {
      io.shutdownNow();
      try {
        assertNotNull(io);
        io.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
