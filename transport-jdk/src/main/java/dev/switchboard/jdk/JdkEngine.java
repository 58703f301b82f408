package dev.switchboard.jdk;

import dev.switchboard.Capability;
import dev.switchboard.Headers;
import dev.switchboard.HttpVersion;
import dev.switchboard.ProxyConfig;
import dev.switchboard.Request;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.spi.BodySourceException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import dev.switchboard.spi.TransportEngine;
import java.net.ProtocolException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

/**
 * The engine over {@link HttpClient}. Notes on what the JDK client does by itself and how it is
 * kept in line:
 *
 * <ul>
 *   <li>HTTP/1.1 is set on every request unless the configuration asks for HTTP/2, so no {@code
 *       Upgrade: h2c} is sent; redirects are never followed by the client.
 *   <li>The connect timeout is per client: own clients are cached by connect timeout (at most
 *       {@value #MAX_CLIENTS}, least recently used evicted), all sharing one executor. A user's
 *       client keeps its own; the engine enforces the exchange's connect timeout itself.
 *   <li>The JDK resends a GET or HEAD once when a connection (pooled or new) closes before any
 *       response byte. It builds the request headers once per attempt and asks the body publisher
 *       for its length right then, so the publisher refuses a second attempt before anything is
 *       written; the exchange then fails as a stale connection or an empty reply (see {@link
 *       JdkFailures}), and Switchboard's own resend decides. Its resend after a refused connect
 *       ({@code ConnectException}) stays: nothing reached the server.
 *   <li>{@code onRequestSent} comes when the publisher has handed over the last body byte, or, for
 *       a request without body, when the JDK builds the headers (after connecting).
 *   <li>A request body that is not in memory is relayed from {@link
 *       dev.switchboard.Body#publisher()} at the pace of the JDK's writes ({@link RequestBody});
 *       the response body goes to the listener against demand only, and the JDK is asked for the
 *       next part of it only while demand is outstanding, so it stops reading the connection
 *       meanwhile (see {@code Call}).
 *   <li>Listener calls are serialized per exchange and run only on the engine's own I/O threads,
 *       never on the caller's.
 *   <li>An abort fails the body subscriber's {@code getBody()} stage as well as cancelling: the JDK
 *       counts the exchange as pending until that stage completes, and a client with a pending
 *       exchange is never shut down (JDK 17-20: never collected either).
 *   <li>A response head the JDK cannot parse (garbage status line, {@code ProtocolException}) ends
 *       the exchange, but the JDK stops reading that connection without closing it (17.0.15 and
 *       25.0.3 alike): it stays open, in CLOSE_WAIT once the server has closed. Only the client's
 *       end closes it, on JDKs that track the connections a client opened (JDK-8277969: JDK 19+,
 *       and 17 updates with its backport, openjdk/jdk17u-dev#3633, 2025); 17.0.15 never closes it,
 *       its socket and file descriptor stay until the JVM exits. An own client that abandoned such
 *       connections is retired (replaced in the cache, then {@code shutdown()} on 21+ or dropped
 *       before): at the first one on 21+, where that closes it at once; every {@value
 *       #ABANDONED_LIMIT_BEFORE_21} before 21, where the client ends only when collected.
 *   <li>What {@code close()} releases (the transport's close aborts the exchanges in flight first).
 *       JDK 21+: the own clients are stopped ({@code shutdownNow()}); their selector threads end
 *       and every connection they opened is closed, abandoned ones included. JDK 17-20 cannot stop
 *       a client: it is dropped, and its selector thread, pooled connections and their descriptors
 *       go when the garbage collector collects it (nothing keeps it reachable once its exchanges
 *       have ended); connections abandoned after garbage then close too, except on 17 updates
 *       without the backport above, where they stay until the JVM exits. A user's client is never
 *       stopped or retired.
 *   <li>An own client's selector thread that ends while the client is in use (an {@code Error} on
 *       it) leaves the client unable to finish anything: {@link SelectorWatch} reports that as the
 *       engine's breakdown, so the api layer fails the calls instead of leaving them waiting.
 * </ul>
 */
