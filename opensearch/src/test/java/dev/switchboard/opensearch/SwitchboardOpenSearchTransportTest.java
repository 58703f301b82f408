package dev.switchboard.opensearch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.CallEvent;
import dev.switchboard.DecodeException;
import dev.switchboard.EventListener;
import dev.switchboard.GetWithBody;
import dev.switchboard.ServerErrorException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch.core.GetResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.transport.TransportException;
import org.opensearch.client.transport.TransportOptions;

/**
 * The mapping between the client and Switchboard, on each transport, against a loopback server that
 * records what it received and answers as a test scripts it: what goes on the wire, and what each
 * kind of answer becomes for the client's users.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SwitchboardOpenSearchTransportTest {
  static final List<String> TRANSPORTS = List.of("jdk", "apache", "okhttp");

  /** What the server received. */
  record Received(
      String method,
      String rawPath,
      String rawQuery,
      Map<String, List<String>> headers,
      byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** What the server answers. */
  record Answer(int status, String contentType, String body, Map<String, String> headers) {
    static Answer json(int status, String body) {
      return new Answer(status, "application/json", body, Map.of());
    }
  }

  HttpServer server;
  final List<Received> received = new ArrayList<>();
  volatile Answer answer = Answer.json(200, "{}");
  volatile CountDownLatch stall;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    server.createContext(
        "/",
        exchange -> {
          byte[] body;
          try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
          }
          synchronized (received) {
            received.add(
                new Received(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    body));
          }
          CountDownLatch s = stall;
          if (s != null) {
            try {
              s.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          Answer a = answer;
          byte[] bytes = a.body().getBytes(UTF_8);
          if (a.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", a.contentType());
          }
          a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
          boolean head = exchange.getRequestMethod().equals("HEAD");
          exchange.sendResponseHeaders(a.status(), head || bytes.length == 0 ? -1 : bytes.length);
          if (!head) {
            exchange.getResponseBody().write(bytes);
          }
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    CountDownLatch s = stall;
    if (s != null) {
      s.countDown();
    }
    server.stop(0);
  }

  static Stream<String> transports() {
    return TRANSPORTS.stream();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  Received last() {
    synchronized (received) {
      return received.get(received.size() - 1);
    }
  }

  static Transport http(String transport) {
    return Transports.create(
        TransportConfig.builder()
            .provider(transport)
            .getWithBody("okhttp".equals(transport) ? GetWithBody.AS_POST : GetWithBody.NATIVE)
            .build());
  }

  SwitchboardOpenSearchTransport transport(String name) {
    return SwitchboardOpenSearchTransport.builder(http(name), base()).build();
  }

  @ParameterizedTest
  @MethodSource("transports")
  void pathQueryAndHeadersAreTheEndpointsThenTheOptions(String name) throws IOException {
    answer = Answer.json(200, "{\"_index\":\"books\",\"_id\":\"x\",\"found\":false}");
    TransportOptions options =
        TransportOptions.builder()
            .addHeader("X-Opaque-Id", "trace-7")
            .setParameter("preference", "_local node")
            .setParameter("routing", "from-options")
            .build();
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      GetResponse<Void> r =
          new OpenSearchClient(os, options)
              .get(g -> g.index("books").id("b 1/ü").routing("from-endpoint"), Void.class);
      assertFalse(r.found());
    }
    Received got = last();
    assertEquals("GET", got.method());
    assertEquals("/books/_doc/b%201%2F%C3%BC", got.rawPath(), "the client's own path encoding");
    assertTrue(got.rawQuery().contains("preference=_local%20node"), got.rawQuery());
    assertTrue(
        got.rawQuery().contains("routing=from-options"), "an option replaces the endpoint's");
    assertFalse(got.rawQuery().contains("from-endpoint"), got.rawQuery());
    assertEquals("trace-7", got.header("X-Opaque-Id"));
    assertEquals("application/json", got.header("Accept"));
    assertTrue(got.header("User-Agent").startsWith("opensearch-java/"), got.header("User-Agent"));
    assertTrue(got.header("User-Agent").contains("Switchboard"), got.header("User-Agent"));
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aNodeWithAPathPrefixKeepsIt(String name) throws IOException {
    answer = Answer.json(200, "{\"cluster_name\":\"c\",\"status\":\"green\"}");
    URI prefixed = URI.create(base() + "/search/");
    try (SwitchboardOpenSearchTransport os =
        SwitchboardOpenSearchTransport.builder(http(name), prefixed).build()) {
      new OpenSearchClient(os).indices().exists(e -> e.index("books"));
    }
    assertEquals("/search/books", last().rawPath());
    assertEquals("HEAD", last().method());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aBulkIsNewlineDelimitedJsonFromMemoryWhenSmall(String name) throws IOException {
    answer = Answer.json(200, "{\"took\":1,\"errors\":false,\"items\":[]}");
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      new OpenSearchClient(os)
          .bulk(
              b ->
                  b.operations(
                      BulkOperation.of(
                          o -> o.index(i -> i.index("books").id("1").document(Map.of("t", "a")))),
                      BulkOperation.of(o -> o.delete(d -> d.index("books").id("2")))));
    }
    Received got = last();
    assertEquals("POST", got.method());
    assertEquals("/_bulk", got.rawPath());
    assertEquals("application/x-ndjson", got.header("Content-Type"));
    assertEquals(
        "{\"index\":{\"_id\":\"1\",\"_index\":\"books\"}}\n{\"t\":\"a\"}\n"
            + "{\"delete\":{\"_id\":\"2\",\"_index\":\"books\"}}\n",
        new String(got.body(), UTF_8));
    assertEquals(String.valueOf(got.body().length), got.header("Content-Length"));
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aLargeBulkIsStreamedChunkedAndArrivesWhole(String name) throws IOException {
    answer = Answer.json(200, "{\"took\":1,\"errors\":false,\"items\":[]}");
    int documents = 3_000;
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      new OpenSearchClient(os)
          .bulk(
              b ->
                  b.operations(
                      IntStream.range(0, documents)
                          .mapToObj(
                              i ->
                                  BulkOperation.of(
                                      o ->
                                          o.index(
                                              x ->
                                                  x.index("books")
                                                      .id(String.valueOf(i))
                                                      .document(
                                                          Map.of("n", i, "pad", "p".repeat(50))))))
                          .toList()));
    }
    Received got = last();
    assertNull(got.header("Content-Length"), "streamed: no length up front");
    assertEquals("chunked", got.header("Transfer-Encoding"));
    String[] lines = new String(got.body(), UTF_8).split("\n");
    assertEquals(2 * documents, lines.length);
    assertEquals("{\"index\":{\"_id\":\"2999\",\"_index\":\"books\"}}", lines[2 * documents - 2]);
    assertTrue(got.body().length > RequestBodies.BUFFERED_NDJSON_LIMIT);
  }

  @ParameterizedTest
  @MethodSource("transports")
  void everyErrorStatusIsTheServersErrorAsTheClientsException(String name) {
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      OpenSearchClient client = new OpenSearchClient(os);
      for (int status : new int[] {400, 404, 409, 429, 500, 503}) {
        answer =
            Answer.json(
                status,
                "{\"error\":{\"type\":\"t"
                    + status
                    + "\",\"reason\":\"r\"},\"status\":"
                    + status
                    + "}");
        OpenSearchException e =
            assertThrows(
                OpenSearchException.class, () -> client.search(s -> s.index("b"), Void.class));
        assertEquals(status, e.status());
        assertEquals("t" + status, e.error().type());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void anErrorThatIsNotTheServersShapeIsAnHttpExceptionCausedBySwitchboards(String name) {
    answer = new Answer(502, "text/html", "<html>bad gateway</html>", Map.of());
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      OpenSearchException e =
          assertThrows(
              OpenSearchException.class,
              () -> new OpenSearchClient(os).search(s -> s.index("b"), Void.class));
      assertEquals(502, e.status());
      assertEquals("http_exception", e.error().type());
      ServerErrorException cause = assertInstanceOf(ServerErrorException.class, e.getCause());
      assertEquals(502, cause.status());
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void anErrorWithoutBodyIsATransportException(String name) {
    answer = new Answer(500, null, "", Map.of());
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      TransportException e =
          assertThrows(
              TransportException.class,
              () -> new OpenSearchClient(os).search(s -> s.index("b"), Void.class));
      assertEquals("Request failed with status code '500'", e.getMessage());
      assertInstanceOf(ServerErrorException.class, e.getCause());
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void anUnreadableAnswerIsATransportExceptionCausedByADecodeException(String name) {
    answer = Answer.json(200, "{\"took\": \"not a number\", \"hits\": [1, 2");
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      TransportException e =
          assertThrows(
              TransportException.class,
              () -> new OpenSearchClient(os).search(s -> s.index("b"), Void.class));
      assertTrue(
          e.getMessage().startsWith("the response to POST /b/_search (HTTP 200)"), e.getMessage());
      DecodeException cause = assertInstanceOf(DecodeException.class, e.getCause());
      assertEquals(200, cause.status());
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void warningsFailTheCallOnlyWhenOnWarningsSaysSo(String name) throws IOException {
    answer =
        new Answer(
            200,
            "application/json",
            "{\"name\":\"n\",\"cluster_name\":\"c\",\"cluster_uuid\":\"u\",\"tagline\":\"t\","
                + "\"version\":{\"number\":\"2.19.6\",\"build_type\":\"tar\",\"build_hash\":\"h\","
                + "\"build_date\":\"d\",\"build_snapshot\":false,\"lucene_version\":\"9\","
                + "\"minimum_wire_compatibility_version\":\"7\","
                + "\"minimum_index_compatibility_version\":\"7\",\"distribution\":\"opensearch\"}}",
            Map.of("Warning", "299 OpenSearch \"this is deprecated\""));
    try (SwitchboardOpenSearchTransport os = transport(name)) {
      List<List<String>> seen = new ArrayList<>();
      OpenSearchClient tolerant =
          new OpenSearchClient(
              os, TransportOptions.builder().onWarnings(w -> seen.add(w) && false).build());
      assertEquals("n", tolerant.info().name());
      assertEquals(1, seen.size());
      assertTrue(seen.get(0).get(0).contains("this is deprecated"));

      OpenSearchClient strict =
          new OpenSearchClient(os, TransportOptions.builder().onWarnings(w -> true).build());
      TransportException e = assertThrows(TransportException.class, strict::info);
      assertTrue(e.getMessage().contains("this is deprecated"), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void cancellingTheAsyncCallCancelsTheExchange(String name) throws Exception {
    stall = new CountDownLatch(1);
    AtomicReference<dev.switchboard.TransportException> failed = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Transport http =
        Transports.create(
            TransportConfig.builder()
                .provider(name)
                .eventListener(
                    new EventListener() {
                      @Override
                      public void callFailed(CallEvent call, dev.switchboard.TransportException f) {
                        failed.set(f);
                        ended.countDown();
                      }
                    })
                .build());
    try (SwitchboardOpenSearchTransport os =
        SwitchboardOpenSearchTransport.builder(http, base()).build()) {
      CompletableFuture<?> call = new OpenSearchAsyncClient(os).info();
      waitUntilReceived();
      assertTrue(call.cancel(true));
      // the server stalls for 30 s: only the cancel can end the call sooner
      assertTrue(
          ended.await(10, TimeUnit.SECONDS), "the exchange ended when the call was cancelled");
      assertTrue(
          failed.get().getMessage().startsWith("the call was cancelled"),
          failed.get().getMessage());
    }
  }

  @Test
  void aNodeMustBeAnAbsoluteHttpUri() {
    Transport http = http("jdk");
    try {
      for (String bad :
          List.of(
              "localhost:9200", "/relative", "ftp://127.0.0.1/", "http://127.0.0.1:9200/?x=1")) {
        URI uri = URI.create(bad);
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> SwitchboardOpenSearchTransport.builder(http, uri));
        assertTrue(e.getMessage().contains(bad), e.getMessage());
        assertTrue(e.getMessage().contains("http://127.0.0.1:9200"), "says what would do");
      }
    } finally {
      http.close();
    }
  }

  @Test
  void closeClosesTheSwitchboardTransportUnlessToldNot() {
    Transport kept = http("jdk");
    SwitchboardOpenSearchTransport.builder(kept, base()).closeTransport(false).build().close();
    assertTrue(kept.execute(dev.switchboard.Request.get(base() + "/")).status() == 200);
    SwitchboardOpenSearchTransport.builder(kept, base()).build().close();
    assertThrows(
        dev.switchboard.TransportException.class,
        () -> kept.execute(dev.switchboard.Request.get(base() + "/")));
  }

  @Test
  void theUriTemplateElidesTheSegmentsThatNameData() {
    assertEquals("/{index}/_doc/{id}", EndpointRequests.template("/books/_doc/b%201"));
    assertEquals("/{index}/_search", EndpointRequests.template("/books,films/_search"));
    // a word of the API without an underscore cannot be told from data: elided too, still few
    assertEquals("/_cluster/{id}", EndpointRequests.template("/_cluster/health"));
    assertEquals("/_bulk", EndpointRequests.template("/_bulk"));
    assertEquals("/", EndpointRequests.template("/"));
  }

  private void waitUntilReceived() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      synchronized (received) {
        if (!received.isEmpty()) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the server received nothing in 30 s");
  }
}
