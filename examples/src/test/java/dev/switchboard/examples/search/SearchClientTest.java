package dev.switchboard.examples.search;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.ClientErrorException;
import dev.switchboard.ConflictException;
import dev.switchboard.ConnectionException;
import dev.switchboard.DecodeException;
import dev.switchboard.GetWithBody;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.NotFoundException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.cluster.ClusterTransport;
import dev.switchboard.cluster.NodeState;
import dev.switchboard.spi.TransportProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The search client against a real OpenSearch node (started once for the class), on every
 * transport: OkHttp with {@code getWithBody(AS_POST)}, the JDK and Apache clients natively.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SearchClientTest {
  /** The transports this module depends on; each must be present and is tested. */
  static final List<String> TRANSPORTS = Testing.TRANSPORTS;

  static final String BOOKS = Demo.INDEX;
  static final String WRITES = "writes";

  static EmbeddedOpenSearch node;
  static final Map<String, Transport> transports = new HashMap<>();

  static final Map<String, Object> MAPPINGS =
      Map.of(
          "properties", Map.of("title", Map.of("type", "text"), "year", Map.of("type", "integer")));

  @BeforeAll
  static void startNode() {
    node = EmbeddedOpenSearch.start();
    for (String name : TRANSPORTS) {
      transports.put(name, Transports.create(Testing.config(name)));
    }
    // shared by the tests: the demo's books (read only) and an index for the tests' writes
    SearchClient client = client(TRANSPORTS.get(0));
    Demo.load(client, new PrintStream(OutputStream.nullOutputStream(), true, UTF_8));
    SearchClient.await(client.createIndex(WRITES, MAPPINGS));
  }

  @AfterAll
  static void stopNode() {
    transports.values().forEach(Transport::close);
    if (node != null) {
      node.close();
    }
  }

  static Stream<String> transports() {
    return TRANSPORTS.stream();
  }

  private static SearchClient client(String transport) {
    return new SearchClient(transports.get(transport), node.uri());
  }

  /** A port on 127.0.0.1 that was free a moment ago and where nothing listens. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** An index name of its own for each test and transport, so tests never interfere. */
  private static String index(String test, String transport) {
    return (test + "-" + transport).toLowerCase(Locale.ROOT);
  }

  @Test
  void everyTransportThisModuleDependsOnIsPresent() {
    List<String> present = Transports.providers().stream().map(TransportProvider::name).toList();
    assertTrue(present.containsAll(TRANSPORTS), "present: " + present);
  }

  @ParameterizedTest
  @MethodSource("transports")
  void health(String transport) {
    ClusterHealth health = SearchClient.await(client(transport).health());
    assertEquals("switchboard-examples", health.clusterName());
    assertEquals("green", health.status());
    assertEquals(1, health.numberOfNodes());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void createIndexThenGetMappingThenDeleteIndex(String transport) {
    SearchClient client = client(transport);
    String index = index("mapping", transport);

    Acknowledged created = SearchClient.await(client.createIndex(index, MAPPINGS));
    assertEquals(new Acknowledged(index, true), created);

    IndexMapping mapping = SearchClient.await(client.getMapping(index));
    assertEquals(index, mapping.index());
    assertEquals(Map.of("title", "text", "year", "integer"), mapping.fieldTypes());

    assertEquals(new Acknowledged(index, true), SearchClient.await(client.deleteIndex(index)));
    NotFoundException gone =
        assertThrows(NotFoundException.class, () -> SearchClient.await(client.getMapping(index)));
    assertEquals("index_not_found_exception", ServerError.typeOf(gone).orElseThrow());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void indexThenGetDocument(String transport) {
    SearchClient client = client(transport);
    String id = "b 1/" + transport; // space and slash travel encoded in the path

    Map<String, Object> book = Map.of("title", "Effective Java", "year", 2018);
    Indexed indexed = SearchClient.await(client.index(WRITES, id, book));
    assertEquals(new Indexed(WRITES, id, 1, "created"), indexed);
    Indexed again = SearchClient.await(client.index(WRITES, id, book));
    assertEquals(2, again.version());
    assertEquals("updated", again.result());

    Document doc = SearchClient.await(client.get(WRITES, id));
    assertEquals(id, doc.id());
    assertEquals(2, doc.version());
    assertEquals(book, doc.source());

    // a missing document in an existing index: 404 without a server error type
    NotFoundException missing =
        assertThrows(NotFoundException.class, () -> SearchClient.await(client.get(WRITES, "nope")));
    assertEquals(404, missing.status());
    assertTrue(ServerError.of(missing).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void searchSendsItsQueryInTheBodyOfTheGet(String transport) {
    SearchClient client = client(transport);

    SearchResult java =
        SearchClient.await(client.search(BOOKS, Map.of("match", Map.of("title", "java"))));
    assertEquals(2, java.total());
    assertEquals(List.of("book-1", "book-2"), java.ids().stream().sorted().toList());
    assertTrue(java.hits().get(0).score() > 0);
    assertTrue(java.hits().get(0).source().get("title").toString().contains("Java"));
    assertEquals(
        transport.equals("okhttp") ? "POST" : "GET",
        Testing.searchMethodOnTheWire.get(transport),
        "the JDK and Apache send the GET with its body; OkHttp, set to AS_POST, a POST");

    // had the body been dropped, the server would have run match_all and returned all five
    SearchResult none =
        SearchClient.await(client.search(BOOKS, Map.of("match", Map.of("title", "kotlin"))));
    assertEquals(0, none.total());
    assertTrue(none.hits().isEmpty());

    SearchResult recent =
        SearchClient.await(
            client.search(BOOKS, Map.of("range", Map.of("year", Map.of("gte", 2010))), 1));
    assertEquals(3, recent.total());
    assertEquals(1, recent.hits().size(), "size travelled in the body too");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void missingIndexIsNotFound(String transport) {
    SearchClient client = client(transport);
    for (CompletableFuture<?> call :
        List.of(
            client.get("no-such-index", "1"),
            client.getMapping("no-such-index"),
            client.search("no-such-index", Map.of("match_all", Map.of())),
            client.deleteIndex("no-such-index"))) {
      NotFoundException e = assertThrows(NotFoundException.class, () -> SearchClient.await(call));
      assertEquals(transport, e.transport());
      ServerError error = ServerError.of(e).orElseThrow();
      assertEquals(404, error.status());
      assertEquals("index_not_found_exception", error.type());
      assertTrue(error.reason().contains("no-such-index"), error.reason());
    }
    // the same from async code: the typed exception is the cause of the CompletionException
    CompletionException async =
        assertThrows(CompletionException.class, () -> client.get("no-such-index", "1").join());
    assertInstanceOf(NotFoundException.class, async.getCause());
    assertEquals("index_not_found_exception", ServerError.typeOf(async).orElseThrow());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void creatingAnExistingIndexIsAClientErrorOfTypeResourceAlreadyExists(String transport) {
    SearchClient client = client(transport);
    // OpenSearch answers 400 (not 409) with its own error type
    ClientErrorException e =
        assertThrows(
            ClientErrorException.class,
            () -> SearchClient.await(client.createIndex(BOOKS, Demo.MAPPINGS)));
    assertFalse(e instanceof ConflictException);
    assertEquals(400, e.status());
    ServerError error = ServerError.of(e).orElseThrow();
    assertEquals("resource_already_exists_exception", error.type());
    assertTrue(error.reason().contains(BOOKS), error.reason());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void concurrentFromBlockingCodeReturnsResultsInOrder(String transport) {
    SearchClient client = client(transport);
    List<Object> results =
        client.concurrent(
            () -> client.getMapping(BOOKS),
            client::health,
            () -> client.search(BOOKS, Map.of("match", Map.of("title", "search"))),
            () -> client.get(BOOKS, "book-2"));
    assertEquals(4, results.size());
    assertEquals("keyword", ((IndexMapping) results.get(0)).fieldTypes().get("author"));
    assertEquals("green", ((ClusterHealth) results.get(1)).status());
    assertEquals(List.of("book-4"), ((SearchResult) results.get(2)).ids());
    assertEquals("Effective Java", ((Document) results.get(3)).source().get("title"));

    // one failure fails the whole, thrown as it is
    NotFoundException e =
        assertThrows(
            NotFoundException.class,
            () -> client.concurrent(client::health, () -> client.getMapping("no-such-index")));
    assertEquals("index_not_found_exception", ServerError.typeOf(e).orElseThrow());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void concurrentFromAsyncCodeComposesFutures(String transport) throws Exception {
    SearchClient client = client(transport);
    String word = "async" + transport; // only this test on this transport writes that word

    // load three documents at once, then ask three questions at once: nothing blocks
    CompletableFuture<String> story =
        client
            .<Indexed>concurrentAsync(
                List.of(
                    () -> client.index(WRITES, word + "-1", Map.of("title", word + " one")),
                    () -> client.index(WRITES, word + "-2", Map.of("title", word + " two")),
                    () -> client.index(WRITES, word + "-3", Map.of("title", "three"))))
            .thenCompose(
                loaded ->
                    client.<Object>concurrentAsync(
                        List.of(
                            () -> client.getMapping(BOOKS),
                            client::health,
                            () -> client.search(WRITES, Map.of("match", Map.of("title", word))))))
            .thenApply(
                r ->
                    ((IndexMapping) r.get(0)).fieldTypes().get("title")
                        + " "
                        + ((ClusterHealth) r.get(1)).status()
                        + " "
                        + ((SearchResult) r.get(2)).ids().stream().sorted().toList());
    assertEquals("text green [" + word + "-1, " + word + "-2]", story.get(30, TimeUnit.SECONDS));

    // a failure completes the composed future with the typed exception
    CompletableFuture<List<Object>> failing =
        client.concurrentAsync(List.of(client::health, () -> client.get("no-such-index", "1")));
    Throwable failure = assertThrows(Exception.class, failing::join);
    assertInstanceOf(NotFoundException.class, TransportException.unwrap(failure));
  }

  @ParameterizedTest
  @MethodSource("transports")
  void anAnswerOfAnotherShapeIsADecodeException(String transport) {
    // "_all" answers with one entry per index, none named "_all"
    DecodeException e =
        assertThrows(
            DecodeException.class, () -> SearchClient.await(client(transport).getMapping("_all")));
    assertEquals(200, e.status());
    assertTrue(e.getMessage().contains("no field '_all'"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void closedPortIsAConnectionException(String transport) throws IOException {
    SearchClient client =
        new SearchClient(transports.get(transport), URI.create("http://127.0.0.1:" + closedPort()));
    ConnectionException e =
        assertThrows(ConnectionException.class, () -> SearchClient.await(client.health()));
    assertFalse(e.requestSent());
    assertTrue(ServerError.of(e).isEmpty());
  }

  @Test
  void theObservedDemoShowsOneSpanTreeAndOneTimerPerRequestOnEveryTransport() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ObservedDemo.Observed o =
        ObservedDemo.observe(node.uri(), TRANSPORTS, new PrintStream(bytes, true, UTF_8));
    String printed = bytes.toString(UTF_8);
    for (String t : TRANSPORTS) {
      SpanData page =
          o.spans().stream()
              .filter(s -> s.getName().equals("search page [" + t + "]"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no page span for " + t + ":\n" + printed));
      List<String> children =
          o.spans().stream()
              .filter(s -> s.getParentSpanId().equals(page.getSpanId()))
              .map(s -> s.getKind() + " " + s.getName())
              .sorted()
              .toList();
      assertEquals(
          List.of(
              "CLIENT GET /_cluster/health",
              "CLIENT GET /{index}/_mapping",
              ("okhttp".equals(t) ? "CLIENT POST" : "CLIENT GET") + " /{index}/_search"),
          children,
          "the client spans under the page on " + t + ":\n" + printed);
      for (String template : List.of("/_cluster/health", "/{index}/_mapping", "/{index}/_search")) {
        io.micrometer.core.instrument.Timer timer =
            o.registry()
                .find("http.client.requests")
                .tag("transport", t)
                .tag("uri", template)
                .tag("outcome", "SUCCESS")
                .timer();
        assertTrue(timer != null && timer.count() == 1, template + " on " + t + ":\n" + printed);
      }
    }
    assertTrue(printed.contains("spans (OpenTelemetry)"), printed);
    assertTrue(printed.contains("metrics (Micrometer):"), printed);
  }

  @Test
  void theDemoRunsTheStoryOnEveryTransport() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<Demo.Row> rows =
        Demo.compare(node.uri(), TRANSPORTS, 1, 2, new PrintStream(bytes, true, UTF_8));
    String printed = bytes.toString(UTF_8);
    assertEquals(TRANSPORTS, rows.stream().map(Demo.Row::transport).toList());
    for (Demo.Row row : rows) {
      assertTrue(row.sequentialMillis() > 0 && row.concurrentMillis() > 0, row.toString());
      assertTrue(
          printed.contains(
                  "[" + row.transport() + "] mapping {title=text, author=keyword, year=integer}")
              || printed.contains("[" + row.transport() + "] mapping"),
          printed);
      assertTrue(printed.contains("search 'java': 2 hits"), printed);
    }
    assertTrue(printed.contains("one after another"), printed);
  }

  @Test
  void okHttpWithoutAsPostRefusesTheSearchInsteadOfHanging() {
    if (!TRANSPORTS.contains("okhttp")) {
      return;
    }
    try (Transport okhttp =
        Transports.create(
            TransportConfig.builder().provider("okhttp").getWithBody(GetWithBody.NATIVE).build())) {
      SearchClient client = new SearchClient(okhttp, node.uri());
      assertEquals("green", SearchClient.await(client.health()).status());
      assertThrows(
          dev.switchboard.UnsupportedFeatureException.class,
          () -> SearchClient.await(client.search("any", Map.of("match_all", Map.of()))));
    }
  }

  /**
   * Runs last: stops the shared node. A node that answered and then stopped gives a {@link
   * ConnectionException} on every transport.
   */
  @ParameterizedTest
  @MethodSource("transports")
  void throughAClusterWhoseFirstNodeIsDown(String transport) throws IOException {
    String dead = "http://127.0.0.1:" + closedPort();
    try (ClusterTransport cluster =
        ClusterTransport.builder(transports.get(transport))
            .nodes(dead, node.uri().toString())
            .closeTransport(false) // the class's transport, shared
            .build()) {
      SearchClient client = new SearchClient(cluster); // relative URIs, resolved per node

      // the first call tries the dead node (nothing sent), fails over to the live one
      assertEquals("green", SearchClient.await(client.health()).status());
      List<Object> results =
          client.concurrent(
              () -> client.getMapping(BOOKS),
              client::health,
              () -> client.search(BOOKS, Map.of("match", Map.of("title", "java"))));
      assertEquals("text", ((IndexMapping) results.get(0)).fieldTypes().get("title"));
      assertEquals(2, ((SearchResult) results.get(2)).total());

      // a server error is not a dead node: it ends the call, typed as usual
      NotFoundException e =
          assertThrows(
              NotFoundException.class, () -> SearchClient.await(client.get("no-such-index", "1")));
      assertEquals("index_not_found_exception", ServerError.typeOf(e).orElseThrow());

      List<NodeState> nodes = cluster.nodes();
      assertFalse(nodes.get(0).live(), nodes.toString());
      assertTrue(nodes.get(0).consecutiveFailures() >= 1, nodes.toString());
      assertTrue(nodes.get(1).live(), nodes.toString());
      assertEquals(0, nodes.get(1).consecutiveFailures(), nodes.toString());
    }
  }

  // ---------------------------------------------------------------- streaming

  static final int LOAD = 20_000;

  /**
   * Document {@code i} of a load: {@code n} is unique (the tie-breaker), {@code even} its parity.
   */
  static BulkDocument document(int i) {
    return new BulkDocument("d" + i, Map.of("n", i, "even", i % 2 == 0, "title", "doc " + i));
  }

  static final Map<String, Object> LOAD_MAPPINGS =
      Map.of(
          "properties",
          Map.of(
              "n", Map.of("type", "long"),
              "even", Map.of("type", "boolean"),
              "title", Map.of("type", "text")));

  /** Reads every hit of {@code index} with search_after; asserts each id of 0..count-1 once. */
  static void assertEveryDocumentOnce(SearchClient client, String index, int count, int pageSize) {
    Set<String> seen = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    int[] pages = {0};
    long[] last = {-1};
    client
        .searchAfter(index, Map.of("match_all", Map.of()), "n", pageSize)
        .forEach(
            page -> {
              pages[0]++;
              assertTrue(page.hits().size() <= pageSize, "a page holds at most pageSize hits");
              for (SearchResult.Hit h : page.hits()) {
                if (!seen.add(h.id())) {
                  duplicates.add(h.id());
                }
                long n = ((Number) h.source().get("n")).longValue();
                assertTrue(n > last[0], "sorted on the tie-breaker: " + n + " after " + last[0]);
                last[0] = n;
                assertEquals("d" + n, h.id(), "the source came with its hit");
              }
            });
    assertEquals(List.of(), duplicates, "no id twice");
    assertEquals(count, seen.size(), "every id");
    for (int i = 0; i < count; i++) {
      assertTrue(seen.contains("d" + i), "d" + i);
    }
    assertEquals((count + pageSize - 1) / pageSize, pages[0], "pages of " + pageSize);
  }

  @ParameterizedTest
  @MethodSource("transports")
  void bulkLoadsAGeneratedStreamThenSearchAfterReadsEveryDocumentOnce(String transport)
      throws IOException {
    SearchClient client = client(transport);
    String index = index("bulk", transport);
    SearchClient.await(client.createIndex(index, LOAD_MAPPINGS));
    try {
      AtomicInteger generated = new AtomicInteger();
      BulkResult r =
          SearchClient.await(
              client.bulk(
                  index,
                  () ->
                      IntStream.range(0, LOAD)
                          .mapToObj(SearchClientTest::document)
                          .peek(d -> generated.incrementAndGet())));
      assertEquals(new BulkResult(r.tookMillis(), LOAD, 0, List.of()), r);
      assertTrue(r.ok());
      assertEquals(LOAD, generated.get(), "each document generated once: one attempt");
      Body wire = Testing.bulkBodyOnTheWire.get(transport);
      assertFalse(wire.isInMemory(), "the NDJSON was written as it was sent");
      assertEquals(-1, wire.length(), "of unknown length: chunked");

      SearchClient.await(client.refresh(index));
      assertEquals(LOAD, SearchClient.await(client.count(index)));
      assertEveryDocumentOnce(client, index, LOAD, 1000);
    } finally {
      SearchClient.await(client.deleteIndex(index));
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void bulkCountsTheItemsThatFailedFromAnIteratorSentOnce(String transport) throws IOException {
    SearchClient client = client(transport);
    String index = index("bulk-errors", transport);
    SearchClient.await(client.createIndex(index, LOAD_MAPPINGS));
    try {
      Iterator<BulkDocument> docs =
          IntStream.range(0, 500)
              .mapToObj(
                  i ->
                      i % 100 == 7
                          ? new BulkDocument("bad" + i, Map.of("n", "not a number " + i))
                          : document(i))
              .iterator();
      BulkResult r = SearchClient.await(client.bulk(index, docs));
      assertEquals(500, r.items());
      assertEquals(5, r.errors());
      assertFalse(r.ok());
      assertEquals(
          List.of(7L, 107L, 207L, 307L, 407L),
          r.firstErrors().stream().map(BulkResult.ItemError::position).toList());
      BulkResult.ItemError first = r.firstErrors().get(0);
      assertEquals("bad7", first.id());
      assertEquals(400, first.status());
      assertEquals("mapper_parsing_exception", first.type());
      assertTrue(first.reason().contains("[n]"), first.reason());
      assertTrue(Testing.bulkBodyOnTheWire.get(transport).length() == -1);
      assertFalse(Testing.bulkBodyOnTheWire.get(transport).isRepeatable(), "sent once");
      SearchClient.await(client.refresh(index));
      assertEquals(495, SearchClient.await(client.count(index)));
    } finally {
      SearchClient.await(client.deleteIndex(index));
    }
  }

  /**
   * search_after on every transport, over an index loaded once with an in-memory {@code _bulk} (so
   * this runs even where an engine cannot stream request bodies yet).
   */
  @ParameterizedTest
  @MethodSource("transports")
  void searchAfterReadsALargeResultPageByPage(String transport) {
    SearchClient client = client(transport);
    String index = scanIndex();
    assertEveryDocumentOnce(client, index, LOAD, 1000);
    assertEveryDocumentOnce(client, index, LOAD, 7_000); // a short last page ends the stream

    List<String> odd =
        client
            .scan(index, Map.of("term", Map.of("even", false)), "n", 333)
            .limit(1000)
            .map(SearchResult.Hit::id)
            .toList();
    assertEquals(IntStream.range(0, 1000).mapToObj(i -> "d" + (2 * i + 1)).toList(), odd);

    NotFoundException missing =
        assertThrows(
            NotFoundException.class,
            () -> client.scan("no-such-index", Map.of("match_all", Map.of()), "n", 10).count());
    assertEquals("index_not_found_exception", ServerError.typeOf(missing).orElseThrow());
  }

  private static String scanIndex;

  /** The index search_after tests read: LOAD documents, loaded once by a buffered _bulk. */
  private static synchronized String scanIndex() {
    if (scanIndex == null) {
      SearchClient client = client(TRANSPORTS.get(0));
      SearchClient.await(client.createIndex("scan", LOAD_MAPPINGS));
      StringBuilder ndjson = new StringBuilder(LOAD * 80);
      for (int i = 0; i < LOAD; i++) {
        ndjson
            .append("{\"index\":{\"_id\":\"d")
            .append(i)
            .append("\"}}\n{\"n\":")
            .append(i)
            .append(",\"even\":")
            .append(i % 2 == 0)
            .append(",\"title\":\"doc ")
            .append(i)
            .append("\"}\n");
      }
      try {
        Response r =
            transports
                .get(TRANSPORTS.get(0))
                .execute(
                    Request.post(
                        node.uri() + "/scan/_bulk?refresh=true",
                        Body.of(ndjson.toString(), "application/x-ndjson")));
        assertEquals(200, r.status());
        assertEquals(LOAD, SearchClient.await(client.count("scan")));
      } catch (RuntimeException | AssertionError e) {
        SearchClient.await(client.deleteIndex("scan")); // the next test loads it again
        throw e;
      }
      scanIndex = "scan";
    }
    return scanIndex;
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void aStoppedNodeIsAConnectionException() throws InterruptedException {
    // every transport holds a live keep-alive connection to the node
    for (String name : TRANSPORTS) {
      assertEquals("green", SearchClient.await(client(name).health()).status(), name);
    }
    node.close();
    Thread.sleep(200); // let the clients see the node's connections close
    for (String name : TRANSPORTS) {
      SearchClient c = client(name);
      // A request after the stop may go out on a pooled connection the node closed. The JDK and
      // Apache clients notice the close while the connection is idle. OkHttp checks a pooled
      // connection thoroughly only before a non-GET (or after 10 s idle), so each GET is written
      // to one of its closed connections until none is left: each reads end-of-stream, which
      // Switchboard reports as MalformedResponseException (the request may have been sent).
      TransportException failure =
          assertThrows(TransportException.class, () -> SearchClient.await(c.health()), name);
      int stale = 0;
      while (name.equals("okhttp") && failure instanceof MalformedResponseException && stale < 64) {
        stale++;
        failure =
            assertThrows(TransportException.class, () -> SearchClient.await(c.health()), name);
      }
      if (stale > 0) {
        System.out.printf("%s: %d request(s) failed on a stale pooled connection%n", name, stale);
      }
      // then, on every transport: nothing listens, nothing was sent
      ConnectionException e =
          assertInstanceOf(ConnectionException.class, failure, name + " after " + stale + " stale");
      assertEquals(name, e.transport());
      assertFalse(e.requestSent(), name);
      assertTrue(ServerError.of(e).isEmpty());
    }
  }
}