final class JdkEngine implements TransportEngine, SelectorWatch.Owner {
  static final String NAME = "jdk";
  static final Set<Capability> CAPABILITIES =
      TunnelCredentials.basicAllowed()
          ? Set.of(
              Capability.GET_WITH_BODY,
              Capability.HTTP_2,
              Capability.CUSTOM_SSL_CONTEXT,
              Capability.PROXY_TUNNEL_CREDENTIALS)
          : Set.of(Capability.GET_WITH_BODY, Capability.HTTP_2, Capability.CUSTOM_SSL_CONTEXT);
  static final int MAX_CLIENTS = 8;

  /**
   * Abandoned connections after which an own client is retired before JDK 21: retiring lets them
   * close (or, on 17.0.15, at least lets their memory go) when the client is collected, at the cost
   * of a new client and of a selector thread left until the old one is collected.
   */
  static final int ABANDONED_LIMIT_BEFORE_21 = 32;

  /**
   * Abandoned connections after which an own client is retired: 1 on JDK 21+, where {@code
   * shutdown()} closes them at once.
   */
  static final int ABANDONED_LIMIT = canShutdown() ? 1 : ABANDONED_LIMIT_BEFORE_21;

  private final TransportConfig config;
  private final HttpClient userClient;
  private final HttpClient.Version version;
  private final ThreadPoolExecutor executor;
  // over a user's client, or through a proxy: the JDK's own connect timeout bounds neither a
  // user client's per-exchange value nor a proxy's CONNECT answer; and the wait for a slot of the
  // limiter, when connectionAcquireTimeout is set
  private final ScheduledThreadPoolExecutor connectTimer;
  private final ConnectionLimiter limiter;
  private final Map<Duration, Own> clients = new LinkedHashMap<>(16, 0.75f, true);
  private volatile boolean closed;
  private int retiredClients; // guarded by clients
  private volatile Consumer<Throwable> breakdown; // the api layer's
  private final List<Thread> selectorWatchers = new CopyOnWriteArrayList<>();

  /**
   * Origins that have answered an exchange of this engine: their pool may hold a connection, so a
   * connection to them that closes before any response byte is taken for a stale one (see {@link
   * JdkFailures}). Bounded; cleared when full.
   */
  private final Set<ConnectionLimiter.Origin> answered = ConcurrentHashMap.newKeySet();

  private static final int MAX_ANSWERED_ORIGINS = 1024;

