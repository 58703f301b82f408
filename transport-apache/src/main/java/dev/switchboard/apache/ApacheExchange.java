package dev.switchboard.apache;

import dev.switchboard.Body;
import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.spi.BodySourceException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One exchange: maps the {@link Request} onto the library's request, streams the response to the
 * {@link ExchangeListener}, and maps the outcome.
 *
 * <p><b>When the request counts as sent.</b> With a body: when {@link BodyProducer} or {@link
 * PublisherProducer} has handed the last byte to the connection (the response timeout must not run
 * while a large body uploads). Without one: when the library hands the request head to a connection
 * it has leased and connected, seen as {@link HttpContext#setRequest} on this exchange's own
 * context, which both HTTP/1.1 and HTTP/2 stream handlers call just before writing the head (also
 * for a client the caller built, where we cannot add interceptors). Until then a failure is a
 * connect-phase one and {@code requestSent()} is false.
 *
 * <p><b>Completion.</b> {@code onComplete} is reported from {@link #releaseResources()}, which the
 * client calls after it has returned the connection to the pool, so that a request sent from the
 * completion finds that connection free instead of opening another (or later, after the chunks kept
 * for a consumer that has not asked for them yet).
 *
 * <p><b>Request bodies.</b> In memory: {@link BodyProducer}, straight from the bytes. Streaming (a
 * file, an {@code InputStream}, a {@code Flow.Publisher}): {@link PublisherProducer} over the
 * body's demand-driven publisher, so the I/O reactor never blocks on the source; {@link #abort()}
 * cancels its subscription.
 *
 * <p><b>Response bodies, against demand.</b> The SPI counts {@code onBody} calls, HC5 counts
 * capacity in bytes and hands {@link #consume} whatever it has read. Each {@code consume} is one
 * {@code onBody}: delivered at once (without a copy) while demand is outstanding, otherwise copied
 * and kept until demand comes. Capacity is given only while demand is outstanding and nothing is
 * kept: when HC5 reports its window spent ({@link #updateCapacity}) and no demand is outstanding,
 * it gets nothing, stops reading from the socket (HTTP/1.1) or sends no window update (HTTP/2), and
 * TCP flow control holds the server back; the next {@link #request} gives it {@link #INCREMENT}
 * bytes. So what is kept is bounded by one increment (HC5's initial window is as large), plus what
 * its input buffer already held. Demand of {@code Long.MAX_VALUE} (a buffered {@code send}) gives
 * HC5 unbounded capacity every time it asks, as before demand existed.
 *
 * <p><b>One listener call at a time.</b> Every listener call goes through one queue, delivered by
 * one thread at a time ({@link #drain}): the I/O thread, or a consumer's thread whose {@link
 * #request} finds chunks kept for it. A {@code request} made inside a listener call only adds
 * demand; the delivering loop around that call goes on with it. The completion is queued behind the
 * chunks it follows; a failure drops them and comes next; after {@link #abort()} nothing more is
 * delivered. Exactly one of {@code onComplete} or {@code onFailure} is reported (see {@link
 * #fail}).
 */
final class ApacheExchange implements Exchange, AsyncResponseConsumer<Void>, FutureCallback<Void> {
  /** Bytes of capacity given at a time while demand is bounded: HC5's initial window. */
  static final int INCREMENT = 64 * 1024;

  private final ExchangeRequest exchange;
  private final ExchangeListener listener;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean written = new AtomicBoolean();
  private volatile boolean sentReported;
  private volatile boolean bodyEnded;
  private volatile boolean headersReceived;
  private volatile EndpointDetails reusedConnection;
  private volatile long receivedBefore;
  private volatile boolean aborted;
  private volatile Future<Void> future;
  private volatile AsyncExecRuntime runtime;
  private FutureCallback<Void> result;
  private volatile PublisherProducer streamedBody;

  // the listener's queue and the response body's demand; under lock
  private final Object lock = new Object();
  private final ArrayDeque<Object> queue = new ArrayDeque<>(); // ByteBuffer or Runnable
  private int queuedChunks;
  private long demand;
  private boolean delivering;
  private boolean stopped; // aborted: nothing more is delivered
  private CapacityChannel capacity;
  private boolean capacityWanted; // HC5 asked for capacity and has not had it yet

  private final TunnelWatch tunnelWatch = new TunnelWatch();

  ApacheExchange(ExchangeRequest exchange, ExchangeListener listener) {
    this.exchange = exchange;
    this.listener = listener;
  }

  /**
   * Bounds a proxy's answer to the {@code CONNECT} by the connect timeout: HC5 reads it with the
   * socket timeout, which is off (see {@link ApacheEngine}), so a proxy that never answers would
   * hold the exchange for ever. Runs on {@link #TIMER}, a daemon thread that ends when idle.
   */
  private final class TunnelWatch {
    private volatile ScheduledFuture<?> timer;

    void start() {
      if (timer == null) {
        timer =
            TIMER.schedule(
                this::timedOut, exchange.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    void stop() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }

    private void timedOut() {
      if (!written()) {
        watchPassed(
            Fault.CONNECT_TIMEOUT,
            new SocketTimeoutException(
                "the proxy did not answer the CONNECT within " + exchange.connectTimeout()));
      }
    }
  }

  /** A watch of this exchange's own passed before HC5 did anything: fail it and cancel. */
  private void watchPassed(Fault fault, IOException cause) {
    if (ended.compareAndSet(false, true)) {
      emitFailure(() -> listener.onFailure(fault, cause));
      Future<Void> f = future;
      if (f != null) {
        f.cancel(true);
      }
    }
  }

  /**
   * Fails the exchange when no pooled connection was leased to it within {@code timeout}. HC5 has
   * the same bound ({@code connectionRequestTimeout}, also set), but checks it only when its pool
   * is next touched (a lease or a release): a request queued behind connections that stay busy
   * would wait on. Once a connection is leased, connecting is the connect timeout's business.
   */
  void watchAcquire(Duration timeout) {
    try {
      TIMER.schedule(
          () -> {
            AsyncExecRuntime r = runtime;
            if (!written() && (r == null || !r.isEndpointAcquired())) {
              watchPassed(
                  Fault.POOL_TIMEOUT,
                  new InterruptedIOException("no connection leased within " + timeout));
            }
          },
          timeout.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // cannot happen with an unbounded queue; HC5's own bound still holds
    }
  }

  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, "switchboard-apache-tunnel-watch");
              th.setDaemon(true);
              return th;
            });
    t.setKeepAliveTime(10, TimeUnit.SECONDS);
    t.allowCoreThreadTimeOut(true);
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  void execute(CloseableHttpAsyncClient client, RequestConfig config) {
    try {
      Request request = exchange.request();
      URI uri = request.uri();
      HttpRequest head =
          new BasicHttpRequest(request.method(), HttpHost.create(uri), pathAndQuery(uri));
      Headers fields = request.headers();
      for (int i = 0, n = fields.size(); i < n; i++) {
        String name = fields.name(i);
        // the library writes the framing itself (and refuses a request that already has it)
        if (!name.equalsIgnoreCase("Content-Length")
            && !name.equalsIgnoreCase("Transfer-Encoding")) {
          head.addHeader(name, fields.value(i));
        }
      }
      AsyncEntityProducer body = null;
      if (request.hasBody()) {
        Body b = request.body();
        if (b.isInMemory()) {
          body = new BodyProducer(b.asReadOnlyBuffer(), this::requestSent);
        } else {
          PublisherProducer p = new PublisherProducer(b.publisher(), b.length(), this::requestSent);
          streamedBody = p;
          body = p;
        }
      }
      Context context = new Context(body == null);
      context.setRequestConfig(config);
      Future<Void> f = client.execute(new BasicRequestProducer(head, body), this, context, this);
      future = f;
      if (aborted) {
        f.cancel(true);
      }
    } catch (RuntimeException e) { // a client that is not running throws CancellationException
      fail(e);
    }
  }

  /** The request target, its encoding untouched, and non-ASCII characters sent as UTF-8 %XX. */
  private static String pathAndQuery(URI uri) {
    String path = uri.getRawPath();
    String query = uri.getRawQuery();
    path = path == null || path.isEmpty() ? "/" : path;
    String target = query == null ? path : path + "?" + query;
    for (int i = 0; i < target.length(); i++) {
      if (target.charAt(i) > 0x7e) {
        return pathAndQuery(URI.create(uri.toASCIIString()));
      }
    }
    return target;
  }

  /**
   * The context of this exchange only: tells when the request head goes to a connection, and
   * whether that connection had carried a request before (the connection's event).
   */
  private final class Context extends HttpClientContext {
    private final boolean sentWithHead;

    Context(boolean sentWithHead) {
      this.sentWithHead = sentWithHead;
    }

    ApacheExchange exchange() {
      return ApacheExchange.this;
    }

    @Override
    public void setRequest(HttpRequest request) {
      super.setRequest(request);
      if ("CONNECT".equals(request.getMethod()) && !written()) {
        tunnelWatch.start(); // a proxy tunnel's set-up: part of connecting
        return;
      }
      tunnelWatch.stop();
      if (written.compareAndSet(false, true)) {
        EndpointDetails connection = getEndpointDetails();
        boolean reused = connection != null && connection.getRequestCount() > 0;
        if (reused) {
          receivedBefore = connection.getReceivedBytesCount();
          reusedConnection = connection;
        }
        if (!ended.get()) {
          emit(() -> listener.onConnectionAcquired(reused));
        }
      }
      if (sentWithHead) {
        requestSent();
      }
    }
  }

  private boolean written() {
    return written.get();
  }

  /** Whether this ran on a reused connection that has not sent a byte since the request. */
  private boolean stale() {
    EndpointDetails connection = reusedConnection;
    return connection != null
        && !headersReceived
        && connection.getReceivedBytesCount() == receivedBefore;
  }

  private void requestSent() {
    if (!sentReported && !ended.get()) {
      sentReported = true;
      emit(listener::onRequestSent);
    }
  }

  // ---------------------------------------------------------------- demand and delivery

  /**
   * Adds demand, delivers what is kept for it (on this thread, unless a delivery is running: that
   * one goes on with it) and gives HC5 capacity if it waits for some.
   */
  @Override
  public void request(long n) {
    if (n <= 0) {
      return;
    }
    synchronized (lock) {
      long sum = demand + n;
      demand = sum < 0 ? Long.MAX_VALUE : sum;
    }
    drain();
  }

  /** Queues a listener call that needs no demand and delivers it (unless a delivery runs). */
  private void emit(Runnable call) {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      queue.add(call);
    }
    drain();
  }

  /** Queues the failure ahead of the chunks kept (they are dropped) and delivers it. */
  private void emitFailure(Runnable call) {
    synchronized (lock) {
      if (stopped) {
        return;
      }
      queue.removeIf(o -> o instanceof ByteBuffer);
      queuedChunks = 0;
      queue.add(call);
    }
    drain();
  }

  /** Delivers from the queue unless another delivery runs (on this thread or another). */
  private void drain() {
    synchronized (lock) {
      if (delivering) {
        return;
      }
      delivering = true;
    }
    deliverLoop();
  }

  /**
   * Delivers while something is deliverable, then, still under the lock that decides it, lets go of
   * the delivery, and gives HC5 capacity if it waits for some and demand is outstanding.
   */
  private void deliverLoop() {
    boolean done = false;
    try {
      while (true) {
        Object next;
        CapacityChannel channel = null;
        int grant = 0;
        synchronized (lock) {
          next = stopped ? null : queue.peek();
          if (next instanceof ByteBuffer) {
            if (demand == 0) {
              next = null;
            } else if (demand != Long.MAX_VALUE) {
              demand--;
            }
          }
          if (next == null) {
            delivering = false;
            done = true;
            grant = grant();
            channel = capacity;
          } else {
            queue.poll();
            if (next instanceof ByteBuffer) {
              queuedChunks--;
            }
          }
        }
        if (next == null) {
          give(channel, grant);
          return;
        }
        if (next instanceof ByteBuffer chunk) {
          listener.onBody(chunk);
        } else {
          ((Runnable) next).run();
        }
      }
    } finally {
      if (!done) { // a listener threw: let a later call deliver again
        synchronized (lock) {
          delivering = false;
        }
      }
    }
  }

  /**
   * Under the lock: the capacity to give HC5 now, if it asked and demand is outstanding (none of it
   * met by kept chunks); unbounded for unbounded demand. HC5 is considered served once given.
   */
  private int grant() {
    if (!capacityWanted || capacity == null || stopped || bodyEnded || demand == 0) {
      return 0;
    }
    if (demand == Long.MAX_VALUE) {
      capacityWanted = false;
      return Integer.MAX_VALUE;
    }
    if (queuedChunks > 0) {
      return 0;
    }
    capacityWanted = false;
    return INCREMENT;
  }

  private void give(CapacityChannel channel, int grant) {
    if (grant <= 0 || channel == null) {
      return;
    }
    try {
      channel.update(grant);
    } catch (IOException | RuntimeException e) {
      fail(e); // the connection is gone; the library reports it too, and only one report counts
    }
  }

  /**
   * Cancels the library's future and discards the exchange's connection. The cancel alone can miss
   * in 5.6: when the pool hands over a connection at once, the future's link to the running
   * exchange is overwritten by the finished lease, so the exchange would go on (seen with reused
   * connections and with fast connects); discarding the endpoint closes it whatever the future did.
   * A streaming request body's subscription is cancelled; chunks kept are dropped.
   */
  @Override
  public void abort() {
    ended.set(true); // the api layer has settled the exchange: nothing more is reported
    aborted = true;
    synchronized (lock) {
      stopped = true;
      queue.clear();
      queuedChunks = 0;
    }
    PublisherProducer p = streamedBody;
    if (p != null) {
      p.cancel();
    }
    Future<Void> f = future;
    if (f != null) {
      f.cancel(true);
    }
    AsyncExecRuntime r = runtime;
    if (r != null) {
      r.discardEndpoint();
    }
  }

  /**
   * The first step of the client's exec chain ({@link ApacheTransports#configure}): remembers the
   * exchange's runtime, through which {@link #abort()} reaches its connection.
   */
  static void captureRuntime(
      HttpRequest request,
      AsyncEntityProducer entity,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    if (scope.clientContext instanceof Context context) {
      context.exchange().runtime = scope.execRuntime;
    }
    chain.proceed(request, entity, scope, callback);
  }

  // ---------------------------------------------------------------- the response, as it arrives

  @Override
  public void consumeResponse(
      HttpResponse response,
      EntityDetails entity,
      HttpContext context,
      FutureCallback<Void> resultCallback)
      throws ProtocolException {
    Headers headers;
    try {
      Header[] fields = response.getHeaders();
      Headers.Builder b = Headers.builder(fields.length); // exactly full: built without a copy
      for (Header h : fields) {
        b.add(h.getName(), h.getValue());
      }
      headers = b.build();
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("unusable response header: " + e.getMessage(), e);
    }
    headersReceived = true;
    requestSent(); // a response may come before the body was all written
    if (!ended.get()) {
      int status = response.getCode();
      emit(() -> listener.onResponseHeaders(status, headers));
    }
    result = resultCallback;
    if (entity == null) {
      bodyEnded = true;
      resultCallback.completed(null);
    }
  }

  @Override
  public void informationResponse(HttpResponse response, HttpContext context) {
    // 1xx: nothing to report
  }

  /**
   * HC5's window is spent (HTTP/1.1: it has stopped reading; HTTP/2: the stream's window is low).
   * Given capacity at once if demand is outstanding, otherwise remembered for the next {@link
   * #request}.
   */
  @Override
  public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
    int grant;
    synchronized (lock) {
      capacity = capacityChannel;
      capacityWanted = true;
      grant = grant();
    }
    if (grant > 0) {
      capacityChannel.update(grant);
    }
  }

  /**
   * One {@code onBody}: delivered from HC5's buffer while demand is outstanding and nothing is
   * queued or being delivered, otherwise copied and queued.
   */
  @Override
  public void consume(ByteBuffer src) {
    int end = src.limit();
    boolean direct = false;
    synchronized (lock) {
      if (stopped || ended.get()) { // aborted, or failed: nothing more reaches the listener
        src.position(end);
        return;
      }
      if (!delivering && queue.isEmpty() && demand > 0) {
        delivering = true;
        direct = true;
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
      } else {
        ByteBuffer copy = ByteBuffer.allocate(src.remaining());
        copy.put(src).flip();
        queue.add(copy);
        queuedChunks++;
      }
    }
    if (direct) {
      try {
        listener.onBody(src);
      } catch (RuntimeException e) {
        synchronized (lock) {
          delivering = false;
        }
        throw e;
      }
      src.position(end);
      deliverLoop();
    } else {
      drain();
    }
  }

  @Override
  public void streamEnd(List<? extends Header> trailers) {
    bodyEnded = true;
    result.completed(null);
  }

  @Override
  public void releaseResources() {
    if (bodyEnded && ended.compareAndSet(false, true)) {
      emit(listener::onComplete);
    }
  }

  // ---------------------------------------------------------------- the outcome

  @Override
  public void completed(Void ignored) {
    // reported from releaseResources()
  }

  @Override
  public void failed(Exception cause) {
    fail(cause);
  }

  @Override
  public void cancelled() {
    fail(new CancellationException("the Apache client cancelled the exchange"));
  }

  /**
   * Reports the failure, unless the whole response had been read: a failure after that is the
   * library tidying up, not a failed exchange, and the exchange is reported complete. Seen with 5.6
   * on loopback: when the response has come and been read before the caller's thread, still in
   * {@code execute}, links the running exchange to the request's future, the client finds that
   * future done, cancels the exchange it has just run, and the cancel arrives here as {@code
   * failed(InterruptedIOException)} before {@link #releaseResources()} has reported the completion
   * (seen once, in a latency benchmark).
   */
  private void fail(Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      if (bodyEnded) {
        emit(listener::onComplete);
        return;
      }
      PublisherProducer p = streamedBody;
      if (p != null) {
        p.cancel();
      }
      Fault fault = Failures.fault(cause, written(), headersReceived, stale());
      Throwable reported = withSourceFailure(Failures.cause(cause), p);
      emitFailure(() -> listener.onFailure(fault, reported));
    }
  }

  /**
   * The library's exception, or, when the request body's source failed and the library's exception
   * does not carry that failure (it reports the connection it closed), the source's failure with
   * the library's exception suppressed in it: the source's failure must stay in the cause chain.
   */
  private static Throwable withSourceFailure(Throwable cause, PublisherProducer body) {
    BodySourceException source = body == null ? null : body.sourceFailure();
    if (source == null || BodySourceException.find(cause) != null) {
      return cause;
    }
    if (cause != null && cause != source) {
      source.addSuppressed(cause);
    }
    return source;
  }
}
