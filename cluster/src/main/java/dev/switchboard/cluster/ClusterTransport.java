package dev.switchboard.cluster;

import dev.switchboard.Capability;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A {@link Transport} over the nodes of one service (a search cluster, replicas behind no load
 * balancer): each request with a relative URI goes to the next live node, a node that fails is left
 * alone for a while, and a failed attempt moves on to another node where that is safe.
 *
 * <pre>{@code
 * Transport cluster = ClusterTransport.builder(Transports.create())
 *     .nodes("http://10.0.0.1:9200/", "http://10.0.0.2:9200/", "http://10.0.0.3:9200/")
 *     .requestTimeout(Duration.ofSeconds(5))          // one deadline for the whole call
 *     .build();
 * Response r = cluster.execute(Request.get("_cluster/health"));
 * }</pre>
 *
 * <h2>URIs</h2>
 *
 * A request's URI must be relative ({@code _search}, {@code /index/_doc/1?refresh=true}); it is
 * appended to the chosen node's base URL, whose path prefix is kept whether or not the relative
 * path starts with {@code /} ({@code http://h:9200/es/} and {@code /_search} give {@code
 * http://h:9200/es/_search}), and its query is kept exactly as encoded. <b>An absolute URI is
 * refused</b> (the future fails with a {@link TransportException}, {@code requestSent() == false}):
 * sending it through would bypass node health and failover without the caller noticing; send such a
 * request through the inner transport instead. The response's {@link Response#request()} and a
 * failure's {@link TransportException#request()} carry the absolute URI, so they say which node
 * answered.
 *
 * <h2>Choosing a node</h2>
 *
 * Among the nodes that pass the {@linkplain Builder#nodeFilter node filter}, are live and were not
 * yet tried by this call, the {@linkplain Builder#selector selector} picks one (round-robin by
 * default). When none is live, the node whose dead time ends soonest is tried anyway: a call never
 * fails only because every node was marked dead.
 *
 * <h2>Dead nodes</h2>
 *
 * A node is marked dead when it cannot be reached (a {@link dev.switchboard.ConnectionException},
 * TLS failures included, or a {@link dev.switchboard.ConnectTimeoutException}) or when it answers
 * 502, 503 or 504, whether as an {@link dev.switchboard.HttpStatusException} or as a response the
 * request {@linkplain Request.Builder#acceptStatus accepts}. It then stays dead for {@code min(base
 * * 2^(failures - 1), max)} (by default 1 s, 2 s, 4 s… up to 30 min, see {@link
 * Builder#deadNodeBackoff}); after that it is live again, and its next failure doubles the time.
 * Any other answer (2xx, 3xx, 4xx, 500…) means the node is healthy and resets its failures.
 * Response and request timeouts do not change a node's health: a slow query is not a dead node, and
 * counting it as one lets one expensive request take a whole cluster out.
 *
 * <h2>Failover</h2>
 *
 * A failed attempt moves on to another node, within {@linkplain Builder#maxAttempts the attempt
 * bound} and the call's deadline, only where that is safe:
 *
 * <ul>
 *   <li>always when nothing was sent ({@link TransportException#requestSent()} is {@code false}:
 *       connect failures; but never for an {@link dev.switchboard.UnsupportedFeatureException},
 *       which every node would repeat);
 *   <li>on 502, 503 or 504 when the request is {@linkplain Builder#retrySafe retry-safe}: by
 *       default when its method is idempotent ({@link Request#isIdempotent()});
 *   <li>on a response or request timeout of one attempt only when {@linkplain
 *       Builder#retryOnTimeout enabled}, and for a retry-safe request.
 * </ul>
 *
 * Anything else (a 4xx, a 500, a malformed response, a body too large…) ends the call. The call
 * fails with the last attempt's exception, and <b>every earlier failed attempt is attached to it as
 * a {@linkplain Throwable#getSuppressed() suppressed} exception</b>; when a 502, 503 or 504 the
 * request accepts is the last answer, that response is returned.
 *
 * <p>A request whose body can be sent only once ({@link dev.switchboard.Body#ofPublisher}) is never
 * moved to another node: the inner transport takes the body with the first attempt, even one whose
 * connection then fails. Its call ends with the first attempt's outcome, a note of why it did not
 * move on suppressed on the failure. Bodies from {@link dev.switchboard.Body#ofFile} or {@link
 * dev.switchboard.Body#ofInputStream} are read again for each node.
 *
 * <h2>Streaming</h2>
 *
 * {@link #stream} (and so {@link #openStream}) chooses nodes, marks them and fails over exactly as
 * {@link #send}, up to the response headers; from then on the body is the caller's, and a failure
 * while reading it changes neither the node's health nor the node the call used.
 *
 * <h2>One deadline</h2>
 *
 * A call has one deadline: the request's {@linkplain Request#requestTimeout() request timeout}, or
 * else {@link Builder#requestTimeout}. Each attempt is sent with the time left as its request
 * timeout, so three nodes never turn a 1 s timeout into 3 s; when it passes, the call fails with a
 * {@link RequestTimeoutException} of the whole timeout, the attempts suppressed on it. Without
 * either, each attempt has the inner transport's own request timeout (if any), and only the attempt
 * bound limits the call.
 *
 * <h2>Threads, cancellation, closing</h2>
 *
 * Thread-safe and lock-free: node health changes by compare-and-set and no lock is held across I/O.
 * Futures complete on the inner transport's callback threads, as the inner's own do. Cancelling a
 * future returned by {@link #send} cancels the attempt in flight and starts no other. {@link
 * #execute} throws the failure itself, never a wrapper, and throws {@link IllegalStateException}
 * when called on a thread of this transport or of the inner one. {@link #close()} fails the calls
 * in flight and closes the inner transport unless {@link Builder#closeTransport
 * closeTransport(false)} says it is shared.
 *
 * <h2>Observing</h2>
 *
 * {@link #nodes()} is a snapshot of every node's health; a {@link ClusterListener} sees every
 * attempt and every change of health.
 */
public final class ClusterTransport implements Transport {
  private final Transport inner;
  private final List<NodeHealth> nodes;
  private final NodeHealth.Backoff backoff;
  private final int maxAttempts;
  private final Duration requestTimeout;
  private final boolean retryOnTimeout;
  private final Predicate<Request> retrySafe;
  private final NodeSelector selector;
  private final Predicate<Node> nodeFilter;
  private final ClusterListener listener;
  private final boolean closeTransport;
  private final LongSupplier nanoTime;
  private final Set<ClusterCall<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final ThreadLocal<Boolean> completing = new ThreadLocal<>();
  private volatile boolean closed;

  private ClusterTransport(Builder b) {
    this.inner = b.transport;
    List<NodeHealth> list = new ArrayList<>(b.nodes.size());
    for (Node n : b.nodes) {
      NodeHealth h = new NodeHealth(n);
      list.add(h);
    }
    this.nodes = List.copyOf(list);
    this.backoff = new NodeHealth.Backoff(b.backoffBase.toNanos(), b.backoffMax.toNanos());
    this.maxAttempts = b.maxAttempts > 0 ? b.maxAttempts : nodes.size();
    this.requestTimeout = b.requestTimeout;
    this.retryOnTimeout = b.retryOnTimeout;
    this.retrySafe = b.retrySafe;
    this.selector = b.selector != null ? b.selector : NodeSelector.roundRobin();
    this.nodeFilter = b.nodeFilter;
    this.listener = b.listener;
    this.closeTransport = b.closeTransport;
    this.nanoTime = b.nanoTime;
  }

  /** A builder of a cluster over {@code transport}, which sends every attempt. */
  public static Builder builder(Transport transport) {
    return new Builder(transport);
  }

  // ---------------------------------------------------------------- Transport

  @Override
  public CompletableFuture<Response> send(Request request) {
    return call(request, ClusterCall.BUFFERED);
  }

  /**
   * Streams the response of {@code request} from the node chosen as for {@link #send}: the same
   * node choice, dead-node marking and failover, up to the response headers. The future completes
   * with the first answer the call keeps; a 502, 503 or 504 that moves the call on to another node
   * is closed, unread. A failure while its body is read belongs to the reader (it neither marks the
   * node nor moves on). The call's deadline, when it has one, is the request timeout of the attempt
   * that answers, and so bounds the body too. A body that can be sent only once ({@link
   * dev.switchboard.Body#ofPublisher}) goes to one node only. The {@link ClusterListener} sees an
   * answer as a {@link Response} with its status and headers and no body.
   */
  @Override
  public CompletableFuture<StreamingResponse> stream(Request request) {
    return call(request, ClusterCall.STREAMED);
  }

  private <T> CompletableFuture<T> call(Request request, ClusterCall.Mode<T> mode) {
    if (request == null) {
      return CompletableFuture.failedFuture(
          new TransportException("request is null", null, name(), false, null));
    }
    if (Urls.isAbsolute(request.uri())) {
      return CompletableFuture.failedFuture(
          new TransportException(
              "a ClusterTransport sends relative URIs (such as '_search' or '/index/_doc/1') to its"
                  + " nodes and refuses an absolute one, which would bypass node health and"
                  + " failover; make the URI relative, or send the request through the inner"
                  + " transport",
              request,
              name(),
              false,
              null));
    }
    if (closed) {
      return CompletableFuture.failedFuture(closedException(request, false));
    }
    ClusterCall<T> call = new ClusterCall<>(this, request, mode);
    inFlight.add(call);
    call.result.whenComplete((r, e) -> inFlight.remove(call));
    if (closed) { // close() may have run between the check and add
      call.close(closedException(request, false));
      return call.result;
    }
    call.start();
    return call.result;
  }

  /**
   * Whether the current thread is one of the cluster's own completion threads or one of the inner
   * transport's, where {@link #execute} refuses to block.
   */
  @Override
  public boolean isTransportThread() {
    return completing.get() != null || inner.isTransportThread();
  }

  /** The inner transport's name ({@code jdk}, {@code apache}, {@code okhttp}…). */
  @Override
  public String name() {
    return inner.name();
  }

  /** The inner transport's capabilities. */
  @Override
  public Set<Capability> capabilities() {
    return inner.capabilities();
  }

  /** The inner transport's pool. */
  @Override
  public java.util.Optional<dev.switchboard.PoolStats> poolStats() {
    return inner.poolStats();
  }

  /**
   * Fails the calls in flight with a {@link TransportException} (and cancels their attempts), makes
   * later sends fail the same way, and closes the inner transport unless {@link
   * Builder#closeTransport closeTransport(false)} was set. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ClusterCall<?> call : List.copyOf(inFlight)) {
      call.close(closedException(call.original, true));
    }
    if (closeTransport) {
      inner.close();
    }
  }

  // ---------------------------------------------------------------- observing

  /** A snapshot of every node's health, in configuration order. */
  public List<NodeState> nodes() {
    long now = nanoTime.getAsLong();
    List<NodeState> out = new ArrayList<>(nodes.size());
    for (NodeHealth h : nodes) {
      out.add(h.snapshot(now));
    }
    return List.copyOf(out);
  }

  /** The inner transport, which sends every attempt. */
  public Transport transport() {
    return inner;
  }

  @Override
  public String toString() {
    return "ClusterTransport[" + name() + ", " + nodes.size() + " nodes]";
  }

  // ---------------------------------------------------------------- for ClusterCall

  Transport inner() {
    return inner;
  }

  long now() {
    return nanoTime.getAsLong();
  }

  int maxAttempts() {
    return maxAttempts;
  }

  boolean retryOnTimeout() {
    return retryOnTimeout;
  }

  boolean isRetrySafe(Request request) {
    return retrySafe.test(request);
  }

  boolean isClosed() {
    return closed;
  }

  /** The call's whole timeout: the request's own, else the cluster's; {@code null} for none. */
  Duration timeoutOf(Request request) {
    return request.requestTimeout() != null ? request.requestTimeout() : requestTimeout;
  }

  /**
   * The node for the next attempt of a call that already tried {@code tried}: a live candidate
   * chosen by the selector, else the candidate that revives soonest.
   *
   * @throws TransportException when the node filter rejects every node, or the selector misbehaves
   */
  /** A node chosen for an attempt, and its state when it was chosen. */
  record Choice(NodeHealth node, NodeHealth.State seen) {}

  Choice select(List<NodeHealth> tried, Request request) {
    List<NodeHealth> pool = new ArrayList<>(nodes.size());
    for (NodeHealth h : nodes) {
      if (!tried.contains(h) && nodeFilter.test(h.node)) {
        pool.add(h);
      }
    }
    if (pool.isEmpty()) { // every allowed node was tried by this call: allow a second round
      for (NodeHealth h : nodes) {
        if (nodeFilter.test(h.node)) {
          pool.add(h);
        }
      }
    }
    if (pool.isEmpty()) {
      throw new TransportException(
          "the node filter rejected all " + nodes.size() + " nodes", request, name(), false, null);
    }
    long now = now();
    List<Node> live = new ArrayList<>(pool.size());
    List<Choice> liveChoices = new ArrayList<>(pool.size());
    Choice soonest = null;
    for (NodeHealth h : pool) {
      NodeHealth.State s = h.state();
      if (s.isLive(now)) {
        live.add(h.node);
        liveChoices.add(new Choice(h, s));
      } else if (soonest == null || s.deadUntilNanos() - soonest.seen().deadUntilNanos() < 0) {
        soonest = new Choice(h, s);
      }
    }
    if (live.isEmpty()) {
      return soonest;
    }
    if (live.size() == 1) {
      return liveChoices.get(0);
    }
    Node chosen = selector.select(Collections.unmodifiableList(live));
    int i = chosen == null ? -1 : live.indexOf(chosen);
    if (i < 0) {
      throw new TransportException(
          "the node selector returned " + chosen + ", which is not one of the candidates " + live,
          request,
          name(),
          false,
          null);
    }
    return liveChoices.get(i);
  }

  void markFailed(NodeHealth h, NodeHealth.State seen) {
    long now = now();
    NodeHealth.State s = h.markFailed(seen, now, backoff);
    if (s != null) {
      NodeState state = h.snapshot(s, now);
      notify(() -> listener.nodeMarkedDead(state));
    }
  }

  void markAnswered(NodeHealth h) {
    NodeHealth.State s = h.markAnswered();
    if (s != null) {
      NodeState state = h.snapshot(s, now());
      notify(() -> listener.nodeMarkedLive(state));
    }
  }

  void attemptStarted(Attempt a) {
    notify(() -> listener.attemptStarted(a));
  }

  void attemptEnded(Attempt a, Response r, TransportException e, boolean movingOn) {
    notify(() -> listener.attemptEnded(a, r, e, movingOn));
  }

  private static void notify(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException ignored) {
      // a listener never changes the outcome of a call
    }
  }

  /**
   * Completes a call's future with this thread marked, so a continuation's execute() is refused.
   */
  void completing(Runnable completion) {
    Boolean outer = completing.get();
    completing.set(Boolean.TRUE);
    try {
      completion.run();
    } finally {
      if (outer == null) {
        completing.remove();
      }
    }
  }

  TransportException closedException(Request request, boolean inFlight) {
    return new TransportException(
        inFlight
            ? "the cluster transport was closed while this request was in flight"
            : "the cluster transport is closed; create a new one to send requests",
        request,
        name(),
        inFlight,
        null);
  }

  private static Duration positive(String option, Duration d) {
    Objects.requireNonNull(d, option);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, got " + d);
    }
    return d;
  }

  // ---------------------------------------------------------------- builder

  /** Builds a {@link ClusterTransport}; not thread-safe. */
  public static final class Builder {
    private final Transport transport;
    private final List<Node> nodes = new ArrayList<>();
    private Duration backoffBase = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofMinutes(30);
    private int maxAttempts;
    private Duration requestTimeout;
    private boolean retryOnTimeout;
    private Predicate<Request> retrySafe = Request::isIdempotent;
    private NodeSelector selector;
    private Predicate<Node> nodeFilter = n -> true;
    private ClusterListener listener = new ClusterListener() {};
    private boolean closeTransport = true;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** Adds a node by its base URL, such as {@code http://10.0.0.1:9200/} or {@code .../es/}. */
    public Builder node(String url) {
      return node(Node.of(url));
    }

    /** Adds a node by its base URL. */
    public Builder node(URI url) {
      return node(Node.of(url));
    }

    /** Adds a node, with its attributes. */
    public Builder node(Node node) {
      Objects.requireNonNull(node, "node");
      for (Node n : nodes) {
        if (n.url().equals(node.url())) {
          throw new IllegalArgumentException("node " + node + " is given twice");
        }
      }
      nodes.add(node);
      return this;
    }

    /** Adds nodes by their base URLs. */
    public Builder nodes(String... urls) {
      for (String url : urls) {
        node(url);
      }
      return this;
    }

    /** Adds nodes. */
    public Builder nodes(Collection<Node> nodes) {
      for (Node n : nodes) {
        node(n);
      }
      return this;
    }

    /**
     * How long a failed node stays dead: {@code min(base * 2^(failures - 1), max)}. Defaults: 1 s
     * and 30 min.
     */
    public Builder deadNodeBackoff(Duration base, Duration max) {
      positive("base", base);
      positive("max", max);
      if (max.compareTo(base) < 0) {
        throw new IllegalArgumentException(
            "deadNodeBackoff: max " + max + " is shorter than base " + base);
      }
      this.backoffBase = base;
      this.backoffMax = max;
      return this;
    }

    /**
     * The most attempts one call makes (the first included). Default: the number of nodes, so each
     * node is tried at most once per call while there are untried ones.
     */
    public Builder maxAttempts(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + max);
      }
      this.maxAttempts = max;
      return this;
    }

    /**
     * The deadline of a whole call, all attempts included, for requests that set no {@linkplain
     * Request#requestTimeout() request timeout} of their own. Default: none.
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /**
     * Whether a response or request timeout of one attempt (the inner transport's, shorter than the
     * call's deadline) moves a retry-safe request on to another node. Default: {@code false}, since
     * a request that timed out may still be running on the server.
     */
    public Builder retryOnTimeout(boolean retry) {
      this.retryOnTimeout = retry;
      return this;
    }

    /**
     * Decides whether a request that may have reached a node can be sent to another after a 502,
     * 503, 504 (or a timeout, when {@link #retryOnTimeout} is on). Default: {@link
     * Request#isIdempotent()}. For a search client, for example, {@code r -> r.isIdempotent() ||
     * r.uri().getPath().endsWith("_search")} also fails over searches sent as POST. A request
     * nothing of which was sent always fails over, whatever this says.
     */
    public Builder retrySafe(Predicate<Request> retrySafe) {
      this.retrySafe = Objects.requireNonNull(retrySafe, "retrySafe");
      return this;
    }

    /** Chooses among live candidates. Default: {@link NodeSelector#roundRobin()}. */
    public Builder selector(NodeSelector selector) {
      this.selector = Objects.requireNonNull(selector, "selector");
      return this;
    }

    /**
     * Only nodes passing {@code filter} receive requests (for instance {@code n ->
     * !"eu-1b".equals(n.attribute("zone"))}); a call fails at once when it rejects every node.
     * Default: every node.
     */
    public Builder nodeFilter(Predicate<Node> filter) {
      this.nodeFilter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** Observes attempts and node health. Default: none. */
    public Builder listener(ClusterListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether {@link ClusterTransport#close()} closes the inner transport. Default: {@code true};
     * set {@code false} when the inner transport is shared with other code that closes it.
     */
    public Builder closeTransport(boolean close) {
      this.closeTransport = close;
      return this;
    }

    /**
     * The monotonic clock, in nanoseconds like {@link System#nanoTime()} (the default), that dead
     * times and deadlines are measured with. For tests.
     */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Returns the cluster transport.
     *
     * @throws IllegalArgumentException when no node was given
     */
    public ClusterTransport build() {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException(
            "a cluster needs at least one node: call node(\"http://host:port/\")");
      }
      return new ClusterTransport(this);
    }
  }
}