  JdkEngine(TransportConfig config, HttpClient userClient) {
    this.config = config;
    this.userClient = userClient;
    this.version =
        config.httpVersion() == HttpVersion.HTTP_2
            ? HttpClient.Version.HTTP_2
            : HttpClient.Version.HTTP_1_1;
    this.limiter = new ConnectionLimiter(config.maxConnectionsPerHost(), config.maxConnections());
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> new IoThread(r, "switchboard-jdk-io-" + n.incrementAndGet()));
    if (userClient != null || config.proxy() != null || config.connectionAcquireTimeout() != null) {
      connectTimer =
          new ScheduledThreadPoolExecutor(1, r -> new IoThread(r, "switchboard-jdk-timer"));
      connectTimer.setRemoveOnCancelPolicy(true);
    } else {
      connectTimer = null;
    }
  }

  /** The engine's own threads (daemons), the only ones that call listeners directly. */
  private static final class IoThread extends Thread {
    IoThread(Runnable r, String name) {
      super(r, name);
      setDaemon(true);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  @Override
  public Exchange start(ExchangeRequest request, ExchangeListener listener) {
    Call call = new Call(request, listener);
    call.begin();
    return call;
  }

  /** Our own clients' selector threads are watched ({@link SelectorWatch}); a user's, not. */
  @Override
  public void onBreakdown(Consumer<Throwable> breakdown) {
    this.breakdown = breakdown;
  }

  @Override
  public boolean closed() {
    return closed;
  }

  @Override
  public void brokeDown(Throwable cause) {
    Consumer<Throwable> b = breakdown;
    if (b != null) {
      b.accept(cause);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Own> own;
    synchronized (clients) {
      own = new ArrayList<>(clients.values());
      clients.clear();
    }
    own.forEach(o -> stop(o.client, "shutdownNow"));
    selectorWatchers.forEach(Thread::interrupt);
    executor.shutdown();
    if (connectTimer != null) {
      connectTimer.shutdownNow();
    }
  }

  /**
   * One own client and the count of connections it abandoned (see {@link #ABANDONED_LIMIT}); the
   * user's client has none.
   */
  private static final class Own {
    final Duration key;
    final HttpClient client;
    final AtomicInteger abandoned = new AtomicInteger();
    // out of the cache: its selector may end (read by its SelectorWatch, which must not hold this)
    final AtomicBoolean retired = new AtomicBoolean();
    private int starting; // sendAsync calls about to be made or under way

    Own(Duration key, HttpClient client) {
      this.key = key;
      this.client = client;
    }

    /** Called under the cache's lock, the client still cached: a sendAsync is about to be made. */
    synchronized void enter() {
      starting++;
    }

    /**
     * The sendAsync has been made (the JDK now counts the exchange, so a graceful stop lets it
     * finish); stops the client if it was retired meanwhile and this was the last one under way.
     */
    void exit() {
      boolean stop;
      synchronized (this) {
        stop = --starting == 0 && retired.get();
      }
      if (stop) {
        stop(client, "shutdown");
      }
    }

    /**
     * Out of the cache: stops the client gracefully, at once or after the sendAsync calls under way
     * (on JDK 21+ a stopped client refuses new exchanges: "closed").
     */
    void retire() {
      boolean stop;
      synchronized (this) {
        retired.set(true);
        stop = starting == 0;
      }
      if (stop) {
        stop(client, "shutdown");
      }
    }
  }

  /** The own client for a connect timeout, cached by that value; never called over a user's. */
  private Own client(Duration connectTimeout) {
    Own evicted = null;
    Own created = null;
    Own c;
    synchronized (clients) {
      c = clients.get(connectTimeout);
      if (c == null) {
        HttpClient.Builder b =
            HttpClient.newBuilder()
                .version(version)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .executor(executor);
        if (config.sslContext() != null) {
          b.sslContext(config.sslContext());
        }
        if (config.proxy() != null) { // credentials go with each request (TunnelCredentials)
          b.proxy(config.proxy().proxySelector());
        }
        c = new Own(connectTimeout, b.build());
        created = c;
        clients.put(connectTimeout, c);
        if (clients.size() > MAX_CLIENTS) {
          Iterator<Own> eldest = clients.values().iterator();
          evicted = eldest.next();
          eldest.remove();
        }
      }
      c.enter();
    }
    if (evicted != null) {
      evicted.retire(); // lets its exchanges finish
    }
    if (created != null) {
      Thread watcher = SelectorWatch.watch(created.client, created.retired, this);
      if (watcher != null) {
        selectorWatchers.removeIf(t -> !t.isAlive()); // those of clients gone
        selectorWatchers.add(watcher);
        if (closed) { // close() ran meanwhile
          watcher.interrupt();
        }
      }
    }
    return c;
  }

  /**
   * Counts a connection the client abandoned (a response head it could not parse: the JDK stops
   * reading that connection and does not close it) and retires the client once it has abandoned
   * {@link #ABANDONED_LIMIT}: later exchanges get a new client, the old one ends when its own
   * exchanges have (JDK 21+: {@code shutdown()}, which closes every connection it opened; before:
   * once collected, see the class comment).
   */
  private void abandoned(Own own) {
    if (own.abandoned.incrementAndGet() != ABANDONED_LIMIT) {
      return;
    }
    synchronized (clients) {
      if (clients.get(own.key) != own) {
        return; // evicted or closed meanwhile: already stopped
      }
      clients.remove(own.key);
      retiredClients++;
    }
    own.retire();
  }

  /** Number of own clients retired for abandoned connections; for tests. */
  int retiredClients() {
    synchronized (clients) {
      return retiredClients;
    }
  }

  /** Number of own clients cached; for tests. */
  int cachedClients() {
    synchronized (clients) {
      return clients.size();
    }
  }

  /** Whether {@link HttpClient} has {@code shutdown()} (JDK 21+). */
  private static boolean canShutdown() {
    try {
      HttpClient.class.getMethod("shutdown");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * Stops a client on JDK 21+ ({@code shutdown}/{@code shutdownNow}); before that, a client has no
   * such method and its selector thread (a daemon) ends once the client is unreachable.
   */
  private static void stop(HttpClient client, String method) {
    try {
      HttpClient.class.getMethod(method).invoke(client);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // JDK 17-20: nothing to call
    }
  }

  // ------------------------------------------------------------------ one exchange

  private static final AtomicIntegerFieldUpdater<Call> PENDING =
      AtomicIntegerFieldUpdater.newUpdater(Call.class, "pending");
  private static final AtomicIntegerFieldUpdater<Call> RELEASED =
      AtomicIntegerFieldUpdater.newUpdater(Call.class, "released");
  private static final AtomicLongFieldUpdater<Call> DEMAND =
      AtomicLongFieldUpdater.newUpdater(Call.class, "demand");

  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<Call, ConcurrentLinkedQueue> QUEUED =
      AtomicReferenceFieldUpdater.newUpdater(Call.class, ConcurrentLinkedQueue.class, "queued");

  /**
   * One exchange, in every role the JDK asks for: the limiter's waiter, the response's body handler
   * and subscriber, and the {@link Exchange} handle. Its counters are fields (updated through
   * {@link #PENDING}, {@link #RELEASED} and {@link #DEMAND}) rather than atomic objects of their
   * own: an exchange allocates as little as it can.
   *
   * <p>The response body against demand: the JDK is asked for one item ({@code List<ByteBuffer>})
   * at a time, and only while the api's demand is outstanding and the previous item has been
   * delivered whole; without that request the JDK stops reading the connection. An item's buffers
   * go out one {@code onBody} per unit of demand; those beyond the demand wait in {@link #item}
   * (never more than one item) until more comes. Delivery runs in the serialized event loop, so a
   * {@link #request} from inside a listener call is picked up by the loop already running (it
   * re-reads the demand after each call), never re-entrantly; from any other thread it queues a
   * {@link #pump} like any event. Unbounded demand ({@code Long.MAX_VALUE}, the buffered send) is
   * never counted down: the loop costs one volatile read per buffer.
   */
  private final class Call extends ConnectionLimiter.Waiter
      implements Exchange, HttpResponse.BodyHandler<Void>, HttpResponse.BodySubscriber<Void> {
    private final ExchangeRequest exchange;
    private final Request request;
    private final ExchangeListener listener;
    private final CompletableFuture<Void> bodyDone = new CompletableFuture<>();

    /** Events that came while another thread was running one; created on first need. */
    private volatile ConcurrentLinkedQueue<Runnable> queued;

    private volatile int pending; // events emitted and not yet run
    private volatile int released; // 1 once the limiter's slot was given back
    private final RequestBody body;
    private HttpRequest jdkRequest;
    private volatile CompletableFuture<HttpResponse<Void>> future;
    private volatile Own own; // the own client the exchange runs on, until it ended
    private volatile Flow.Subscription subscription;
    private volatile boolean responseStarted;
    private volatile boolean aborted;
    private volatile long demand; // onBody calls allowed and not yet made; MAX_VALUE: unbounded
    private volatile Thread looping; // the thread running the event loop, while it does
    // touched only inside the serialized event loop
    private boolean sentSignalled;
    private boolean headersDelivered;
    private boolean terminated;
    private List<ByteBuffer> item; // the JDK's item being delivered, or null
    private int next; // index in item of the next buffer to deliver
    private boolean asked; // one item asked of the JDK and not yet received
    private boolean bodyEnded; // the JDK's onComplete came; onComplete goes once item is out

    Call(ExchangeRequest exchange, ExchangeListener listener) {
      super(ConnectionLimiter.Origin.of(exchange.request().uri()));
      this.exchange = exchange;
      this.request = exchange.request();
      this.listener = listener;
      this.body = new RequestBody(request.body(), () -> emit(this::signalSent));
    }

    void begin() {
      try {
        jdkRequest = JdkRequests.build(request, version, body, proxyAuthorization());
      } catch (TransportException e) {
        fail(e);
        return;
      }
      if (closed) {
        fail(Fault.CLOSED, null);
        return;
      }
      limiter.acquire(this);
      Duration acquire = config.connectionAcquireTimeout();
      if (acquire != null && limiter.isQueued(this)) {
        try {
          connectTimer.schedule(
              () -> {
                if (limiter.withdraw(this)) { // still waiting: no slot became free in time
                  fail(Fault.POOL_TIMEOUT, null);
                }
              },
              acquire.toNanos(),
              TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          // closed meanwhile: the exchange is being aborted anyway
        }
      }
    }

    /** Holding a slot of the limiter: hands the request to the JDK. */
    @Override
    void start() {
      if (aborted || closed) {
        release();
        if (!aborted) {
          fail(Fault.CLOSED, null);
        }
        return;
      }
      CompletableFuture<HttpResponse<Void>> f;
      try {
        if (userClient != null) {
          f = userClient.sendAsync(jdkRequest, this);
        } else {
          Own o = client(exchange.connectTimeout());
          own = o;
          try {
            f = o.client.sendAsync(jdkRequest, this);
          } finally {
            o.exit();
          }
        }
      } catch (RuntimeException e) {
        release();
        failWith(e);
        return;
      }
      future = f;
      if (userClient != null || proxied()) {
        enforceConnectTimeout(f);
      }
      f.whenComplete(this::ended);
      if (aborted) {
        f.cancel(true);
      }
    }

    /** The Basic credentials of the proxy this request goes through, or null. */
    private String proxyAuthorization() {
      ProxyConfig proxy = config.proxy();
      if (proxy == null) {
        return null;
      }
      return proxy.select(request.uri()).map(ProxyConfig.Server::basicAuthorization).orElse(null);
    }

    private boolean proxied() {
      ProxyConfig proxy = config.proxy();
      return proxy != null && proxy.select(exchange.request().uri()).isPresent();
    }

    /**
     * A user's client has its own connect timeout; this one is the exchange's. Through a proxy, the
     * JDK waits for the answer to its {@code CONNECT} without any: this bounds it.
     */
    private void enforceConnectTimeout(CompletableFuture<HttpResponse<Void>> f) {
      Duration timeout = exchange.connectTimeout();
      try {
        ScheduledFuture<?> timer =
            connectTimer.schedule(
                () -> {
                  if (!body.headersWritten() && !f.isDone()) {
                    fail(Fault.CONNECT_TIMEOUT, null);
                    f.cancel(true);
                  }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        f.whenComplete((r, e) -> timer.cancel(false));
      } catch (RejectedExecutionException e) {
        // closed meanwhile: the exchange is being aborted anyway
      }
    }

    private void ended(HttpResponse<Void> response, Throwable error) {
      release();
      // the JDK may keep this call reachable (from an abandoned connection): let go of the client
      Own o = own;
      own = null;
      if (error != null) {
        if (o != null && !responseStarted && abandonsConnection(error)) {
          abandoned(o);
        }
        failWith(error);
        return;
      }
      if (bodyDone.isDone()) {
        return; // the body subscriber has already reported the end (the usual case)
      }
      emit(
          () -> {
            if (!headersDelivered) { // normally apply() delivered them; convert only if not
              deliverHeaders(response.statusCode(), convert(response.headers()));
            }
            complete();
          });
    }

    private void release() {
      if (RELEASED.compareAndSet(this, 0, 1)) {
        limiter.release(host);
      }
    }

    /**
     * Adds demand. Inside a listener call on the thread running the event loop, the loop sees it
     * when the call returns; from anywhere else a {@link #pump} is queued as an event.
     */
    @Override
    public void request(long n) {
      if (n <= 0) {
        return; // the api never asks for less than one
      }
      long d;
      long sum;
      do {
        d = demand;
        if (d == Long.MAX_VALUE) {
          return;
        }
        sum = d + n < 0 ? Long.MAX_VALUE : d + n;
      } while (!DEMAND.compareAndSet(this, d, sum));
      if (looping != Thread.currentThread()) {
        emit(this::pump);
      }
    }

    /**
     * In the event loop: delivers what the demand allows of the item at hand, then, the item out,
     * ends the body if the JDK has ended it, or asks the JDK for the next item while demand is
     * outstanding.
     */
    private void pump() {
      if (terminated || aborted || !headersDelivered) {
        return;
      }
      List<ByteBuffer> it = item;
      while (it != null) {
        long d = demand;
        if (d == 0) {
          return;
        }
        if (d != Long.MAX_VALUE) {
          DEMAND.decrementAndGet(this);
        }
        ByteBuffer b = it.get(next++);
        if (next == it.size()) {
          item = null;
          it = null;
        }
        listener.onBody(b);
        if (terminated || aborted) {
          return;
        }
      }
      if (bodyEnded) {
        complete();
        return;
      }
      Flow.Subscription s = subscription;
      if (!asked && s != null && demand > 0) {
        asked = true;
        s.request(1); // the JDK may call onNext right here: it queues behind this event
      }
    }

    /**
     * Aborts at any point. Before the headers, cancelling the JDK's future aborts the exchange (JDK
     * 16+; cancel(false) would not). After them that future is already bound to the body: the JDK
     * releases the connection and its count of pending operations only when the body subscriber's
     * {@link #getBody()} stage completes, so that stage is failed here too (a cancelled
     * subscription alone leaves the client referenced forever on JDK 17-20). A streaming request
     * body's subscription is cancelled too, which closes its source. Each step is a no-op once the
     * exchange has ended, so an abort racing the end changes nothing.
     */
    @Override
    public void abort() {
      aborted = true;
      body.cancel();
      if (limiter.withdraw(this)) {
        return; // never started
      }
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      bodyDone.completeExceptionally(new CancellationException("the exchange was aborted"));
      CompletableFuture<HttpResponse<Void>> f = future;
      if (f != null) {
        f.cancel(true);
      }
    }

    // ---------------- listener calls, serialized, never on the caller's thread

    private void emit(Runnable event) {
      boolean ioThread = Thread.currentThread() instanceof IoThread;
      if (ioThread && PENDING.compareAndSet(this, 0, 1)) {
        run(event); // nothing else pending or running: straight through, no queue
        if (PENDING.decrementAndGet(this) != 0) {
          drain(); // others queued events meanwhile, counting on this thread to run them
        }
        return;
      }
      queue().add(event);
      if (PENDING.getAndIncrement(this) != 0) {
        return; // the thread running events will run it
      }
      if (ioThread) {
        drain();
      } else {
        try {
          executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
          ForkJoinPool.commonPool().execute(this::drain); // closing
        }
      }
    }

    private ConcurrentLinkedQueue<Runnable> queue() {
      ConcurrentLinkedQueue<Runnable> q = queued;
      if (q == null) {
        QUEUED.compareAndSet(this, null, new ConcurrentLinkedQueue<>());
        q = queued;
      }
      return q;
    }

    /** Runs queued events until none is pending; each was counted in before it was queued. */
    private void drain() {
      do {
        run(queue().poll());
      } while (PENDING.decrementAndGet(this) != 0);
    }

    private void run(Runnable event) {
      looping = Thread.currentThread();
      try {
        event.run();
      } catch (Throwable e) {
        // a listener never throws; if one does, later events still go
        // out, so the exchange ends instead of hanging
      } finally {
        looping = null;
      }
    }

    private void signalSent() {
      if (!sentSignalled && !terminated) {
        sentSignalled = true;
        listener.onRequestSent();
      }
    }

    private void deliverHeaders(int status, Headers headers) {
      if (headersDelivered || terminated) {
        return;
      }
      signalSent();
      headersDelivered = true;
      listener.onResponseHeaders(status, headers);
      pump(); // demand given inside the call (a buffered send asks for all at once)
    }

    private void complete() {
      if (!terminated) {
        terminated = true;
        listener.onComplete();
      }
    }

    private void fail(TransportException e) {
      emit(
          () -> {
            if (!terminated) {
              terminated = true;
              listener.onFailure(e);
            }
          });
    }

    private void fail(Fault fault, Throwable cause) {
      emit(
          () -> {
            if (!terminated) {
              terminated = true;
              listener.onFailure(fault, cause);
            }
          });
    }

    // ---------------- response: BodyHandler and BodySubscriber

    @Override
    public HttpResponse.BodySubscriber<Void> apply(HttpResponse.ResponseInfo info) {
      responseStarted = true;
      if (!answered.contains(host)) {
        if (answered.size() >= MAX_ANSWERED_ORIGINS) {
          answered.clear();
        }
        answered.add(host);
      }
      int status = info.statusCode();
      Headers headers = convert(info.headers());
      emit(() -> deliverHeaders(status, headers));
      return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (aborted) {
        s.cancel();
        bodyDone.completeExceptionally(new CancellationException("the exchange was aborted"));
      } else {
        emit(this::pump); // demand may have come with the headers, before the subscription
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      emit(
          () -> {
            asked = false;
            if (!buffers.isEmpty()) {
              item = buffers;
              next = 0;
            }
            pump();
          });
    }

    @Override
    public void onError(Throwable t) {
      bodyDone.completeExceptionally(t);
      failWith(t);
    }

    @Override
    public void onComplete() {
      bodyDone.complete(null);
      emit(
          () -> {
            bodyEnded = true;
            if (item == null) {
              complete();
            }
          });
    }

    @Override
    public CompletionStage<Void> getBody() {
      return bodyDone;
    }

    // ---------------- errors

    /**
     * Reports the JDK's failure as its fault. When the request body's source failed, its {@link
     * BodySourceException} is kept in the cause chain whatever the JDK wrapped it in (or reported
     * instead): it is added to the JDK's exception as suppressed if that chain lacks it.
     */
    private void failWith(Throwable error) {
      Throwable cause = JdkFailures.cause(error);
      BodySourceException source = body.sourceFailure();
      if (source != null && BodySourceException.find(cause) == null) {
        if (cause == null) {
          cause = source;
        } else if (cause != source) {
          cause.addSuppressed(source);
        }
      }
      fail(
          JdkFailures.fault(
              error,
              body.headersWritten(),
              responseStarted,
              body.resendRefused(),
              answered.contains(host)),
          cause);
    }

    /**
     * Whether the JDK left the connection open after this failure: a response head it could not
     * parse ({@link ProtocolException}) ends the exchange without closing the connection, on JDK 17
     * and 25 alike.
     */
    private boolean abandonsConnection(Throwable error) {
      for (Throwable t = error; t != null; t = t.getCause()) {
        if (t instanceof ProtocolException) {
          return true;
        }
      }
      return false;
    }

    private Headers convert(HttpHeaders headers) {
      Map<String, List<String>> map = headers.map();
      Headers.Builder b = Headers.builder(map.size()); // one value per name, mostly
      for (Map.Entry<String, List<String>> e : map.entrySet()) {
        String name = e.getKey();
        if (!name.startsWith(":")) {
          for (String v : e.getValue()) {
            b.add(name, v);
          }
        }
      }
      return b.build();
    }
  }
}
