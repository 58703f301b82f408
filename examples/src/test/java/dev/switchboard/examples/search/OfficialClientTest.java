package dev.switchboard.examples.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Transport;
import dev.switchboard.Transports;
import dev.switchboard.opensearch.SwitchboardOpenSearchTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opensearch.client.opensearch.OpenSearchAsyncClient;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._helpers.bulk.BulkIngester;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.aggregations.LongTermsBucket;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.GetResponse;
import org.opensearch.client.opensearch.core.IndexResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.indices.CreateIndexResponse;

/**
 * The official opensearch-java client, unchanged, on each Switchboard transport against a real
 * OpenSearch node: the scenarios its own integration tests cover (index lifecycle, documents, bulk,
 * search, aggregations, paging, updates, errors, the async client), rewritten here.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OfficialClientTest {
  static EmbeddedOpenSearch node;
  static final Map<String, OpenSearchClient> clients = new HashMap<>();
  static final Map<String, OpenSearchAsyncClient> asyncClients = new HashMap<>();

  /** A book, read and written by the client's Jackson mapper. */
  public record Book(String title, int year, String genre) {}

  static final List<Book> SHELF =
      List.of(
          new Book("Dune", 1965, "sf"),
          new Book("Foundation", 1951, "sf"),
          new Book("Hyperion", 1989, "sf"),
          new Book("Emma", 1815, "classic"),
          new Book("Persuasion", 1817, "classic"),
          new Book("Neuromancer", 1984, "sf"),
          new Book("Middlemarch", 1871, "classic"));

  @BeforeAll
  static void start() {
    node = EmbeddedOpenSearch.start();
    for (String name : Testing.TRANSPORTS) {
      Transport http = Transports.create(Testing.config(name));
      SwitchboardOpenSearchTransport transport =
          SwitchboardOpenSearchTransport.builder(http, node.uri()).build();
      clients.put(name, new OpenSearchClient(transport));
      asyncClients.put(name, new OpenSearchAsyncClient(transport));
    }
  }

  @AfterAll
  static void stop() throws IOException {
    for (OpenSearchClient client : clients.values()) {
      client._transport().close();
    }
    if (node != null) {
      node.close();
    }
  }

  static Stream<String> transports() {
    return Testing.TRANSPORTS.stream();
  }

  private static String index(String test, String transport) {
    return (test + "-" + transport).toLowerCase(Locale.ROOT);
  }

  /** Creates {@code index} with the books' mapping and loads the shelf in one bulk, refreshed. */
  private static void loadShelf(OpenSearchClient client, String index) throws IOException {
    CreateIndexResponse created =
        client
            .indices()
            .create(
                c ->
                    c.index(index)
                        .settings(s -> s.numberOfShards(1).numberOfReplicas(0))
                        .mappings(
                            m ->
                                m.properties("title", p -> p.text(t -> t))
                                    .properties("year", p -> p.integer(i -> i))
                                    .properties("genre", p -> p.keyword(k -> k))));
    assertTrue(created.acknowledged());
    List<BulkOperation> operations = new ArrayList<>();
    for (int i = 0; i < SHELF.size(); i++) {
      String id = "book-" + i;
      Book book = SHELF.get(i);
      operations.add(BulkOperation.of(o -> o.index(x -> x.index(index).id(id).document(book))));
    }
    BulkResponse bulk = client.bulk(b -> b.operations(operations).refresh(Refresh.True));
    assertFalse(bulk.errors(), () -> bulk.items().toString());
    assertEquals(SHELF.size(), bulk.items().size());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void clusterHealthAndInfo(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    var health = client.cluster().health();
    assertEquals("switchboard-examples", health.clusterName());
    assertEquals(HealthStatus.Green, health.status());
    assertEquals(1, health.numberOfNodes());
    assertEquals("switchboard-node-1", client.info().name());
    assertTrue(client.ping().value(), "ping: a HEAD answered 200");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void indexLifecycleWithMappings(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("lifecycle", transport);
    assertFalse(client.indices().exists(e -> e.index(index)).value(), "a HEAD answered 404");
    loadShelf(client, index);
    assertTrue(client.indices().exists(e -> e.index(index)).value());
    var mapping = client.indices().getMapping(g -> g.index(index)).result().get(index);
    assertTrue(mapping.mappings().properties().get("title").isText());
    assertTrue(mapping.mappings().properties().get("genre").isKeyword());
    assertTrue(client.indices().delete(d -> d.index(index)).acknowledged());
    assertFalse(client.indices().exists(e -> e.index(index)).value());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void indexGetUpdateDeleteDocuments(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("documents", transport);
    String id = "b 1/ü"; // a space, a slash and a non-ASCII letter travel encoded in the path
    Book dune = new Book("Dune", 1965, "sf");
    // no replicas on a single node, so that health stays green for the other tests
    client.indices().create(c -> c.index(index).settings(s -> s.numberOfReplicas(0)));

    IndexResponse indexed =
        client.index(i -> i.index(index).id(id).document(dune).refresh(Refresh.True));
    assertEquals(id, indexed.id());
    assertEquals(1L, indexed.version());

    GetResponse<Book> got = client.get(g -> g.index(index).id(id), Book.class);
    assertTrue(got.found());
    assertEquals(dune, got.source());

    client.update(
        u -> u.index(index).id(id).doc(Map.of("year", 1966)).refresh(Refresh.True), Book.class);
    assertEquals(1966, client.get(g -> g.index(index).id(id), Book.class).source().year());

    // a missing document is an answer (found: false), not an error
    GetResponse<Book> missing = client.get(g -> g.index(index).id("nope"), Book.class);
    assertFalse(missing.found());
    assertNull(missing.source());

    // creating a document that exists: the server's 409, as the client's exception
    OpenSearchException conflict =
        assertThrows(
            OpenSearchException.class,
            () -> client.create(c -> c.index(index).id(id).document(dune)));
    assertEquals(409, conflict.status());
    assertEquals("version_conflict_engine_exception", conflict.error().type());

    assertEquals(
        "deleted",
        client.delete(d -> d.index(index).id(id).refresh(Refresh.True)).result().jsonValue());
    assertFalse(client.exists(e -> e.index(index).id(id)).value());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aMissingIndexIsTheClientsOwnException(String transport) {
    OpenSearchClient client = clients.get(transport);
    OpenSearchException e =
        assertThrows(
            OpenSearchException.class,
            () -> client.search(s -> s.index("no-such-index-" + transport), Book.class));
    assertEquals(404, e.status());
    assertEquals("index_not_found_exception", e.error().type());
    assertTrue(e.getMessage().contains("no such index"), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void searchWithAQueryAggregationsAndSearchAfterPaging(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("search", transport);
    loadShelf(client, index);

    SearchResponse<Book> sf =
        client.search(
            s ->
                s.index(index)
                    .query(q -> q.term(t -> t.field("genre").value(FieldValue.of("sf"))))
                    .size(10),
            Book.class);
    assertEquals(4, sf.hits().total().value());
    assertTrue(sf.hits().hits().stream().allMatch(h -> h.source().genre().equals("sf")));

    SearchResponse<Book> dune =
        client.search(
            s ->
                s.index(index)
                    .query(q -> q.match(m -> m.field("title").query(FieldValue.of("dune")))),
            Book.class);
    assertEquals(List.of("Dune"), titles(dune.hits().hits()));

    SearchResponse<Book> byGenre =
        client.search(
            s ->
                s.index(index)
                    .size(0)
                    .aggregations("genres", a -> a.terms(t -> t.field("genre")))
                    .aggregations("oldest", a -> a.min(m -> m.field("year"))),
            Book.class);
    Map<String, Long> counts = new HashMap<>();
    byGenre
        .aggregations()
        .get("genres")
        .sterms()
        .buckets()
        .array()
        .forEach(b -> counts.put(b.key(), b.docCount()));
    assertEquals(Map.of("sf", 4L, "classic", 3L), counts);
    assertEquals(1815.0, byGenre.aggregations().get("oldest").min().value());

    // search_after: pages of 3 by year, each page continuing after the last hit's sort values
    List<String> paged = new ArrayList<>();
    List<FieldValue> after = null;
    for (int page = 0; page < 5; page++) {
      List<FieldValue> from = after;
      SearchResponse<Book> r =
          client.search(
              s -> {
                s.index(index)
                    .size(3)
                    .sort(o -> o.field(f -> f.field("year").order(SortOrder.Asc)));
                return from == null ? s : s.searchAfter(from);
              },
              Book.class);
      if (r.hits().hits().isEmpty()) {
        break;
      }
      paged.addAll(titles(r.hits().hits()));
      after = r.hits().hits().get(r.hits().hits().size() - 1).sort();
    }
    assertEquals(
        List.of(
            "Emma", "Persuasion", "Middlemarch", "Foundation", "Dune", "Neuromancer", "Hyperion"),
        paged);
  }

  @ParameterizedTest
  @MethodSource("transports")
  void theGenericClientSendsAGetWithItsBody(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("generic", transport);
    loadShelf(client, index);
    try (var response =
        client
            .generic()
            .execute(
                Requests.builder()
                    .method("GET")
                    .endpoint("/" + index + "/_search")
                    .json("{\"query\":{\"match\":{\"title\":\"emma\"}}}")
                    .build())) {
      assertEquals(200, response.getStatus());
      String body = response.getBody().orElseThrow().bodyAsString();
      assertTrue(body.contains("\"value\":1"), "had the body been dropped, all 7 match: " + body);
    }
    assertEquals(
        transport.equals("okhttp") ? "POST" : "GET",
        Testing.searchMethodOnTheWire.get(transport),
        "the JDK and Apache send the GET with its body; OkHttp, set to AS_POST, a POST");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void aLargeBulkIsStreamedAndLoadsEveryDocument(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("large-bulk", transport);
    client.indices().create(c -> c.index(index).settings(s -> s.numberOfReplicas(0)));
    String filler = "x".repeat(200);
    List<BulkOperation> operations =
        IntStream.range(0, 2_000)
            .mapToObj(
                i ->
                    BulkOperation.of(
                        o ->
                            o.index(
                                x ->
                                    x.index(index)
                                        .id("d" + i)
                                        .document(new Book(filler + i, i, "bulk")))))
            .toList();
    BulkResponse bulk = client.bulk(b -> b.operations(operations).refresh(Refresh.True));
    assertFalse(bulk.errors());
    assertEquals(2_000, bulk.items().size());
    assertEquals(2_000L, client.count(c -> c.index(index)).count());
    var sent = Testing.bulkBodyOnTheWire.get(transport);
    assertNotNull(sent);
    assertFalse(sent.isInMemory(), "a bulk of ~500 KB goes as a stream, not from memory");
    assertEquals(-1, sent.length(), "of unknown length: chunked");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void theAsyncClientRunsSeveralCallsAtOnce(String transport) throws Exception {
    OpenSearchClient client = clients.get(transport);
    OpenSearchAsyncClient async = asyncClients.get(transport);
    String index = index("async", transport);
    loadShelf(client, index);

    CompletableFuture<SearchResponse<Book>> classics =
        async.search(
            s ->
                s.index(index)
                    .query(q -> q.term(t -> t.field("genre").value(FieldValue.of("classic")))),
            Book.class);
    var health = async.cluster().health();
    CompletableFuture<GetResponse<Book>> first =
        async.get(g -> g.index(index).id("book-0"), Book.class);
    var count = async.count(c -> c.index(index));
    var missing = async.get(g -> g.index("no-such-index-" + transport).id("1"), Book.class);

    assertEquals(3, classics.get(30, TimeUnit.SECONDS).hits().total().value());
    assertEquals(HealthStatus.Green, health.get(30, TimeUnit.SECONDS).status());
    assertEquals(SHELF.get(0), first.get(30, TimeUnit.SECONDS).source());
    assertEquals(SHELF.size(), count.get(30, TimeUnit.SECONDS).count());
    var failure = assertThrows(Exception.class, () -> missing.get(30, TimeUnit.SECONDS));
    OpenSearchException e = assertInstanceOf(OpenSearchException.class, failure.getCause());
    assertEquals("index_not_found_exception", e.error().type());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void theAggregationOfLongsReadsAsTheClientsTypes(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("years", transport);
    loadShelf(client, index);
    SearchResponse<Void> r =
        client.search(
            s ->
                s.index(index)
                    .size(0)
                    .aggregations("years", a -> a.terms(t -> t.field("year").size(3))),
            Void.class);
    List<LongTermsBucket> buckets = r.aggregations().get("years").lterms().buckets().array();
    assertEquals(3, buckets.size());
    assertTrue(buckets.stream().allMatch(b -> b.docCount() == 1));
  }

  @ParameterizedTest
  @MethodSource("transports")
  void multiSearchAndMultiGet(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("multi", transport);
    loadShelf(client, index);

    var msearch =
        client.msearch(
            m ->
                m.index(index)
                    .searches(
                        s ->
                            s.header(h -> h)
                                .body(
                                    b ->
                                        b.query(
                                            q ->
                                                q.term(
                                                    t ->
                                                        t.field("genre")
                                                            .value(FieldValue.of("sf"))))))
                    .searches(
                        s ->
                            s.header(h -> h.index(index))
                                .body(
                                    b ->
                                        b.query(
                                            q ->
                                                q.match(
                                                    m2 ->
                                                        m2.field("title")
                                                            .query(FieldValue.of("emma")))))),
            Book.class);
    assertEquals(2, msearch.responses().size());
    assertEquals(4, msearch.responses().get(0).result().hits().total().value());
    assertEquals(List.of("Emma"), titles(msearch.responses().get(1).result().hits().hits()));

    var mget = client.mget(g -> g.index(index).ids("book-0", "book-3", "nope"), Book.class);
    assertEquals(3, mget.docs().size());
    assertEquals(SHELF.get(0), mget.docs().get(0).result().source());
    assertEquals(SHELF.get(3), mget.docs().get(1).result().source());
    assertFalse(mget.docs().get(2).result().found());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void countRefreshCatAndSettings(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("cat", transport);
    loadShelf(client, index);
    client.index(i -> i.index(index).id("late").document(new Book("Late", 2020, "sf")));
    client.indices().refresh(r -> r.index(index));
    assertEquals(SHELF.size() + 1, client.count(c -> c.index(index)).count());

    var cat = client.cat().indices(c -> c.index(index));
    assertEquals(1, cat.valueBody().size());
    assertEquals(index, cat.valueBody().get(0).index());
    assertEquals(String.valueOf(SHELF.size() + 1), cat.valueBody().get(0).docsCount());

    var settings = client.indices().getSettings(g -> g.index(index)).result().get(index);
    assertEquals(0, settings.settings().index().numberOfReplicas());
    client
        .indices()
        .putSettings(p -> p.index(index).settings(x -> x.refreshInterval(t -> t.time("5s"))));
    var changed = client.indices().getSettings(g -> g.index(index)).result().get(index);
    assertEquals("5s", changed.settings().index().refreshInterval().time());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void highlightsAndSourceFiltering(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("highlight", transport);
    loadShelf(client, index);
    SearchResponse<Map> r =
        client.search(
            s ->
                s.index(index)
                    .query(q -> q.match(m -> m.field("title").query(FieldValue.of("persuasion"))))
                    .highlight(h -> h.fields("title", f -> f))
                    .source(src -> src.filter(f -> f.includes("year"))),
            Map.class);
    Hit<Map> hit = r.hits().hits().get(0);
    assertEquals(List.of("<em>Persuasion</em>"), hit.highlight().get("title"));
    assertEquals(Map.of("year", 1817), hit.source(), "only the included field");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void scrollThroughEveryDocumentThenClearTheScroll(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("scroll", transport);
    loadShelf(client, index);
    SearchResponse<Book> page =
        client.search(
            s ->
                s.index(index)
                    .size(2)
                    .scroll(t -> t.time("1m"))
                    .sort(o -> o.field(f -> f.field("year"))),
            Book.class);
    List<String> seen = new ArrayList<>(titles(page.hits().hits()));
    String scrollId = page.scrollId();
    while (true) {
      String id = scrollId;
      var next = client.scroll(r -> r.scrollId(id).scroll(t -> t.time("1m")), Book.class);
      if (next.hits().hits().isEmpty()) {
        break;
      }
      seen.addAll(titles(next.hits().hits()));
      scrollId = next.scrollId();
    }
    assertEquals(
        List.of(
            "Emma", "Persuasion", "Middlemarch", "Foundation", "Dune", "Neuromancer", "Hyperion"),
        seen);
    String last = scrollId;
    assertTrue(client.clearScroll(c -> c.scrollId(last)).succeeded());
  }

  @ParameterizedTest
  @MethodSource("transports")
  void theBulkIngesterLoadsThroughTheAsyncClient(String transport) throws IOException {
    OpenSearchClient client = clients.get(transport);
    String index = index("ingester", transport);
    client.indices().create(c -> c.index(index).settings(s -> s.numberOfReplicas(0)));
    try (BulkIngester<Void> ingester =
        BulkIngester.of(
            b ->
                b.client(asyncClients.get(transport))
                    .maxOperations(100)
                    .maxConcurrentRequests(4))) {
      for (int i = 0; i < 1_000; i++) {
        String id = "i" + i;
        Book book = new Book("ingested " + i, i, "bulk");
        ingester.add(o -> o.index(x -> x.index(index).id(id).document(book)));
      }
    } // close flushes and waits for every request
    client.indices().refresh(r -> r.index(index));
    assertEquals(1_000L, client.count(c -> c.index(index)).count());
  }

  private static List<String> titles(List<Hit<Book>> hits) {
    return hits.stream().map(h -> h.source().title()).toList();
  }
}
