package dev.switchboard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Where the benchmarks send their requests: the server named by the system property {@value
 * #PROPERTY} or the environment variable {@value #ENV} (the nginx that {@code bench/run.sh} starts,
 * in a separate process), or else a small server inside this JVM, good enough for the smoke run but
 * not for measuring.
 *
 * <p>Either way it serves, on 127.0.0.1:
 *
 * <ul>
 *   <li>{@code /small.json}: a JSON object of about 200 bytes;
 *   <li>{@code /large.json}: a JSON search response of exactly {@value Payloads#LARGE_SIZE} bytes;
 *   <li>{@code /delay}: a tiny JSON body after 100 ms.
 * </ul>
 */
final class BenchServer {
  static final String PROPERTY = "bench.server";
  static final String ENV = "BENCH_SERVER";

  private static URI base;
  private static HttpServer inJvm;

  private BenchServer() {}

  /** The base URI, e.g. {@code http://127.0.0.1:18080}; starts the in-JVM server if none is set. */
  static synchronized URI base() {
    if (base == null) {
      String configured = System.getProperty(PROPERTY);
      if (configured == null || configured.isBlank()) {
        configured = System.getenv(ENV);
      }
      if (configured != null && !configured.isBlank()) {
        base = URI.create(configured.strip().replaceAll("/+$", ""));
      } else {
        base = startInJvm();
      }
    }
    return base;
  }

  static URI small() {
    return base().resolve("/small.json");
  }

  static URI large() {
    return base().resolve("/large.json");
  }

  static URI delay() {
    return base().resolve("/delay");
  }

  /** Makes {@link #base()} use the in-JVM server whatever is configured (the smoke test). */
  static synchronized void useInJvm() {
    if (inJvm == null) {
      base = startInJvm();
    }
  }

  /** Whether the requests go to the in-JVM server (smoke mode), not to a separate process. */
  static synchronized boolean inJvm() {
    base();
    return inJvm != null;
  }

  private static URI startInJvm() {
    byte[] small = Payloads.small();
    byte[] large = Payloads.large();
    byte[] delayed = "{\"ok\":true}\n".getBytes(StandardCharsets.UTF_8);
    // without it the JDK server's separate header and body writes meet delayed ACKs: 40 ms a
    // request
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // the JDK server keeps at most 200 idle keep-alive connections (sun.net.httpserver
    // .maxIdleConnections) and closes the rest as they go idle: the smoke run's clients hold up to
    // 256 each, so their pooled connections were closed under them (apache then failed requests).
    // Read once per JVM, by its first HttpServer: bench/pom.xml sets it for the tests' JVM too.
    System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
      ThreadFactory daemons =
          r -> {
            Thread t = new Thread(r, "bench-in-jvm-server");
            t.setDaemon(true);
            return t;
          };
      ExecutorService pool = Executors.newCachedThreadPool(daemons);
      server.setExecutor(pool);
      server.createContext("/small.json", ex -> reply(ex, small));
      server.createContext("/large.json", ex -> reply(ex, large));
      server.createContext(
          "/delay",
          ex -> {
            try {
              Thread.sleep(100);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            reply(ex, delayed);
          });
      server.start();
      inJvm = server;
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the in-JVM server on 127.0.0.1", e);
    }
  }

  private static void reply(HttpExchange ex, byte[] body) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
