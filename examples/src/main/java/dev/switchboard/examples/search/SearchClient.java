package dev.switchboard.examples.search;

import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.DecodeException;
import dev.switchboard.GetWithBody;
import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.UriTemplate;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

/**
 * A small asynchronous client for an OpenSearch (or Elasticsearch) HTTP API, built only on
 * Switchboard's public API, so it runs unchanged on whichever {@link Transport} it is given: the
 * JDK's client, Apache HttpClient 5, OkHttp, or a cluster of nodes.
 *
 * <p>Every operation returns at once with a {@link CompletableFuture} of a small typed result. A
 * failure completes the future with a Switchboard {@link TransportException}: a status the server
 * refused becomes {@link dev.switchboard.NotFoundException}, {@link
 * dev.switchboard.ClientErrorException} and so on, and {@link ServerError#of(Throwable)} reads the
 * server's own error type ({@code index_not_found_exception}…) from it.
 *
 * <p>The search API takes its query in the body of a {@code GET}. The JDK and Apache transports
 * send that natively; OkHttp cannot, so give it a transport configured with {@link
 * TransportConfig.Builder#getWithBody(GetWithBody) getWithBody(AS_POST)} (see {@link
 * #recommendedConfig(String)}).
 *
 * <p>The client does not own the transport: closing the transport is the caller's business.
 */
public final class SearchClient {
  private static final String NDJSON = "application/x-ndjson";

  /**
   * The response timeout of a bulk load: the server answers only once it has indexed every
   * document, which for a large load takes far longer than the transport's default allows.
   */
  public static final Duration BULK_RESPONSE_TIMEOUT = Duration.ofMinutes(5);

  private final Transport transport;
  private final String base;

  /**
   * A client for the server at {@code base} ({@code http://127.0.0.1:9200}).
   *
   * @param transport carries the requests; shared, not closed by this client
   * @param base the server's base URI, without a trailing path
   */
  public SearchClient(Transport transport, URI base) {
    this.transport = Objects.requireNonNull(transport, "transport");
    String b = Objects.requireNonNull(base, "base").toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  /**
   * A client that sends relative URIs ({@code /_cluster/health}), for a transport that resolves
   * them against its nodes, such as a cluster transport.
   */
  public SearchClient(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.base = "";
  }

  /**
   * A configuration for the named transport under which every operation of this client works: a
   * transport that can send a {@code GET} with a body ({@link Capability#GET_WITH_BODY}: the JDK's,
   * Apache's) sends the search natively, one that cannot (OkHttp) sends it as a {@code POST}, which
   * search servers accept for their read APIs.
   */
  public static TransportConfig recommendedConfig(String provider) {
    boolean nativeGetBody =
        Transports.providers().stream()
            .filter(p -> p.name().equalsIgnoreCase(provider))
            .anyMatch(p -> p.capabilities().contains(Capability.GET_WITH_BODY));
    return TransportConfig.builder()
        .provider(provider)
        .getWithBody(nativeGetBody ? GetWithBody.NATIVE : GetWithBody.AS_POST)
        .build();
  }

  /** The transport underneath. */
  public Transport transport() {
    return transport;
  }

  // ---------------------------------------------------------------------------------------------
  // operations

  /** {@code GET /_cluster/health}. */
  public CompletableFuture<ClusterHealth> health() {
    return call(
        templated(Request.builder("GET", uri("/_cluster/health")), "/_cluster/health"),
        r -> ClusterHealth.from(map(r)));
  }

  /**
   * {@code PUT /<index>} with one shard, no replica (so a single node is green) and the given
   * mappings.
   *
   * @param mappings the index's {@code mappings}, e.g. {@code Map.of("properties", Map.of("title",
   *     Map.of("type", "text")))}
   */
  public CompletableFuture<Acknowledged> createIndex(String index, Map<String, ?> mappings) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("settings", Map.of("number_of_shards", 1, "number_of_replicas", 0));
    body.put("mappings", mappings);
    Request request = Request.builder("PUT", uri("/" + enc(index))).json(body).build();
    return call(request, r -> Acknowledged.from(index, map(r)));
  }

