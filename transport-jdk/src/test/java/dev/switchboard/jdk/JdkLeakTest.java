package dev.switchboard.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.ResponseTooLargeException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the JDK client keeps after faults: nothing, once the transport is closed, however an
 * exchange ended; for a response head it cannot parse, what the JDK allows. Threads and file
 * descriptors are counted from inside the JVM.
 */
class JdkLeakTest {
  private static final long BOUND_MS = 30_000; // generous: CI is a loaded 2-core box

  /**
   * Each way an exchange can end, then {@code close()}: the client's selector thread ends (JDK
   * 17-20 cannot stop a client: that thread ends once the client is unreachable and has no
   * operation pending, hence the GC; JDK 21+ stops it at close), the server sees its connection
   * closed, and the process has no more file descriptors than before. On JDK 17 the mid-body aborts
   * by request timeout and by cancel failed this before the body subscriber's stage was completed
   * on abort.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "midBodyRequestTimeout",
        "midBodyCancel",
        "midBodyLimit",
        "beforeHeadersResponseTimeout",
        "beforeHeadersCancel",
        "completed"
      })
  void nothingIsLeftAfterClose(String how) throws Exception {
    AtomicInteger answered = new AtomicInteger();
    RawServer.Answer answer =
        (n, in, out) -> {
          if (how.equals("completed")) {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes());
            out.flush();
            answered.incrementAndGet();
            return true; // keep-alive: the connection is pooled
          }
          if (how.startsWith("midBody")) { // headers and 8 KiB of a 1 MB body, then silence
            out.write(
                "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[8192]);
            out.flush();
          }
          answered.incrementAndGet();
          while (in.read() != -1) {
            // silent until the client closes the connection
          }
          return false;
        };
    try (RawServer server = new RawServer(answer)) {
      oneExchange(server, how, answered, 1); // warm-up: classes and jars loaded, their fds open
      awaitWithGc(() -> server.open.get() == 0, () -> "the warm-up left a connection open");
      long fdsBefore = fds();
      Set<Thread> selectorsBefore = selectorThreads();

      oneExchange(server, how, answered, 2);

      awaitWithGc(
          () -> newThreads(selectorsBefore).isEmpty() && server.open.get() == 0,
          () ->
              "left after close: selector threads "
                  + newThreads(selectorsBefore)
                  + ", connections open at the server "
                  + server.open.get());
      awaitWithGc(
          () -> fds() <= fdsBefore,
          () -> "file descriptors: " + fdsBefore + " before, " + fds() + " after close");
    }
  }

  /** One exchange through its own transport, ended as {@code how} says, then closed. */
  private static void oneExchange(RawServer server, String how, AtomicInteger answered, int nth)
      throws Exception {
    TransportConfig.Builder config = TransportConfig.builder().provider("jdk");
    if (how.equals("midBodyRequestTimeout")) {
      config.requestTimeout(Duration.ofMillis(500));
    } else if (how.equals("midBodyLimit")) {
      config.maxResponseBytes(1024);
    } else if (how.equals("beforeHeadersResponseTimeout")) {
      config.responseTimeout(Duration.ofMillis(500));
    }
    Transport t = Transports.create(config.build());
    try {
      CompletableFuture<Response> f = t.send(Request.get(server.base() + "/"));
      if (how.endsWith("Cancel")) {
        awaitWithGc(() -> answered.get() >= nth, () -> "the server never got the request");
        Thread.sleep(200); // the body (or the wait for the headers) is under way
        f.cancel(true);
        assertThrows(CancellationException.class, f::join);
        return;
      }
      if (how.equals("completed")) {
        assertEquals(200, f.get(20, TimeUnit.SECONDS).status());
        return;
      }
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
      Class<? extends TransportException> expected =
          how.equals("midBodyRequestTimeout")
              ? RequestTimeoutException.class
              : how.equals("midBodyLimit")
                  ? ResponseTooLargeException.class
                  : ResponseTimeoutException.class;
      assertInstanceOf(expected, e.getCause());
    } finally {
      t.close();
    }
  }

  /**
   * Aborts that race the end of the exchange (before the headers, between them and the body, after
   * the end) leave nothing behind once the transport is closed either.
   */
  @Test
  void abortsRacingTheEndLeaveNothingAfterClose() throws Exception {
    try (RawServer server = new RawServer(n -> 0)) {
      abortRacingTheEnd(server, 20); // warm-up
      awaitWithGc(() -> server.open.get() == 0, () -> "the warm-up left a connection open");
      long fdsBefore = fds();
      Set<Thread> selectorsBefore = selectorThreads();

      abortRacingTheEnd(server, 200);

      awaitWithGc(
          () -> newThreads(selectorsBefore).isEmpty() && server.open.get() == 0,
          () ->
              "left after close: selector threads "
                  + newThreads(selectorsBefore)
                  + ", connections open at the server "
                  + server.open.get());
      awaitWithGc(
          () -> fds() <= fdsBefore,
          () -> "file descriptors: " + fdsBefore + " before, " + fds() + " after close");
    }
  }

