package dev.switchboard.examples.search;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.CallEvent;
import dev.switchboard.ConnectionException;
import dev.switchboard.EventListener;
import dev.switchboard.ReadTimeoutException;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.Transport;
import dev.switchboard.Transports;
import dev.switchboard.cluster.ClusterTransport;
import dev.switchboard.cluster.NodeState;
import dev.switchboard.micrometer.MicrometerEventListener;
import dev.switchboard.opensearch.SwitchboardOpenSearchTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Refresh;

/**
 * What the official client gets from Switchboard and from none of its own transports: failover
 * inside one deadline, a bounded wait on a node that stalls, and an event for every call — each on
 * every transport, against the real node and loopback servers that misbehave on purpose.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OfficialClientFaultsTest {
  /** Far above every bound the tests set (0.5 to 10 s), far below a hang. */
  static final Duration GENEROUS = Duration.ofSeconds(30);

  static EmbeddedOpenSearch node;

  @BeforeAll
  static void start() {
    node = EmbeddedOpenSearch.start();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static Stream<String> transports() {
    return Testing.TRANSPORTS.stream();
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aDeadFirstNodeFailsOverInsideOneDeadline(String transport) throws IOException {
    URI dead = URI.create("http://127.0.0.1:" + closedPort());
    ClusterTransport cluster =
        ClusterTransport.builder(Transports.create(Testing.config(transport)))
            .node(dead)
            .node(node.uri())
            .selector(candidates -> candidates.get(0)) // the dead node first, every time
            .requestTimeout(Duration.ofSeconds(10))
            .build();
    try (SwitchboardOpenSearchTransport os =
        SwitchboardOpenSearchTransport.builder(cluster).build()) {
      OpenSearchClient client = new OpenSearchClient(os);
      long start = System.nanoTime();
      assertEquals("switchboard-examples", client.info().clusterName());
      assertTrue(elapsed(start).compareTo(Duration.ofSeconds(10)) < 0, "inside the deadline");

      NodeState first = cluster.nodes().get(0);
      assertEquals(dead, first.node().url());
      assertFalse(first.live(), "the refused node is marked dead: " + first);
      assertTrue(cluster.nodes().get(1).live());
      // later calls skip the dead node while it is dead
      assertTrue(client.ping().value());
      assertEquals(1, cluster.nodes().get(0).consecutiveFailures());
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void whenEveryNodeIsDownTheCallFailsTypedAndBounded(String transport) throws Exception {
    ClusterTransport cluster =
        ClusterTransport.builder(Transports.create(Testing.config(transport)))
            .nodes("http://127.0.0.1:" + closedPort(), "http://127.0.0.1:" + closedPort())
            .requestTimeout(Duration.ofSeconds(10))
            .build();
    try (SwitchboardOpenSearchTransport os =
        SwitchboardOpenSearchTransport.builder(cluster).build()) {
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class, () -> new OpenSearchClient(os).info());
      assertTrue(elapsed(start).compareTo(GENEROUS) < 0);
      assertInstanceOf(org.opensearch.client.transport.TransportException.class, e);
      assertInstanceOf(ConnectionException.class, e.getCause(), "Switchboard's type, as cause");
      assertEquals(e.getCause().getMessage(), e.getMessage(), "Switchboard's message");

      ExecutionException async =
          assertThrows(
              ExecutionException.class,
              () ->
                  new OpenSearchAsyncClient(os).info().get(GENEROUS.toSeconds(), TimeUnit.SECONDS));
      assertInstanceOf(org.opensearch.client.transport.TransportException.class, async.getCause());
      assertInstanceOf(ConnectionException.class, async.getCause().getCause());
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aNodeThatNeverAnswersHitsTheResponseTimeout(String transport) throws Exception {
    try (StallingNode stalling = new StallingNode(null);
        SwitchboardOpenSearchTransport os =
            SwitchboardOpenSearchTransport.builder(
                    Transports.create(
                        Testing.config(transport).toBuilder()
                            .responseTimeout(Duration.ofMillis(500))
                            .build()),
                    stalling.uri())
                .build()) {
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class, () -> new OpenSearchClient(os).info());
      Duration took = elapsed(start);
      assertInstanceOf(ResponseTimeoutException.class, e.getCause(), e.toString());
      assertTrue(took.compareTo(Duration.ofMillis(450)) >= 0, "not before the timeout: " + took);
      assertTrue(took.compareTo(GENEROUS) < 0, "bounded: " + took);
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aNodeThatStallsMidAnswerHitsTheReadTimeout(String transport) throws Exception {
    String head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            + "{\"name\":\"stalling\",";
    try (StallingNode stalling = new StallingNode(head);
        SwitchboardOpenSearchTransport os =
            SwitchboardOpenSearchTransport.builder(
                    Transports.create(
                        Testing.config(transport).toBuilder()
                            .readTimeout(Duration.ofMillis(500))
                            .build()),
                    stalling.uri())
                .build()) {
      long start = System.nanoTime();
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  new OpenSearchAsyncClient(os).info().get(GENEROUS.toSeconds(), TimeUnit.SECONDS));
      assertInstanceOf(org.opensearch.client.transport.TransportException.class, e.getCause());
      assertInstanceOf(ReadTimeoutException.class, e.getCause().getCause(), e.toString());
      assertTrue(elapsed(start).compareTo(GENEROUS) < 0);
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void everyCallOfTheClientIsAnEventAndAMetric(String transport) throws Exception {
    List<String> ended = new CopyOnWriteArrayList<>();
    EventListener recorder =
        new EventListener() {
          @Override
          public void callEnd(CallEvent call, int status) {
            ended.add(
                call.request().method() + " " + call.request().uri().getPath() + " " + status);
          }

          @Override
          public void callFailed(CallEvent call, dev.switchboard.TransportException failure) {
            ended.add(call.request().method() + " " + call.request().uri().getPath() + " failed");
          }
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Transport http =
        Transports.create(
            Testing.config(transport).toBuilder()
                // the recorder last: once it has seen a call's end, the metric is recorded too
                .eventListener(
                    EventListener.all(MicrometerEventListener.create(registry), recorder))
                .build());
    String index = "events-" + transport;
    try (SwitchboardOpenSearchTransport os =
        SwitchboardOpenSearchTransport.builder(http, node.uri()).build()) {
      OpenSearchClient client = new OpenSearchClient(os);
      client.indices().create(c -> c.index(index).settings(s -> s.numberOfReplicas(0)));
      client.index(
          i ->
              i.index(index)
                  .id("1")
                  .document(new OfficialClientTest.Book("Emma", 1815, "classic"))
                  .refresh(Refresh.True));
      client.search(s -> s.index(index), OfficialClientTest.Book.class);
      assertThrows(
          Exception.class, () -> client.search(s -> s.index("no-such-" + index), Void.class));
    }
    // a call's end may be told just after its caller has its answer: wait for the last (bounded)
    long deadline = System.nanoTime() + GENEROUS.toNanos();
    while (ended.size() < 4 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(
        List.of(
            "POST /" + index + "/_search 200",
            "POST /no-such-" + index + "/_search failed",
            "PUT /" + index + " 200",
            "PUT /" + index + "/_doc/1 201"),
        ended.stream().sorted().toList());
    var searches =
        registry.find(MicrometerEventListener.TIMER).tag("uri", "/{index}/_search").timers();
    assertEquals(
        2, searches.stream().mapToLong(t -> t.count()).sum(), "low-cardinality uri: " + searches);
    assertEquals(
        1,
        registry
            .find(MicrometerEventListener.TIMER)
            .tag("uri", "/{index}/_doc/{id}")
            .timer()
            .count());
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /** A port on 127.0.0.1 that was free a moment ago and where nothing listens. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /**
   * A node that accepts connections, reads the request head, writes {@code head} (or nothing) and
   * then says nothing more until closed.
   */
  static final class StallingNode implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    StallingNode(String head) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    readHead(socket.getInputStream());
                    if (head != null) {
                      OutputStream out = socket.getOutputStream();
                      out.write(head.getBytes(US_ASCII));
                      out.flush();
                    }
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "stalling-node");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private static void readHead(InputStream in) throws IOException {
      int matched = 0;
      for (int b; matched < 4 && (b = in.read()) != -1; ) {
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
    }
  }
}
