package dev.switchboard.examples.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.ClientErrorException;
import dev.switchboard.ConflictException;
import dev.switchboard.ConnectionException;
import dev.switchboard.GetWithBody;
import dev.switchboard.NotFoundException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.spi.TransportProvider;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The search client against a real OpenSearch node (started once for the class), on every
 * transport: OkHttp with {@code getWithBody(AS_POST)}, the JDK and Apache clients natively.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SearchClientTest {
  /** The transports this module depends on; each must be present and is tested. */
  static final List<String> TRANSPORTS = Testing.TRANSPORTS;

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
    String index = index("doc", transport);
    SearchClient.await(client.createIndex(index, MAPPINGS));

    Map<String, Object> book = Map.of("title", "Effective Java", "year", 2018);
    Indexed indexed = SearchClient.await(client.index(index, "b 1", book));
    assertEquals(new Indexed(index, "b 1", 1, "created"), indexed);
    Indexed again = SearchClient.await(client.index(index, "b 1", book));
    assertEquals(2, again.version());
    assertEquals("updated", again.result());

    Document doc = SearchClient.await(client.get(index, "b 1"));
    assertEquals("b 1", doc.id());
    assertEquals(2, doc.version());
    assertEquals(book, doc.source());

    // a missing document in an existing index: 404 without a server error type
    NotFoundException missing =
        assertThrows(NotFoundException.class, () -> SearchClient.await(client.get(index, "nope")));
    assertEquals(404, missing.status());
    assertTrue(ServerError.of(missing).isEmpty());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void searchSendsItsQueryInTheBodyOfTheGet(String transport) {
    SearchClient client = client(transport);
    String index = index("search", transport);
    SearchClient.await(client.createIndex(index, MAPPINGS));
    SearchClient.await(client.index(index, "1", Map.of("title", "Effective Java", "year", 2018)));
    SearchClient.await(
        client.index(index, "2", Map.of("title", "Java Concurrency in Practice", "year", 2006)));
    SearchClient.await(client.index(index, "3", Map.of("title", "Relevant Search", "year", 2016)));

    SearchResult java =
        SearchClient.await(client.search(index, Map.of("match", Map.of("title", "java"))));
    assertEquals(2, java.total());
    assertEquals(List.of("1", "2"), java.ids().stream().sorted().toList());
    assertTrue(java.hits().get(0).score() > 0);

    // had the body been dropped, the server would have run match_all and returned all three
    SearchResult none =
        SearchClient.await(client.search(index, Map.of("match", Map.of("title", "kotlin"))));
    assertEquals(0, none.total());
    assertTrue(none.hits().isEmpty());

    SearchResult range =
        SearchClient.await(
            client.search(index, Map.of("range", Map.of("year", Map.of("gte", 2010))), 1));
    assertEquals(2, range.total());
    assertEquals(1, range.hits().size(), "size travelled in the body too");
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
    String index = index("exists", transport);
    SearchClient.await(client.createIndex(index, MAPPINGS));

    // OpenSearch answers 400 (not 409) with its own error type
    ClientErrorException e =
        assertThrows(
            ClientErrorException.class,
            () -> SearchClient.await(client.createIndex(index, MAPPINGS)));
    assertFalse(e instanceof ConflictException);
    assertEquals(400, e.status());
    assertEquals("resource_already_exists_exception", ServerError.typeOf(e).orElseThrow());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void concurrentFromBlockingCodeReturnsResultsInOrder(String transport) {
    SearchClient client = client(transport);
    String index = index("concurrent", transport);
    SearchClient.await(client.createIndex(index, MAPPINGS));
    SearchClient.await(client.index(index, "1", Map.of("title", "Effective Java", "year", 2018)));

    List<Object> results =
        client.concurrent(
            () -> client.getMapping(index),
            client::health,
            () -> client.search(index, Map.of("match", Map.of("title", "java"))),
            () -> client.get(index, "1"));
    assertEquals(4, results.size());
    assertEquals("text", ((IndexMapping) results.get(0)).fieldTypes().get("title"));
    assertEquals("green", ((ClusterHealth) results.get(1)).status());
    assertEquals(List.of("1"), ((SearchResult) results.get(2)).ids());
    assertEquals("1", ((Document) results.get(3)).id());

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
    String index = index("async", transport);

    // create, then load three documents at once, then ask three questions at once: no blocking
    CompletableFuture<String> story =
        client
            .createIndex(index, MAPPINGS)
            .thenCompose(
                created ->
                    client.<Indexed>concurrentAsync(
                        List.of(
                            () -> client.index(index, "1", Map.of("title", "Effective Java")),
                            () -> client.index(index, "2", Map.of("title", "Modern Java")),
                            () -> client.index(index, "3", Map.of("title", "Search"))))) //
            .thenCompose(
                loaded ->
                    client.<Object>concurrentAsync(
                        List.of(
                            () -> client.getMapping(index),
                            client::health,
                            () -> client.search(index, Map.of("match", Map.of("title", "java"))))))
            .thenApply(
                r ->
                    ((IndexMapping) r.get(0)).fieldTypes().get("title")
                        + " "
                        + ((ClusterHealth) r.get(1)).status()
                        + " "
                        + ((SearchResult) r.get(2)).total());
    assertEquals("text green 2", story.get(30, TimeUnit.SECONDS));

    // a failure completes the composed future with the typed exception
    CompletableFuture<List<Object>> failing =
        client.concurrentAsync(List.of(client::health, () -> client.get("no-such-index", "1")));
    Throwable failure = assertThrows(Exception.class, failing::join);
    assertInstanceOf(NotFoundException.class, SearchClient.unwrap(failure));
  }

  @ParameterizedTest
  @MethodSource("transports")
  void closedPortIsAConnectionException(String transport) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    SearchClient client =
        new SearchClient(transports.get(transport), URI.create("http://127.0.0.1:" + port));
    ConnectionException e =
        assertThrows(ConnectionException.class, () -> SearchClient.await(client.health()));
    assertFalse(e.requestSent());
    assertTrue(ServerError.of(e).isEmpty());
  }

  @Test
  void theDemoRunsTheStoryOnEveryTransport() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out =
        new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
    List<Demo.Row> rows = Demo.story(node.uri(), TRANSPORTS, 1, 3, out);
    String printed = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
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
}
