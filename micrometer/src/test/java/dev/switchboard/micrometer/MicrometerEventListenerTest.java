package dev.switchboard.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.ConnectionException;
import dev.switchboard.NotFoundException;
import dev.switchboard.Request;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.UriTemplate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The timer and the gauge, on each transport, against a loopback server. */
class MicrometerEventListenerTest {
  private HttpServer server;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CountDownLatch release = new CountDownLatch(1);
  private Transport transport;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        x -> {
          x.getRequestBody().readAllBytes();
          String path = x.getRequestURI().getPath();
          if (path.equals("/slow")) {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          int status = path.startsWith("/missing") ? 404 : 200;
          byte[] body = ("{\"path\":\"" + path + "\"}").getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status, body.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (transport != null) {
      transport.close();
    }
    server.stop(0);
  }

  private Transport transport(String provider) {
    transport =
        Transports.create(
            TransportConfig.builder()
                .provider(provider)
                .eventListener(MicrometerEventListener.create(registry))
                .build());
    return transport;
  }

  private String uri(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private Timer timer(String uri, String status) {
    return registry
        .find(MicrometerEventListener.TIMER)
        .tag("uri", uri)
        .tag("status", status)
        .timer();
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "condition not met within 10 s");
      Thread.sleep(5);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void eachCallIsOneSampleTaggedByItsTemplateNeverItsPath(String provider) throws Exception {
    Transport t = transport(provider);
    for (int id = 1; id <= 3; id++) {
      t.execute(
          Request.builder("GET", uri("/docs/" + id))
              .tag(UriTemplate.class, UriTemplate.of("/docs/{id}"))
              .build());
    }
    t.execute(Request.get(uri("/untemplated/42")));
    eventually(() -> timer("none", "200") != null && timer("none", "200").count() == 1);
    Timer docs = timer("/docs/{id}", "200");
    assertEquals(3, docs.count(), "samples of /docs/{id}");
    Meter.Id id = docs.getId();
    assertEquals("GET", id.getTag("method"));
    assertEquals("SUCCESS", id.getTag("outcome"));
    assertEquals("none", id.getTag("exception"));
    assertEquals("127.0.0.1", id.getTag("server.address"));
    assertEquals(String.valueOf(server.getAddress().getPort()), id.getTag("server.port"));
    assertEquals(provider, id.getTag("transport"));
    assertTrue(
        registry.getMeters().stream()
            .noneMatch(m -> String.valueOf(m.getId().getTag("uri")).contains("42")),
        "a raw path became a tag");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void failuresAreTaggedWithTheStatusOrTheTypedException(String provider) throws Exception {
    Transport t = transport(provider);
    assertThrows(NotFoundException.class, () -> t.execute(Request.get(uri("/missing"))));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThrows(
        ConnectionException.class,
        () -> t.execute(Request.get("http://127.0.0.1:" + closed + "/refused")));
    eventually(() -> timer("none", "CLIENT_ERROR") != null && timer("none", "404") != null);
    Meter.Id notFound = timer("none", "404").getId();
    assertEquals("CLIENT_ERROR", notFound.getTag("outcome"));
    assertEquals("NotFoundException", notFound.getTag("exception"));
    Meter.Id refused = timer("none", "CLIENT_ERROR").getId();
    assertEquals("UNKNOWN", refused.getTag("outcome"));
    assertEquals("ConnectionException", refused.getTag("exception"));
    assertEquals(String.valueOf(closed), refused.getTag("server.port"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void theGaugeCountsCallsInFlightAndAStreamUntilItsBodyIsDone(String provider) throws Exception {
    Transport t = transport(provider);
    Gauge active = registry.find(MicrometerEventListener.ACTIVE).gauge();
    assertEquals(0, active.value());
    CompletableFuture<?> slow = t.send(Request.get(uri("/slow")));
    eventually(() -> active.value() == 1);
    release.countDown();
    slow.get(10, TimeUnit.SECONDS);
    eventually(() -> active.value() == 0);

    try (StreamingResponse s = t.openStream(Request.get(uri("/streamed")))) {
      assertEquals(1, active.value(), "a stream whose body is unread is in flight");
      assertEquals(
          1,
          timer("none", "200").count(),
          "samples (the slow call's only): a stream is timed when its body is done");
      s.body().readAllBytes();
    }
    eventually(() -> active.value() == 0);
    eventually(() -> timer("none", "200") != null && timer("none", "200").count() == 2);
  }
}
