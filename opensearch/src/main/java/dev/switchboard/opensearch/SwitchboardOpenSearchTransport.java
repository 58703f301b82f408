package dev.switchboard.opensearch;

import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.cluster.ClusterTransport;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.Endpoint;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.TransportOptions;

/**
 * An {@link OpenSearchTransport} over a Switchboard {@link Transport}: the official opensearch-java
 * client, unchanged, on the JDK client, OkHttp or Apache, with Switchboard's timeouts, typed
 * failures, retries, cluster failover and events.
 *
 * <pre>{@code
 * Transport http = Transports.create(TransportConfig.builder()
 *     .provider("jdk").responseTimeout(Duration.ofSeconds(10)).build());
 * OpenSearchClient client = new OpenSearchClient(
 *     SwitchboardOpenSearchTransport.builder(http, URI.create("http://127.0.0.1:9200")).build());
 * SearchResponse<Book> page = client.search(s -> s.index("books")
 *     .query(q -> q.match(m -> m.field("title").query(FieldValue.of("dune")))), Book.class);
 * }</pre>
 *
 * <h2>What is sent</h2>
 *
 * Each endpoint's method, path, query parameters and headers, then the {@linkplain #options()
 * options'} parameters and headers (both honoured, per call or for the transport), {@code Accept:
 * application/json} and a {@code User-Agent} naming the client and Switchboard unless set. Bodies
 * are JSON written by the {@link #jsonpMapper()}; a bulk is newline-delimited JSON, sent from
 * memory up to 64 KiB and streamed item by item beyond that. A request with a body whose method is
 * GET goes out as the Switchboard transport's {@code getWithBody} mode says.
 *
 * <h2>What comes back</h2>
 *
 * Answers are decoded as the client's own transports decode them. A status the endpoint calls an
 * error is an {@link org.opensearch.client.opensearch._types.OpenSearchException} with the server's
 * error, for every status ({@code 400}, {@code 404}, {@code 409}, {@code 429}, {@code 5xx} alike,
 * as the client's AWS transport does; its Apache transport throws an HTTP-library exception for
 * some of them). A failure before an answer — a connect or read timeout, a refused or reset
 * connection, a node that stalls — is the client's {@link
 * org.opensearch.client.transport.TransportException} (an {@link IOException}) carrying
 * Switchboard's message, with Switchboard's typed exception as its cause. Retries and failover are
 * Switchboard's: those of the transport's {@code RetryPolicy}, and across nodes those of a {@link
 * ClusterTransport} given to {@link #builder(ClusterTransport)}.
 *
 * <h2>Threads</h2>
 *
 * {@link #performRequestAsync} never blocks: the body is written on the caller's thread, the answer
 * is decoded on Switchboard's callback thread, never on an I/O thread. Cancelling its future
 * cancels the exchange. {@link #performRequest} runs the exchange with {@link
 * Transport#execute(Request)} and decodes on the caller's thread.
 *
 * <p>Thread-safe. {@link #close()} closes the Switchboard transport unless {@link
 * Builder#closeTransport(boolean) told not to}. Tested with opensearch-java 3.9.0 (the {@code
 * OpenSearchTransport} interface it implements is that of 3.x).
 */
public final class SwitchboardOpenSearchTransport implements OpenSearchTransport {
  private final Transport transport;
  private final JsonpMapper mapper;
  private final TransportOptions options;
  private final boolean closeTransport;
  private final EndpointRequests requests;
  private final EndpointResponses responses;

  private SwitchboardOpenSearchTransport(Builder builder) {
    this.transport = builder.transport;
    this.mapper = builder.mapper != null ? builder.mapper : new JacksonJsonpMapper();
    this.options = builder.options != null ? builder.options : TransportOptions.builder().build();
    this.closeTransport = builder.closeTransport;
    this.requests = new EndpointRequests(builder.base, mapper);
    this.responses = new EndpointResponses(mapper);
  }