  private static void abortRacingTheEnd(RawServer server, int exchanges) throws Exception {
    Random random = new Random(18);
    Transport t = Transports.create(TransportConfig.builder().provider("jdk").build());
    try {
      for (int i = 0; i < exchanges; i++) {
        CompletableFuture<Response> f = t.send(Request.get(server.base() + "/" + i));
        LockSupport.parkNanos(random.nextInt(3_000_000)); // 0-3 ms: an exchange takes about 1
        f.cancel(true);
        try {
          assertEquals(200, f.join().status());
        } catch (CancellationException e) {
          // aborted in time
        }
      }
    } finally {
      t.close();
    }
  }

  @Test
  void aClientThatAbandonedConnectionsToGarbageIsRetired() throws Exception {
    int limit = JdkEngine.ABANDONED_LIMIT;
    RawServer.Answer answer =
        (n, in, out) -> {
          if (n <= limit) {
            out.write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return false; // the server closes; the JDK client never does (CLOSE_WAIT)
          }
          out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes());
          out.flush();
          return true;
        };
    try (RawServer server = new RawServer(answer)) {
      JdkEngine engine = new JdkEngine(TransportConfig.defaults(), null);
      try (Transport t = Transports.wrap(engine, TransportConfig.defaults())) {
        Set<Thread> selectorsBefore = selectorThreads();
        for (int i = 0; i < limit; i++) {
          ExecutionException e =
              assertThrows(
                  ExecutionException.class,
                  () -> t.send(Request.get(server.base() + "/")).get(20, TimeUnit.SECONDS));
          assertInstanceOf(MalformedResponseException.class, e.getCause());
        }
        Set<Thread> first = newThreads(selectorsBefore);
        assertEquals(1, engine.retiredClients(), "the client was not retired");
        assertEquals(200, t.execute(Request.get(server.base() + "/")).status());

        // The retired client ends while the transport stays open: on 21+ by shutdown(), before
        // 21 once unreachable (its memory, the abandoned connections' included, goes with it).
        awaitWithGc(
            () -> first.stream().noneMatch(Thread::isAlive),
            () -> "the retired client's selector thread is still alive: " + first);
        if (closesOpenedConnections()) {
          // the client's end (shutdown() on 21+, collection before) closed every connection it
          // opened, abandoned ones included
          awaitWithGc(
              () -> closeWait(server.port()) == 0,
              () -> closeWait(server.port()) + " connections left in CLOSE_WAIT");
        } else {
          // 17 updates without JDK-8277969 never close an abandoned connection (and a
          // SocketChannel has no Cleaner): one socket per garbage response stays in CLOSE_WAIT
          // until the JVM exits, never more
          assertTrue(closeWait(server.port()) <= limit, () -> closeWait(server.port()) + "");
        }
      }
    }
  }

  /**
   * Whether this JDK's client closes every connection it opened when it ends (JDK-8277969: JDK 19+,
   * and 17 updates with its backport); read from the implementation's fields, which needs no access
   * to them.
   */
  private static boolean closesOpenedConnections() {
    try {
      Class.forName("jdk.internal.net.http.HttpClientImpl").getDeclaredField("openedConnections");
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------ counting from inside

  private static void awaitWithGc(BooleanSupplier condition, Supplier<String> why)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(why.get() + " (after " + BOUND_MS + " ms)");
      }
      System.gc();
      Thread.sleep(100);
    }
  }

  /** The JDK client's selector threads, named {@code HttpClient-<n>-SelectorManager}. */
  private static Set<Thread> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().matches("HttpClient-\\d+-SelectorManager") && t.isAlive())
        .collect(Collectors.toSet());
  }

  private static Set<Thread> newThreads(Set<Thread> before) {
    Set<Thread> now = new HashSet<>(selectorThreads());
    now.removeAll(before);
    return now;
  }

  private static long fds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Sockets of this host in CLOSE_WAIT whose remote port is {@code port}. */
  private static long closeWait(int port) {
    String remote = String.format(":%04X", port);
    long n = 0;
    for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(file))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 3 && f[2].endsWith(remote) && f[3].equals("08")) {
            n++;
          }
        }
      } catch (IOException e) {
        // no IPv6 on this host
      }
    }
    return n;
  }
}
