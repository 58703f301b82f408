package dev.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.Body;
import dev.switchboard.ConnectionException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ServerErrorException;
import dev.switchboard.StreamingResponse;
import dev.switchboard.TransportException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ClusterTransport#stream}/{@code openStream} over each real transport, against servers on
 * 127.0.0.1: node choice, dead-node marking and failover up to the headers, nothing after them, and
 * a body that can be sent only once kept on one node.
 */
@Timeout(60)
class ClusterStreamingTest {
  static Stream<String> providers() {
    return Stream.of("jdk", "apache", "okhttp");
  }

  static final byte[] BIG = pattern(3 * 1024 * 1024 + 17);
  static Server good;
  static Server unavailable;
  static int closedPort;

  @BeforeAll
  static void start() throws IOException {
    good = new Server(ClusterStreamingTest::answer);
    unavailable =
        new Server(
            exchange -> {
              // reads the request first, as a busy node behind a proper server does: answering
              // before reading an upload makes the JDK's server close with the body unread, and
              // the TCP reset then races the 503 to the client (a test of the network, not of the
              // cluster's policy)
              exchange.getRequestBody().transferTo(java.io.OutputStream.nullOutputStream());
              byte[] b = "busy".getBytes(StandardCharsets.US_ASCII);
              exchange.sendResponseHeaders(503, b.length);
              exchange.getResponseBody().write(b);
            });
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() {
    good.stop();
    unavailable.stop();
  }

  @BeforeEach
  void reset() {
    good.hits.set(0);
    unavailable.hits.set(0);
  }

  /** GET /big: {@link #BIG}; PUT /echo: the number of bytes received. */
  private static void answer(HttpExchange exchange) throws IOException {
    byte[] body;
    if (exchange.getRequestURI().getPath().endsWith("/echo")) {
      long n;
      try (InputStream in = exchange.getRequestBody()) {
        n = in.transferTo(OutputStream.nullOutputStream());
      }
      body = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    } else {
      body = BIG;
    }
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }

  static String closed() {
    return "http://127.0.0.1:" + closedPort + "/";
  }

  @ParameterizedTest
  @MethodSource("providers")
  void streamMovesPastClosedPortAndUnavailableNodeThenReadsTheWholeBody(String provider)
      throws IOException {
    List<String> attempts = Collections.synchronizedList(new ArrayList<>());
    try (ClusterTransport c =
        ClusterIntegrationTest.ordered(provider, closed(), unavailable.url(), good.url())
            .listener(
                new ClusterListener() {
                  @Override
                  public void attemptEnded(
                      Attempt a, Response r, TransportException e, boolean movingOn) {
                    attempts.add(
                        a.node().url().getPort()
                            + ":"
                            + (r != null ? r.status() : e.getClass().getSimpleName())
                            + (movingOn ? ">" : "."));
                  }
                })
            .build()) {
      byte[] read;
      try (StreamingResponse r = c.openStream(Request.get("big"))) {
        assertEquals(200, r.status());
        assertEquals(good.port(), r.request().uri().getPort(), "the healthy node answered");
        read = r.body().readAllBytes();
      }
      assertArrayEquals(BIG, read);
      assertEquals(
          List.of(
              closedPort + ":ConnectionException>",
              unavailable.port() + ":ServerErrorException>",
              good.port() + ":200."),
          attempts);
      List<NodeState> nodes = c.nodes();
      assertFalse(nodes.get(0).live(), "a closed port is marked dead");
      assertFalse(nodes.get(1).live(), "a 503 is marked dead");
      assertTrue(nodes.get(2).live());
      // a dead node is left alone by the next streamed call too
      try (StreamingResponse r = c.stream(Request.get("big")).join()) {
        assertEquals(BIG.length, r.body().transferTo(OutputStream.nullOutputStream()));
      }
      assertEquals(1, unavailable.hits.get());
      assertEquals(2, good.hits.get());
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void anAccepted503IsClosedAndTheCallMovesOn(String provider) throws IOException {
    try (ClusterTransport c =
        ClusterIntegrationTest.ordered(provider, unavailable.url(), good.url()).build()) {
      try (StreamingResponse r =
          c.openStream(Request.get("big").toBuilder().acceptStatus(503).build())) {
        assertEquals(200, r.status());
        assertArrayEquals(BIG, r.body().readAllBytes());
      }
      assertEquals(1, unavailable.hits.get());
      assertFalse(c.nodes().get(0).live());
    }
    try (ClusterTransport c = ClusterIntegrationTest.ordered(provider, unavailable.url()).build()) {
      try (StreamingResponse r =
          c.openStream(Request.get("big").toBuilder().acceptStatus(503).build())) {
        assertEquals(503, r.status(), "the last answer, accepted, is returned");
        assertEquals("busy", new String(r.body().readAllBytes(), StandardCharsets.US_ASCII));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aFailureAfterTheHeadersBelongsToTheReader(String provider) throws IOException {
    Server broken =
        new Server(
            exchange -> {
              exchange.sendResponseHeaders(200, BIG.length);
              OutputStream out = exchange.getResponseBody();
              out.write(BIG, 0, 64 * 1024);
              out.flush();
              throw new IOException("the handler gives up half way"); // the server drops it
            });
    try (ClusterTransport c =
        ClusterIntegrationTest.ordered(provider, broken.url(), good.url()).build()) {
      StreamingResponse r = c.openStream(Request.get("big"));
      try (r) {
        assertEquals(200, r.status());
        InputStream body = r.body();
        IOException e =
            assertThrows(IOException.class, () -> body.transferTo(OutputStream.nullOutputStream()));
        assertInstanceOf(TransportException.class, e.getCause(), "the typed failure: " + e);
      }
      assertEquals(0, good.hits.get(), "no other node is tried once the headers arrived");
      NodeState node = c.nodes().get(0);
      assertTrue(node.live(), "the node answered: " + node);
      assertEquals(0, node.consecutiveFailures());
    } finally {
      broken.stop();
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void aBodySentOnlyOnceStaysOnOneNodeWhileARepeatableOneMovesOn(String provider)
      throws IOException {
    byte[] payload = pattern(1024 * 1024 + 3);
    try (ClusterTransport c =
        ClusterIntegrationTest.ordered(provider, closed(), good.url()).build()) {
      Body once = Body.ofPublisher(Body.of(payload, null).publisher(), payload.length, null);
      ConnectionException e =
          assertThrows(
              ConnectionException.class,
              () -> c.openStream(Request.builder("PUT", "x/echo").body(once).build()));
      assertTrue(
          Arrays.stream(e.getSuppressed())
              .anyMatch(s -> s.getMessage().contains("can be sent only once")),
          "says why it did not move on: " + Arrays.toString(e.getSuppressed()));
      assertEquals(0, good.hits.get());
    }
    try (ClusterTransport c =
        ClusterIntegrationTest.ordered(provider, unavailable.url(), good.url()).build()) {
      Body once = Body.ofPublisher(Body.of(payload, null).publisher(), payload.length, null);
      assertThrows(
          ServerErrorException.class,
          () -> c.openStream(Request.builder("PUT", "x/echo").body(once).build()));
      assertEquals(0, good.hits.get(), "a sent body is not moved to another node");
    }
    try (ClusterTransport c =
        ClusterIntegrationTest.ordered(provider, closed(), good.url()).build()) {
      Body again = Body.ofInputStream(() -> new ByteArrayInputStream(payload), -1, null);
      try (StreamingResponse r =
          c.openStream(Request.builder("PUT", "x/echo").body(again).build())) {
        assertEquals(200, r.status());
        assertEquals(
            Integer.toString(payload.length),
            new String(r.body().readAllBytes(), StandardCharsets.US_ASCII),
            "the whole body, chunked, reached the healthy node");
      }
    }
  }

  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + (i >>> 11));
    }
    return b;
  }

  /** A server on 127.0.0.1 whose every request is answered by {@code handler}. */
  static final class Server {
    final AtomicInteger hits = new AtomicInteger();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    Server(HttpHandler handler) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
      server.setExecutor(pool);
      server.createContext(
          "/",
          exchange -> {
            hits.incrementAndGet();
            try (exchange) {
              handler.handle(exchange);
            } catch (IOException ignored) {
              // the client went away, or the handler gave up on purpose
            }
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    String url() {
      return "http://127.0.0.1:" + port() + "/";
    }

    void stop() {
      server.stop(0);
      pool.shutdownNow();
    }
  }
}