  /** {@code GET /<index>/_mapping}. */
  public CompletableFuture<IndexMapping> getMapping(String index) {
    return call(
        templated(Request.builder("GET", uri("/" + enc(index) + "/_mapping")), "/{index}/_mapping"),
        r -> IndexMapping.from(index, map(r)));
  }

  /**
   * {@code PUT /<index>/_doc/<id>?refresh=true}: stores {@code document} and makes it visible to
   * search before the future completes.
   */
  public CompletableFuture<Indexed> index(String index, String id, Map<String, ?> document) {
    Request request =
        Request.builder("PUT", uri("/" + enc(index) + "/_doc/" + enc(id) + "?refresh=true"))
            .json(document)
            .build();
    return call(request, r -> Indexed.from(map(r)));
  }

  /**
   * {@code GET /<index>/_doc/<id>}. A missing document (or index) fails with {@link
   * dev.switchboard.NotFoundException}.
   */
  public CompletableFuture<Document> get(String index, String id) {
    return call(
        templated(
            Request.builder("GET", uri("/" + enc(index) + "/_doc/" + enc(id))),
            "/{index}/_doc/{id}"),
        r -> Document.from(map(r)));
  }

  /**
   * {@code GET /<index>/_search} with {@code {"query": query, "size": size}} as the body of the
   * GET.
   *
   * @param query a query in the server's DSL, e.g. {@code Map.of("match", Map.of("title",
   *     "switchboard"))}
   */
  public CompletableFuture<SearchResult> search(String index, Map<String, ?> query, int size) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", query);
    body.put("size", size);
    Request request =
        templated(
            Request.builder("GET", uri("/" + enc(index) + "/_search")).json(body),
            "/{index}/_search");
    return call(request, r -> SearchResult.from(map(r)));
  }

  /** {@link #search(String, Map, int)} with at most 10 hits. */
  public CompletableFuture<SearchResult> search(String index, Map<String, ?> query) {
    return search(index, query, 10);
  }

  /**
   * {@code POST /<index>/_refresh}: makes everything indexed so far visible to search (a bulk load
   * does not refresh on its own).
   */
  public CompletableFuture<Acknowledged> refresh(String index) {
    Request request =
        Request.builder("POST", uri("/" + enc(index) + "/_refresh")).body(Body.empty()).build();
    return call(request, r -> new Acknowledged(index, true));
  }

  /** {@code GET /<index>/_count}: the number of documents visible to search. */
  public CompletableFuture<Long> count(String index) {
    return call(
        templated(Request.builder("GET", uri("/" + enc(index) + "/_count")), "/{index}/_count"),
        r -> Fields.number(map(r), "count"));
  }

  // ---------------------------------------------------------------------------------------------
  // streaming: bulk loads and large results

  /**
   * {@code POST /<index>/_bulk}: indexes every document {@code documents} gives, the request body
   * written as it is sent (NDJSON, one document at a time, chunked: its length is not known
   * beforehand), so a load of any size takes no more memory than one document. The answer, a line
   * per document, is counted as it streams in: the future completes with how many items the server
   * answered for and how many failed (a failed item is not a failed call). The documents are not
   * made visible to search: call {@link #refresh} when that matters. The response timeout is {@link
   * #BULK_RESPONSE_TIMEOUT}.
   *
   * <p>The supplier is called once per attempt: a transport that sends the request again (a
   * redirect, a cluster's failover) gets a fresh stream. Each stream is closed once sent. The
   * stream is walked by the thread that writes the body (the transport's own, or Switchboard's
   * body-reader thread), never the caller's: it must not depend on the caller's thread.
   *
   * <pre>{@code
   * BulkResult r = SearchClient.await(client.bulk("books",
   *     () -> IntStream.range(0, 1_000_000).mapToObj(i -> new BulkDocument("b" + i, Map.of("n", i)))));
   * }</pre>
   */
  public CompletableFuture<BulkResult> bulk(
      String index, Supplier<? extends java.util.stream.Stream<BulkDocument>> documents) {
    Objects.requireNonNull(documents, "documents");
    Body body =
        Body.ofInputStream(
            () -> {
              java.util.stream.Stream<BulkDocument> s = documents.get();
              return new NdjsonStream(s.iterator(), s);
            },
            -1,
            NDJSON);
    return bulk(index, body);
  }

  /**
   * {@link #bulk(String, Supplier)} from an iterator, which can be walked only once: the body is
   * sent once (a redirect or failover that would send it again is refused with a message that says
   * so, see {@link Body#ofPublisher}).
   */
  public CompletableFuture<BulkResult> bulk(String index, Iterator<BulkDocument> documents) {
    Objects.requireNonNull(documents, "documents");
    Body once = Body.ofInputStream(() -> new NdjsonStream(documents, null), -1, NDJSON);
    return bulk(index, Body.ofPublisher(once.publisher(), -1, NDJSON));
  }

  private CompletableFuture<BulkResult> bulk(String index, Body body) {
    Request request =
        Request.builder("POST", uri("/" + enc(index) + "/_bulk"))
            .header("Accept", "application/json")
            .body(body)
            .responseTimeout(BULK_RESPONSE_TIMEOUT)
            .build();
    CompletableFuture<StreamingResponse> sent = transport.stream(request);
    CompletableFuture<BulkResult> result =
        sent.thenCompose(
            r -> {
              BulkResponseReader reader = new BulkResponseReader();
              r.publisher().subscribe(reader);
              return reader
                  .result
                  .whenComplete((v, e) -> r.close())
                  .exceptionallyCompose(
                      e -> {
                        Throwable t = TransportException.unwrap(e);
                        if (t instanceof TransportException) {
                          return CompletableFuture.failedFuture(t);
                        }
                        return CompletableFuture.failedFuture(
                            new DecodeException(
                                "not the answer expected from " + request.summary() + ": " + t,
                                Response.builder(r.request(), r.status())
                                    .headers(r.headers())
                                    .transport(r.transport())
                                    .build(),
                                t));
                      });
            });
    result.whenComplete(
        (v, e) -> {
          if (e instanceof CancellationException) {
            sent.cancel(true);
            sent.thenAccept(StreamingResponse::close);
          }
        });
    return result;
  }

  /**
   * Reads every hit of a search, however many, page by page with {@code search_after}: each page is
   * one request of at most {@code pageSize} hits sorted on {@code sortField}, read as it streams
   * (never held whole). {@code sortField} must have a unique value per document (a keyword or
   * numeric id field): it is the tie-breaker that makes each page start exactly after the last.
   * Pages are fetched lazily as the stream is consumed, on the consuming thread (blocking; not on a
   * transport thread). A failure is thrown by the stream as the typed {@link TransportException}.
   * The results carry no total ({@code track_total_hits} is off).
   */
  public java.util.stream.Stream<SearchResult> searchAfter(
      String index, Map<String, ?> query, String sortField, int pageSize) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(sortField, "sortField");
    if (pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
    }
    URI search = uri("/" + enc(index) + "/_search");
    SearchAfterPages pages =
        new SearchAfterPages(
            transport,
            body -> Request.builder("GET", search).json(body).build(),
            query,
            pageSize,
            sortField);
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  /** The hits of {@link #searchAfter}, one after another. */
  public java.util.stream.Stream<SearchResult.Hit> scan(
      String index, Map<String, ?> query, String sortField, int pageSize) {
    return searchAfter(index, query, sortField, pageSize).flatMap(p -> p.hits().stream());
  }

  /** {@code DELETE /<index>}. */
  public CompletableFuture<Acknowledged> deleteIndex(String index) {
    return call(
        Request.builder("DELETE", uri("/" + enc(index))).build(),
        r -> Acknowledged.from(index, map(r)));
  }

  // ---------------------------------------------------------------------------------------------
  // several calls at once

  /**
   * Starts every call at once and waits for all of them, from blocking code. Returns the results in
   * the order of the calls. On the first failure the calls still in flight are cancelled and that
   * failure is thrown as it is (a {@link TransportException}, never wrapped).
   *
   * <pre>{@code
   * List<Object> r = client.concurrent(
   *     () -> client.getMapping("books"), client::health, () -> client.search("books", query));
   * IndexMapping mapping = (IndexMapping) r.get(0);
   * }</pre>
   *
   * Do not call it on a thread that completes these futures (a continuation of one of them); from
   * async code use {@link #concurrentAsync(List)}.
   */
  @SafeVarargs
  public final <T> List<T> concurrent(Supplier<? extends CompletableFuture<? extends T>>... calls) {
    return await(concurrentAsync(Arrays.asList(calls)));
  }

  /**
   * Starts every call at once, for async code: the future completes with the results in the order
   * of the calls, or with the first failure, at which point the calls still in flight are
   * cancelled. Nothing blocks.
   */
  public <T> CompletableFuture<List<T>> concurrentAsync(
      List<? extends Supplier<? extends CompletableFuture<? extends T>>> calls) {
    List<CompletableFuture<? extends T>> started = new ArrayList<>(calls.size());
    CompletableFuture<List<T>> all = new CompletableFuture<>();
    for (Supplier<? extends CompletableFuture<? extends T>> call : calls) {
      if (all.isDone()) {
        break; // an earlier call already failed: start nothing more
      }
      CompletableFuture<? extends T> f;
      try {
        f = Objects.requireNonNull(call.get(), "a call returned null instead of a future");
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      started.add(f);
      f.whenComplete(
          (v, e) -> {
            if (e != null) {
              all.completeExceptionally(TransportException.unwrap(e));
            }
          });
    }
    // registered once every call has started, so these see the whole list
    CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                List<T> results = new ArrayList<>(started.size());
                started.forEach(f -> results.add(f.join()));
                all.complete(results);
              }
            });
    // the first failure, or cancelling the whole, cancels the calls still in flight
    all.whenComplete(
        (v, e) -> {
          if (e != null) {
            started.forEach(f -> f.cancel(true));
          }
        });
    return all;
  }

  /**
   * Waits for {@code future} and returns its result; a failure is thrown as it is (the {@link
   * TransportException} itself, not a {@code CompletionException} around it).
   */
  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new CancellationException("interrupted while waiting");
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Sends {@code request} and reads the response with {@code parse}; an answer of the wrong shape
   * is a {@link DecodeException}; cancelling the returned future aborts the exchange.
   */
  private <T> CompletableFuture<T> call(Request request, Function<Response, T> parse) {
    CompletableFuture<Response> sent = transport.send(request);
    CompletableFuture<T> result =
        sent.thenApply(
            r -> {
              try {
                return parse.apply(r);
              } catch (TransportException e) {
                throw e;
              } catch (RuntimeException e) {
                throw new DecodeException(
                    "not the answer expected from " + request.summary() + ": " + e.getMessage(),
                    r,
                    e);
              }
            });
    result.whenComplete(
        (v, e) -> {
          if (e instanceof CancellationException) {
            sent.cancel(true);
          }
        });
    return result;
  }

  /**
   * The request, tagged with the template its URI was made from: metrics and traces show the
   * template, never a path with an index name or a document id in it.
   */
  private static Request templated(Request.Builder request, String template) {
    return request.tag(UriTemplate.class, UriTemplate.of(template)).build();
  }

  private URI uri(String pathAndQuery) {
    return URI.create(base + pathAndQuery);
  }

  private static String enc(String segment) {
    Objects.requireNonNull(segment, "name");
    if (segment.isEmpty()) {
      throw new IllegalArgumentException("an index name or id cannot be empty");
    }
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Response response) {
    return response.json(Map.class);
  }

  private static RuntimeException rethrow(Throwable cause) {
    Throwable t = TransportException.unwrap(cause);
    if (t instanceof RuntimeException re) {
      return re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new CompletionException(t);
  }

  /** Exposed for {@link ServerError}: the status exception inside {@code t}, if any. */
  static HttpStatusException statusException(Throwable t) {
    Throwable u = TransportException.unwrap(t);
    return u instanceof HttpStatusException h ? h : null;
  }
}