  /**
   * A builder for a transport that sends every request to one node through {@code transport}.
   *
   * @param node the node's base URI, {@code http://} or {@code https://}, with an optional path
   *     prefix ({@code http://proxy:8080/search/}) that every request's path is appended to
   * @throws IllegalArgumentException when {@code node} is not an absolute http(s) URI, or has a
   *     query or fragment
   */
  public static Builder builder(Transport transport, URI node) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(node, "node");
    String scheme = node.getScheme();
    if (!node.isAbsolute()
        || node.getHost() == null
        || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
        || node.getRawQuery() != null
        || node.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "the node must be an absolute http:// or https:// URI without query or fragment, such as"
              + " http://127.0.0.1:9200; got "
              + node);
    }
    return new Builder(transport, node);
  }

  /**
   * A builder for a transport that sends every request through {@code cluster}, which picks a live
   * node for each, fails over where that is safe, and bounds the whole call by its deadline.
   */
  public static Builder builder(ClusterTransport cluster) {
    return new Builder(Objects.requireNonNull(cluster, "cluster"), null);
  }

  @Override
  public <RequestT, ResponseT, ErrorT> ResponseT performRequest(
      RequestT request, Endpoint<RequestT, ResponseT, ErrorT> endpoint, TransportOptions options)
      throws IOException {
    TransportOptions o = options != null ? options : this.options;
    Request sent = requests.toRequest(request, endpoint, o);
    Response response;
    Throwable statusFailure = null;
    try {
      response = transport.execute(sent);
    } catch (HttpStatusException e) {
      response = e.response();
      statusFailure = e;
    } catch (RuntimeException e) {
      throw Failures.rethrow(e);
    }
    return responses.decode(response, endpoint, onWarnings(o), statusFailure);
  }

  @Override
  public <RequestT, ResponseT, ErrorT> CompletableFuture<ResponseT> performRequestAsync(
      RequestT request, Endpoint<RequestT, ResponseT, ErrorT> endpoint, TransportOptions options) {
    TransportOptions o = options != null ? options : this.options;
    CompletableFuture<Response> exchange;
    try {
      exchange = transport.send(requests.toRequest(request, endpoint, o));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(Failures.forClient(e));
    }
    CompletableFuture<ResponseT> result = new CompletableFuture<>();
    exchange.whenComplete(
        (response, failure) -> {
          try {
            if (failure == null) {
              result.complete(responses.decode(response, endpoint, onWarnings(o), null));
              return;
            }
            Throwable f = dev.switchboard.TransportException.unwrap(failure);
            if (f instanceof HttpStatusException status) {
              result.complete(responses.decode(status.response(), endpoint, onWarnings(o), f));
            } else {
              result.completeExceptionally(Failures.forClient(f));
            }
          } catch (Throwable t) {
            result.completeExceptionally(Failures.forClient(t));
          }
        });
    result.whenComplete(
        (ignored, failure) -> {
          if (result.isCancelled()) {
            exchange.cancel(true);
          }
        });
    return result;
  }

  private static Function<List<String>, Boolean> onWarnings(TransportOptions options) {
    return options.onWarnings();
  }

  /** The mapper request bodies are written and answers read with. */
  @Override
  public JsonpMapper jsonpMapper() {
    return mapper;
  }

  /** The options used when a call passes none. */
  @Override
  public TransportOptions options() {
    return options;
  }

  /** The Switchboard transport underneath. */
  public Transport transport() {
    return transport;
  }

  /** Closes the Switchboard transport, unless the builder said not to. Idempotent. */
  @Override
  public void close() {
    if (closeTransport) {
      transport.close();
    }
  }

  @Override
  public String toString() {
    return "SwitchboardOpenSearchTransport[" + transport.name() + "]";
  }

  /** Builds a {@link SwitchboardOpenSearchTransport}; not thread-safe, reusable. */
  public static final class Builder {
    private final Transport transport;
    private final URI base;
    private JsonpMapper mapper;
    private TransportOptions options;
    private boolean closeTransport = true;

    private Builder(Transport transport, URI base) {
      this.transport = transport;
      this.base = base;
    }

    /** The mapper for bodies and answers. Default: a new {@code JacksonJsonpMapper}. */
    public Builder mapper(JsonpMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /**
     * The options (headers, query parameters, {@code onWarnings}) for calls that pass none; a
     * call's own options replace them. Default: none.
     */
    public Builder options(TransportOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Whether {@link SwitchboardOpenSearchTransport#close()} closes the Switchboard transport.
     * Default {@code true}; {@code false} when the transport is shared with other code.
     */
    public Builder closeTransport(boolean close) {
      this.closeTransport = close;
      return this;
    }

    /** The transport. */
    public SwitchboardOpenSearchTransport build() {
      return new SwitchboardOpenSearchTransport(this);
    }
  }

  /** Returns a client over this transport: {@code new OpenSearchClient(this)}. */
  public OpenSearchClient client() {
    return new OpenSearchClient(this);
  }
}
