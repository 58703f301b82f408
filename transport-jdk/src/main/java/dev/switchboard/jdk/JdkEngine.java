package dev.switchboard.jdk;

import dev.switchboard.Capability;
import dev.switchboard.Headers;
import dev.switchboard.HttpVersion;
import dev.switchboard.Request;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import dev.switchboard.spi.TransportEngine;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

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
 *   <li>Listener calls are serialized per exchange and run only on the engine's own I/O threads,
 *       never on the caller's.
 * </ul>
 */
final class JdkEngine implements TransportEngine {
  static final String NAME = "jdk";
  static final Set<Capability> CAPABILITIES =
      Set.of(Capability.GET_WITH_BODY, Capability.HTTP_2, Capability.CUSTOM_SSL_CONTEXT);
  static final int MAX_CLIENTS = 8;

  private final TransportConfig config;
  private final HttpClient userClient;
  private final HttpClient.Version version;
  private final ThreadPoolExecutor executor;
  private final ScheduledThreadPoolExecutor connectTimer; // only over a user's client
  private final ConnectionLimiter limiter;
  private final Map<Duration, HttpClient> clients = new LinkedHashMap<>(16, 0.75f, true);
  private volatile boolean closed;

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
    if (userClient != null) {
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

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<HttpClient> own;
    synchronized (clients) {
      own = new ArrayList<>(clients.values());
      clients.clear();
    }
    own.forEach(c -> stop(c, "shutdownNow"));
    executor.shutdown();
    if (connectTimer != null) {
      connectTimer.shutdownNow();
    }
  }

  /** The client for a connect timeout: the user's, or an own one cached by that value. */
  private HttpClient client(Duration connectTimeout) {
    if (userClient != null) {
      return userClient;
    }
    HttpClient evicted = null;
    HttpClient c;
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
        c = b.build();
        clients.put(connectTimeout, c);
        if (clients.size() > MAX_CLIENTS) {
          Iterator<HttpClient> eldest = clients.values().iterator();
          evicted = eldest.next();
          eldest.remove();
        }
      }
    }
    if (evicted != null) {
      stop(evicted, "shutdown"); // lets its exchanges finish
    }
    return c;
  }

  /** Number of own clients cached; for tests. */
  int cachedClients() {
    synchronized (clients) {
      return clients.size();
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

  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<Call, ConcurrentLinkedQueue> QUEUED =
      AtomicReferenceFieldUpdater.newUpdater(Call.class, ConcurrentLinkedQueue.class, "queued");

  /**
   * One exchange, in every role the JDK asks for: the limiter's waiter, the response's body handler
   * and subscriber, and the {@link Exchange} handle. Its counters are fields (updated through
   * {@link #PENDING} and {@link #RELEASED}) rather than atomic objects of their own: an exchange
   * allocates as little as it can.
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
    private volatile Flow.Subscription subscription;
    private volatile boolean responseStarted;
    private volatile boolean aborted;
    // touched only inside the serialized event loop
    private boolean sentSignalled;
    private boolean headersDelivered;
    private boolean terminated;

    Call(ExchangeRequest exchange, ExchangeListener listener) {
      super(ConnectionLimiter.Origin.of(exchange.request().uri()));
      this.exchange = exchange;
      this.request = exchange.request();
      this.listener = listener;
      this.body = new RequestBody(request.body(), () -> emit(this::signalSent));
    }

    void begin() {
      try {
        jdkRequest = JdkRequests.build(request, version, body);
      } catch (TransportException e) {
        fail(e);
        return;
      }
      if (closed) {
        fail(Fault.CLOSED, null);
        return;
      }
      limiter.acquire(this);
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
        f = client(exchange.connectTimeout()).sendAsync(jdkRequest, this);
      } catch (RuntimeException e) {
        release();
        failWith(e);
        return;
      }
      future = f;
      if (userClient != null) {
        enforceConnectTimeout(f);
      }
      f.whenComplete(this::ended);
      if (aborted) {
        f.cancel(true);
      }
    }

    /** A user's client has its own connect timeout; this one is the exchange's. */
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
      if (error != null) {
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

    @Override
    public void abort() {
      aborted = true;
      if (limiter.withdraw(this)) {
        return; // never started
      }
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      CompletableFuture<HttpResponse<Void>> f = future;
      if (f != null) {
        f.cancel(true); // JDK 16+: aborts the exchange; cancel(false) would not
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

    private static void run(Runnable event) {
      try {
        event.run();
      } catch (Throwable e) {
        // a listener never throws; if one does, later events still go
        // out, so the exchange ends instead of hanging
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
      } else {
        s.request(1); // one more after the listener has taken each batch: no buffering here
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      emit(
          () -> {
            if (!terminated && !aborted) {
              buffers.forEach(listener::onBody);
              subscription.request(1);
            }
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
      emit(this::complete);
    }

    @Override
    public CompletionStage<Void> getBody() {
      return bodyDone;
    }

    // ---------------- errors

    private void failWith(Throwable error) {
      fail(
          JdkFailures.fault(
              error,
              body.headersWritten(),
              responseStarted,
              body.resendRefused(),
              answered.contains(host)),
          JdkFailures.cause(error));
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
