package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Our own client's I/O reactor losing a thread is a breakdown of the transport: no call waits for
 * ever, each fails typed, and closing leaves no thread behind.
 */
class ApacheBreakdownTest {
  private static final String BROKEN = "the HTTP library under this transport stopped working";

  /** An error thrown on HC5's I/O thread, as an {@code OutOfMemoryError} would be. */
  private static final OutOfMemoryError KILLER =
      new OutOfMemoryError("simulated: thrown on the Apache client's I/O thread");

  @Test
  void anErrorThatEndsAnIoThreadFailsEveryCallTypedInsteadOfLeavingThemWaiting() throws Exception {
    TransportConfig config =
        TransportConfig.builder().provider("apache").maxConnectionsPerHost(1).build();
    try (RawServer server = new RawServer(r -> RawServer.ok("hi"))) {
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      ApacheEngine engine = ApacheEngine.create(config);
      try (Transport t = Transports.wrap(engine, config)) {
        assertEquals(
            200, t.send(Request.get(server.url("/warm"))).get(20, TimeUnit.SECONDS).status());

        engine.start(
            new ExchangeRequest(
                Request.get(server.url("/die")), Duration.ofSeconds(10), Duration.ofSeconds(10)),
            killer());
        // queued for the one connection, which the dying loop holds
        List<CompletableFuture<Response>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          queued.add(t.send(Request.get(server.url("/queued-" + i))));
        }
        for (CompletableFuture<Response> f : queued) {
          try {
            assertEquals(200, f.get(20, TimeUnit.SECONDS).status()); // through the other loop
          } catch (ExecutionException e) {
            assertBreakdown(e.getCause());
          } catch (TimeoutException e) {
            throw new AssertionError("a call queued behind the dead I/O thread waited 20 s", e);
          }
        }

        // the first to fail may have been in flight when the breakdown was reported
        assertBreakdown(failsSoon(t, server));
        // from then on every call is refused at once, before anything is sent
        TransportException later =
            assertInstanceOf(
                TransportException.class,
                assertThrows(
                        ExecutionException.class,
                        () -> t.send(Request.get(server.url("/refused"))).get(10, TimeUnit.SECONDS))
                    .getCause());
        assertBreakdown(later);
        assertFalse(later.requestSent(), "refused before anything was sent");
        TransportException blocking =
            assertInstanceOf(
                TransportException.class,
                assertThrowsWithin(() -> t.execute(Request.get(server.url("/blocking")))));
        assertBreakdown(blocking);
      }
      for (RawServer.Received r : server.requests) {
        assertFalse(
            r.requestLine().contains("/refused") || r.requestLine().contains("/blocking"),
            "a refused call reached the server: " + r.requestLine());
      }
      assertNoThreadLeft(before);
    }
  }

  /** Sends until a call fails (the breakdown is reported just after the loop has died), bounded. */
  private static TransportException failsSoon(Transport t, RawServer server) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      CompletableFuture<Response> f = t.send(Request.get(server.url("/later")));
      try {
        f.get(5, TimeUnit.SECONDS);
        Thread.sleep(50);
      } catch (ExecutionException e) {
        return assertInstanceOf(TransportException.class, e.getCause());
      } catch (TimeoutException e) {
        throw new AssertionError("a call after the I/O thread died waited 5 s", e);
      }
    }
    throw new AssertionError("calls still succeed 20 s after an I/O thread died");
  }

  private static Throwable assertThrowsWithin(Runnable call) throws Exception {
    CompletableFuture<Throwable> thrown =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                call.run();
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });
    Throwable e = thrown.get(10, TimeUnit.SECONDS);
    assertTrue(e != null, "the call succeeded");
    return e;
  }

  private static void assertBreakdown(Throwable e) {
    TransportException te = assertInstanceOf(TransportException.class, e);
    assertEquals(TransportException.class, te.getClass());
    assertTrue(te.getMessage().startsWith(BROKEN), te.getMessage());
    assertTrue(te.getMessage().contains("via apache"), te.getMessage());
    assertSame(KILLER, te.getCause());
  }

  /** No thread of this test's client (none of those alive before it started) is left. */
  private static void assertNoThreadLeft(Set<Thread> before) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<String> left;
    do {
      left =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.isAlive() && !before.contains(t))
              .map(Thread::getName)
              .filter(n -> n.startsWith("switchboard-apache-io-") || n.contains("breakdown"))
              .toList();
      if (left.isEmpty()) {
        return;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < end);
    throw new AssertionError("threads left 10 s after close: " + left);
  }

  /** Throws {@link #KILLER} from the response head, on the I/O thread that delivers it. */
  private static ExchangeListener killer() {
    return new ExchangeListener() {
      @Override
      public void onRequestSent() {}

      @Override
      public void onResponseHeaders(int status, Headers headers) {
        throw KILLER;
      }

      @Override
      public void onBody(ByteBuffer chunk) {}

      @Override
      public void onComplete() {}

      @Override
      public void onFailure(Fault fault, Throwable cause) {}

      @Override
      public void onFailure(TransportException failure) {}
    };
  }
}
