package dev.switchboard.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JDK client's selector thread ending while the transport is open is a breakdown: the call in
 * flight and every later one fail typed instead of waiting for ever, and close leaves no watcher.
 */
class JdkBreakdownTest {
  private static final String BROKEN = "the HTTP library under this transport stopped working";

  @Test
  void aSelectorThreadEndedByAnErrorFailsTheCallInFlightAndRefusesLaterOnes() throws Exception {
    try (RawServer server = new RawServer(n -> n == 2 ? 5_000 : 0)) {
      URI uri = URI.create(server.base() + "/x");
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      try (Transport t = Transports.create(TransportConfig.builder().provider("jdk").build())) {
        assertEquals(200, t.send(Request.get(uri)).get(20, TimeUnit.SECONDS).status());
        List<Thread> selectors = newThreads(before, "HttpClient-");
        assertEquals(1, selectors.size(), "the transport's one client: " + selectors);
        assertEquals(1, newThreads(before, "switchboard-jdk-selector-watch").size());

        CompletableFuture<Response> inFlight = t.send(Request.get(uri)); // answered in 5 s
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.requests.get() < 2 && System.nanoTime() < end) {
          Thread.sleep(10);
        }
        end(selectors.get(0));

        ExecutionException e =
            assertThrows(ExecutionException.class, () -> inFlight.get(4, TimeUnit.SECONDS));
        assertBreakdown(e.getCause());
        TransportException later =
            assertInstanceOf(
                TransportException.class,
                assertThrows(
                        ExecutionException.class,
                        () -> t.send(Request.get(uri)).get(10, TimeUnit.SECONDS))
                    .getCause());
        assertBreakdown(later);
        assertFalse(later.requestSent(), "refused before anything was sent");
        assertEquals(2, server.requests.get(), "nothing more reached the server");
      }
      assertGone(before, "switchboard-jdk-selector-watch");
    }
  }

  @Test
  void closingTheTransportEndsTheWatcherAndIsNoBreakdown() throws Exception {
    try (RawServer server = new RawServer(n -> 0)) {
      URI uri = URI.create(server.base() + "/x");
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      Transport t = Transports.create(TransportConfig.builder().provider("jdk").build());
      assertEquals(200, t.send(Request.get(uri)).get(20, TimeUnit.SECONDS).status());
      assertEquals(1, newThreads(before, "switchboard-jdk-selector-watch").size());
      t.close();
      assertGone(before, "switchboard-jdk-selector-watch");
      TransportException e =
          assertThrows(TransportException.class, () -> t.execute(Request.get(uri)));
      assertTrue(e.getMessage().startsWith("the transport is closed"), e.getMessage());
    }
  }

  /** Ends {@code thread} with {@code ThreadDeath}, an {@code Error}, as an OOM would end it. */
  @SuppressWarnings({"deprecation", "removal"})
  private static void end(Thread thread) throws InterruptedException {
    try {
      thread.stop();
    } catch (UnsupportedOperationException e) {
      assumeTrue(
          false, "JDK 20+ cannot end another thread (Thread.stop): the selector cannot be ended");
    }
    thread.join(10_000);
    assertFalse(thread.isAlive());
  }

  private static void assertBreakdown(Throwable e) {
    TransportException te = assertInstanceOf(TransportException.class, e);
    assertEquals(TransportException.class, te.getClass());
    assertTrue(te.getMessage().startsWith(BROKEN), te.getMessage());
    assertTrue(te.getMessage().contains("via jdk"), te.getMessage());
    IllegalStateException cause = assertInstanceOf(IllegalStateException.class, te.getCause());
    assertTrue(cause.getMessage().contains("SelectorManager"), cause.getMessage());
  }

  private static List<Thread> newThreads(Set<Thread> before, String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.isAlive() && !before.contains(th) && th.getName().startsWith(prefix))
        .toList();
  }

  private static void assertGone(Set<Thread> before, String prefix) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!newThreads(before, prefix).isEmpty() && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertEquals(List.of(), newThreads(before, prefix), "left 10 s after close");
  }
}
