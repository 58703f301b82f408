package dev.switchboard;

import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import dev.switchboard.spi.TransportEngine;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one implementation of {@link Transport}: the policy every engine gets, applied once.
 *
 * <p>Order, outermost first: interceptors, redirects, GET-body mode, request deadline (per call),
 * User-Agent and compression headers, the engine's exchange with the response timeout and the body
 * limit, decoding, status mapping, completion on the callback executor.
 */
final class LayeredTransport implements Transport {
  private static final Headers.Field ACCEPT_ENCODING =
      new Headers.Field("Accept-Encoding", "gzip, deflate");

  private final TransportEngine engine;
  private final TransportConfig config;
  private final String name;
  private final Set<Capability> capabilities;
  private final Headers.Field userAgentField;
  private final Executor callbacks;
  private final CallbackPool ownedCallbacks;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final SilenceWatch silenceWatch = new SilenceWatch();
  private final ThreadLocal<Boolean> onCallbackThread = new ThreadLocal<>();
  private final ThreadLocal<Boolean> onIoThread = new ThreadLocal<>();
  private volatile boolean closed;

  LayeredTransport(TransportEngine engine, TransportConfig config) {
    this.engine = engine;
    this.config = config;
    this.name = engine.name();
    this.capabilities = Set.copyOf(engine.capabilities());
    this.userAgentField =
        new Headers.Field(
            "User-Agent",
            config.userAgent() != null
                ? config.userAgent()
                : "switchboard/" + Transports.version() + " (" + name + ")");
    if (config.callbackExecutor() != null) {
      this.callbacks = config.callbackExecutor();
      this.ownedCallbacks = null;
    } else {
      // marked for the thread's life: no per-task mark
      CallbackPool pool =
          new CallbackPool(
              "switchboard-" + name + "-callback-", () -> onCallbackThread.set(Boolean.TRUE));
      this.callbacks = pool;
      this.ownedCallbacks = pool;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public String toString() {
    return "Transport[" + name + "]";
  }

  // ---------------------------------------------------------------- sending

  @Override
  public CompletableFuture<Response> send(Request request) {
    if (request == null) {
      return CompletableFuture.failedFuture(
          new TransportException("request is null", null, name, false, null));
    }
    if (closed) {
      return CompletableFuture.failedFuture(closedException(request, false));
    }
    return start(request, callbacks);
  }

  /**
   * Blocking: as {@link Calls#execute}, except that with the default callback executor the caller's
   * own thread runs its call's completion while it waits (one thread hand-off fewer); a supplied
   * callback executor is always used.
   */
  @Override
  public Response execute(Request request) {
    Calls.refuseOnTransportThread(this);
    if (ownedCallbacks == null || request == null || closed) {
      return Calls.await(this, request, send(request), null);
    }
    CallerRuns here = new CallerRuns(callbacks);
    return Calls.await(this, request, start(request, here), here);
  }

  private CompletableFuture<Response> start(Request request, Executor completions) {
    Call call = new Call(request, completions);
    inFlight.add(call);
    if (closed) { // close() may have run between the check and add
      call.fail(closedException(request, false));
      return call.result;
    }
    call.result.whenComplete(
        (r, e) -> {
          inFlight.remove(call);
          call.ended();
        });
    call.startDeadline();
    CompletableFuture<Response> chained;
    try {
      chained = new ChainStep(call, 0, request).proceed(request);
    } catch (RuntimeException e) {
      chained = CompletableFuture.failedFuture(e);
    }
    chained.whenComplete(
        (r, e) -> {
          if (e == null) {
            call.succeed(r);
          } else {
            call.fail(normalize(e, call.original));
          }
        });
    return call.result;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Call call : List.copyOf(inFlight)) {
      call.fail(closedException(call.original, true));
    }
    try {
      engine.close();
    } finally {
      if (ownedCallbacks != null) {
        ownedCallbacks.shutdown();
        awaitCallbacks();
      }
    }
  }

  /**
   * Lets the owned callback threads finish what they were completing, so none is left when close()
   * returns; bounded, and skipped on a callback thread itself (it would wait for its own end).
   */
  private void awaitCallbacks() {
    if (onCallbackThread.get() != null) {
      return;
    }
    try {
      ownedCallbacks.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private TransportException closedException(Request request, boolean inFlight) {
    return new TransportException(
        inFlight
            ? "the transport was closed while this request was in flight"
            : "the transport is closed; create a new one to send requests",
        request,
        name,
        inFlight,
        null);
  }

  // ---------------------------------------------------------------- threads

  @Override
  public boolean isTransportThread() {
    return onCallbackThread.get() != null || onIoThread.get() != null;
  }

  /**
   * Runs {@code task} on {@code target}; with the owned pool, on the engine's thread itself once
   * the engine is done with it, when the engine lends it ({@link
   * TransportEngine#runAfterExchange}).
   */
  private void dispatch(Executor target, Completion task) {
    if (target == ownedCallbacks && lentByEngine(task)) {
      return;
    }
    try {
      target.execute(task);
    } catch (RejectedExecutionException e) {
      task.run(); // the executor is shut down: complete here rather than never
    }
  }

  private boolean lentByEngine(Completion task) {
    try {
      return engine.runAfterExchange(task);
    } catch (RuntimeException e) {
      return false; // an engine's bug must not lose a completion: the pool takes it
    }
  }

  /**
   * A future's completion, run on a thread marked as a callback thread while it runs (so that user
   * continuations there cannot call {@code execute}, and what they complete in turn runs at once).
   * The owned pool's threads are marked for life; another thread (a waiting {@code execute} caller,
   * a supplied executor's, an engine's lent one) is marked for the task.
   */
  private abstract class Completion implements Runnable {
    abstract void complete();

    @Override
    public final void run() {
      if (onCallbackThread.get() != null) {
        complete();
        return;
      }
      onCallbackThread.set(Boolean.TRUE);
      try {
        complete();
      } finally {
        onCallbackThread.set(null); // set, not remove: keeps the thread's entry, no churn
      }
    }
  }

  /**
   * Remembers the thread delivering an engine callback as one of the transport's I/O threads,
   * unless it is a caller's thread inside {@code start} or {@code abort} of this exchange (an
   * engine may report a failure synchronously there).
   */
  private void markIoThread(ExchangeState st) {
    Thread t = Thread.currentThread();
    if (t == st.markedIoThread) {
      return; // an exchange's events mostly come from one thread: look it up once
    }
    if (t != st.startingThread && t != st.abortingThread && onCallbackThread.get() == null) {
      if (onIoThread.get() == null) {
        onIoThread.set(Boolean.TRUE);
      }
      st.markedIoThread = t;
    }
  }

  // ---------------------------------------------------------------- errors

  private TransportException normalize(Throwable e, Request request) {
    Throwable t = TransportException.unwrap(e);
    if (t instanceof TransportException te) {
      return te;
    }
    if (t instanceof CancellationException) {
      return new TransportException("the call was cancelled", request, name, true, t);
    }
    return new TransportException(
        "an interceptor failed: " + t, request, name, true, t); // only user code gets here
  }

  /** Completes a future with a response, or with {@code error} when that is not null. */
  private final class Settle extends Completion {
    private final CompletableFuture<Response> future;
    private final Response response;
    private final Throwable error;

    Settle(CompletableFuture<Response> future, Response response, Throwable error) {
      this.future = future;
      this.response = response;
      this.error = error;
    }

    @Override
    void complete() {
      if (error == null) {
        future.complete(response);
      } else {
        future.completeExceptionally(error);
      }
    }
  }

  // ---------------------------------------------------------------- response and read timeouts

  /**
   * The response and read timeouts of every exchange of this transport, on one timer: armed for the
   * earliest deadline known, it goes over the calls in flight when it fires, fails the exchanges
   * whose deadline has passed and arms itself for the next. An exchange only records its deadline
   * (and arms the timer when that is earlier than the armed one, which, all timeouts being alike,
   * is rare); a body chunk only moves its deadline later, which needs no arming: no timer object,
   * queue entry or cancellation per exchange or per chunk.
   */
  private final class SilenceWatch implements Runnable {
    private final AtomicLong armedFor = new AtomicLong(Long.MAX_VALUE);

    /** An exchange waits for its response until {@code deadline} (Timers clock). */
    void expectBy(long deadline) {
      long armed = armedFor.get();
      while (deadline < armed) {
        if (armedFor.compareAndSet(armed, deadline)) {
          Timers.schedule(this, deadline - Timers.now());
          return;
        }
        armed = armedFor.get();
      }
    }

    /**
     * On the timer thread (never concurrently): an earlier timer may have fired before this one.
     */
    @Override
    public void run() {
      // From here on an exchange recording a deadline arms the timer again, unless this sweep saw
      // it (both sides are volatile: one of them sees the other).
      armedFor.set(Long.MAX_VALUE);
      long now = Timers.now();
      long next = Long.MAX_VALUE;
      for (Call call : inFlight) {
        ExchangeState st = call.current;
        if (st != null) {
          next = Math.min(next, st.checkSilence(now));
        }
      }
      if (next != Long.MAX_VALUE) {
        expectBy(next);
      }
    }
  }

  // ---------------------------------------------------------------- one call

  /** One {@link #send}: the user's future, its deadline, the exchange currently in flight. */
  private final class Call {
    final Request original;
    final Executor completions;
    final CompletableFuture<Response> result = new CompletableFuture<>();
    final Duration requestTimeout;
    final long deadlineNanos;
    volatile ExchangeState current;
    private volatile Timers.Timer deadlineTimer;

    Call(Request original, Executor completions) {
      this.original = original;
      this.completions = completions;
      this.requestTimeout =
          original.requestTimeout() != null ? original.requestTimeout() : config.requestTimeout();
      this.deadlineNanos =
          requestTimeout == null ? Long.MAX_VALUE : System.nanoTime() + requestTimeout.toNanos();
    }

    void startDeadline() {
      if (requestTimeout != null) {
        deadlineTimer = Timers.schedule(this::deadlinePassed, requestTimeout.toNanos());
      }
    }

    Optional<Duration> timeLeft() {
      if (requestTimeout == null) {
        return Optional.empty();
      }
      long left = deadlineNanos - System.nanoTime();
      return Optional.of(Duration.ofNanos(Math.max(0, left)));
    }

    private void deadlinePassed() {
      ExchangeState st = current;
      boolean sent = st != null && st.requestSent;
      RequestTimeoutException e =
          new RequestTimeoutException(requestTimeout, original, name, sent, null);
      if (st != null) {
        st.fail(e, true);
      }
      fail(e);
    }

    void succeed(Response r) {
      if (onCallbackThread.get() != null) {
        result.complete(r);
      } else {
        dispatch(completions, new Settle(result, r, null));
      }
    }

    void fail(Throwable e) {
      if (result.isDone()) {
        return;
      }
      if (onCallbackThread.get() != null) {
        result.completeExceptionally(e);
      } else {
        dispatch(completions, new Settle(result, null, e));
      }
    }

    /** The user's future is done (success, failure or cancel): stop what is still running. */
    void ended() {
      Timers.Timer t = deadlineTimer;
      if (t != null) {
        t.cancel();
      }
      ExchangeState st = current;
      if (st != null && result.isCancelled()) {
        st.fail(new TransportException("the call was cancelled", original, name, true, null), true);
      } else if (st != null && result.isCompletedExceptionally()) {
        st.fail(new TransportException("the call has ended", original, name, true, null), true);
      }
    }

    /** A new exchange may start only while the call is running. */
    CompletableFuture<Response> exchange(Request request) {
      if (result.isDone()) {
        return CompletableFuture.failedFuture(
            new CancellationException("the call ended before this exchange started"));
      }
      Request wire;
      try {
        wire = prepare(request);
      } catch (TransportException e) {
        return CompletableFuture.failedFuture(e);
      }
      ExchangeState st = new ExchangeState(this, wire, new CompletableFuture<>(), 0);
      launch(st);
      return st.future;
    }

    /**
     * The one resend Switchboard makes on its own: {@code failed} met a stale pooled connection, so
     * its request goes once more, on the connection the library gives next (the stale one is gone
     * from its pool), completing the same future.
     */
    void resend(ExchangeState failed) {
      launch(new ExchangeState(this, failed.wire, failed.future, failed.attempt + 1));
    }

    private void launch(ExchangeState st) {
      Request wire = st.wire;
      current = st;
      Duration connect =
          wire.connectTimeout() != null ? wire.connectTimeout() : config.connectTimeout();
      st.connectTimeout = connect;
      st.responseTimeout =
          wire.responseTimeout() != null ? wire.responseTimeout() : config.responseTimeout();
      st.readTimeout = wire.readTimeout() != null ? wire.readTimeout() : config.readTimeout();
      Exchange handle;
      st.startingThread = Thread.currentThread();
      try {
        handle = engine.start(new ExchangeRequest(wire, connect, st.responseTimeout), st);
      } catch (TransportException e) {
        st.onFailure(e);
        return;
      } catch (RuntimeException e) {
        st.onFailure(
            new TransportException(
                "the " + name + " engine failed to start the exchange: " + e,
                wire,
                name,
                false,
                e));
        return;
      } finally {
        st.startingThread = null;
      }
      st.attach(handle);
      if (result.isDone()) {
        st.fail(new TransportException("the call has ended", original, name, true, null), true);
      }
    }
  }

  /** Everything done to a request on its way to the engine. */
  private Request prepare(Request request) {
    URI uri = request.uri();
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new TransportException(
          "the URI must be absolute with a host (http://host:port/path), got '"
              + Redaction.uri(uri)
              + "'; relative URIs need a ClusterTransport",
          request,
          name,
          false,
          null);
    }
    String method = request.method();
    if (method.equalsIgnoreCase("GET") && request.hasBody()) {
      if (config.getWithBody() == GetWithBody.AS_POST) {
        method = "POST";
      } else if (!capabilities.contains(Capability.GET_WITH_BODY)) {
        throw new UnsupportedFeatureException(
            "the "
                + name
                + " transport cannot send a GET with a body; set"
                + " TransportConfig.getWithBody(GetWithBody.AS_POST) to send it as a POST, or use"
                + " a transport with GET_WITH_BODY (jdk, apache)",
            request,
            name);
      }
    }
    Headers headers = request.headers();
    boolean addAgent = !headers.contains("User-Agent");
    boolean addEncoding = config.compression() && !headers.contains("Accept-Encoding");
    if (addAgent && addEncoding) {
      headers = headers.plus(userAgentField, ACCEPT_ENCODING);
    } else if (addAgent) {
      headers = headers.plus(userAgentField, null);
    } else if (addEncoding) {
      headers = headers.plus(ACCEPT_ENCODING, null);
    }
    return request.with(method, headers);
  }

  // ---------------------------------------------------------------- interceptors and redirects

  private final class ChainStep implements Interceptor.Chain {
    private final Call call;
    private final int index;
    private final Request request;

    ChainStep(Call call, int index, Request request) {
      this.call = call;
      this.index = index;
      this.request = request;
    }

    @Override
    public Request request() {
      return request;
    }

    @Override
    public String transport() {
      return name;
    }

    @Override
    public Optional<Duration> timeLeft() {
      return call.timeLeft();
    }

    @Override
    public CompletableFuture<Response> proceed(Request next) {
      if (next == null) {
        return CompletableFuture.failedFuture(
            new TransportException(
                "an interceptor proceeded with null", request, name, false, null));
      }
      List<Interceptor> interceptors = config.interceptors();
      if (index >= interceptors.size()) {
        return follow(call, next, 0);
      }
      Interceptor interceptor = interceptors.get(index);
      try {
        CompletableFuture<Response> f = interceptor.intercept(new ChainStep(call, index + 1, next));
        if (f == null) {
          return CompletableFuture.failedFuture(
              new TransportException(
                  "interceptor " + interceptor + " returned null", next, name, false, null));
        }
        return f;
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  private CompletableFuture<Response> follow(Call call, Request request, int hops) {
    if (!config.followRedirects()) {
      return call.exchange(request);
    }
    return call.exchange(request)
        .thenCompose(
            response -> {
              String location = response.header("Location");
              if (!Redirects.isRedirect(response.status()) || location == null) {
                return CompletableFuture.completedFuture(response);
              }
              if (hops >= config.maxRedirects()) {
                return CompletableFuture.failedFuture(
                    new TransportException(
                        "more than "
                            + config.maxRedirects()
                            + " redirects; the last pointed to "
                            + location,
                        call.original,
                        name,
                        true,
                        null));
              }
              Request next;
              try {
                next = Redirects.next(request, response.status(), location);
              } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(
                    new MalformedResponseException(
                        "redirect to an unusable Location '" + location + "'", request, name, e));
              }
              return follow(call, next, hops + 1);
            });
  }

  // ---------------------------------------------------------------- one exchange

  private static final AtomicIntegerFieldUpdater<ExchangeState> SETTLED =
      AtomicIntegerFieldUpdater.newUpdater(ExchangeState.class, "settled");

  /**
   * Receives one exchange from the engine; settles exactly once. Its silence deadline (for the
   * response timeout while it waits for the headers, then for the read timeout while the body
   * comes) is watched by the transport's {@link SilenceWatch}.
   */
  private final class ExchangeState implements ExchangeListener {
    private static final int WAITING_FOR_HEADERS = 1;
    private static final int READING_BODY = 2;

    final Call call;
    final Request wire;
    final CompletableFuture<Response> future; // shared with a resend of this exchange
    final int attempt; // 0, or 1 for the resend after a stale connection
    private volatile int settled; // 1 once the exchange has an outcome; through SETTLED
    volatile boolean requestSent;
    Duration connectTimeout;
    Duration responseTimeout;
    Duration readTimeout;
    private volatile boolean headersReceived;
    private volatile long silenceDeadline; // on the Timers clock; published by watched
    private volatile int watched; // 0, WAITING_FOR_HEADERS or READING_BODY
    private volatile Exchange handle;
    private volatile boolean abortWanted;
    volatile Thread startingThread;
    volatile Thread abortingThread;
    Thread markedIoThread; // the last thread markIoThread marked for this exchange; a hint only
    private int status;
    private Headers headers;
    private BodyDecoder.Growable body;

    ExchangeState(Call call, Request wire, CompletableFuture<Response> future, int attempt) {
      this.call = call;
      this.wire = wire;
      this.future = future;
      this.attempt = attempt;
    }

    void attach(Exchange h) {
      handle = h;
      if (abortWanted && h != null) {
        abort();
      }
    }

    private void abort() {
      abortWanted = true;
      Exchange h = handle;
      if (h != null) {
        abortingThread = Thread.currentThread();
        try {
          h.abort();
        } catch (RuntimeException ignored) {
          // an engine's abort must not throw; if it does, the exchange is failed anyway
        } finally {
          abortingThread = null;
        }
      }
    }

    private void watch(int phase, Duration timeout) {
      long deadline = Timers.now() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
      silenceDeadline = deadline;
      watched = phase;
      silenceWatch.expectBy(deadline);
    }

    @Override
    public void onRequestSent() {
      markIoThread(this);
      requestSent = true;
      if (settled != 0 || headersReceived || watched != 0) {
        return;
      }
      watch(WAITING_FOR_HEADERS, responseTimeout);
    }

    /**
     * For the silence watch: fails the exchange if its response or read timeout has passed; returns
     * its deadline if it is still running, else {@code Long.MAX_VALUE}.
     */
    long checkSilence(long now) {
      int phase = watched;
      if (phase == 0 || settled != 0) {
        return Long.MAX_VALUE;
      }
      long deadline = silenceDeadline;
      if (deadline > now) {
        return deadline;
      }
      if (phase == WAITING_FOR_HEADERS && !headersReceived) {
        fail(new ResponseTimeoutException(responseTimeout, wire, name, null), true);
      } else if (phase == READING_BODY) {
        fail(new ReadTimeoutException(readTimeout, wire, name, null), true);
      } else {
        return Long.MAX_VALUE; // the headers came just now: the read timeout is being armed
      }
      return Long.MAX_VALUE;
    }

    @Override
    public void onResponseHeaders(int status, Headers headers) {
      markIoThread(this);
      headersReceived = true;
      requestSent = true;
      if (settled != 0) {
        return;
      }
      this.status = status;
      this.headers = headers;
      if (headBytes(headers) > config.maxResponseHeadBytes()) {
        fail(
            new ResponseHeadTooLargeException(config.maxResponseHeadBytes(), wire, name, null),
            true);
        return;
      }
      long limit = config.maxResponseBytes();
      long declared = contentLength(headers);
      if (declared > limit && !wire.method().equalsIgnoreCase("HEAD")) {
        fail(new ResponseTooLargeException(limit, wire, name), true);
        return;
      }
      body = new BodyDecoder.Growable(declared > 0 ? (int) Math.min(declared, limit) : 8192, limit);
      watch(READING_BODY, readTimeout);
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      markIoThread(this);
      if (settled != 0 || body == null) {
        return;
      }
      // a later deadline needs no arming: the watch, armed for an earlier one, finds this one
      silenceDeadline = Timers.now() + Math.min(readTimeout.toNanos(), Long.MAX_VALUE / 4);
      try {
        body.append(chunk);
      } catch (BodyDecoder.TooLarge e) {
        fail(new ResponseTooLargeException(config.maxResponseBytes(), wire, name), true);
      }
    }

    @Override
    public void onComplete() {
      markIoThread(this);
      if (headers == null) {
        fail(
            new MalformedResponseException(
                "the " + name + " engine completed without response headers", wire, name, null),
            false);
        return;
      }
      if (!SETTLED.compareAndSet(this, 0, 1)) {
        return;
      }
      dispatch(
          call.completions,
          new Completion() {
            @Override
            void complete() {
              finish();
            }
          });
    }

    @Override
    public void onFailure(Fault fault, Throwable cause) {
      markIoThread(this);
      if (settled != 0 || fault == null) {
        if (fault == null) {
          onFailure(
              new TransportException(
                  "the " + name + " engine reported a null fault", wire, name, true, cause));
        }
        return;
      }
      fail(
          Faults.of(
              fault, cause, wire, name, connectTimeout, config.maxResponseHeadBytes(), requestSent),
          false);
    }

    @Override
    public void onFailure(TransportException failure) {
      markIoThread(this);
      fail(failure, false);
    }

    void fail(TransportException e, boolean abortExchange) {
      if (!SETTLED.compareAndSet(this, 0, 1)) {
        return;
      }
      if (abortExchange) {
        abort();
      }
      if (resendable(e)) {
        dispatch(
            call.completions,
            new Completion() {
              @Override
              void complete() {
                call.resend(ExchangeState.this);
              }
            });
        return;
      }
      dispatch(call.completions, new Settle(future, null, e));
    }

    /** The stale-connection resend: once, for an idempotent request, while the call runs. */
    private boolean resendable(TransportException e) {
      return e instanceof StaleConnectionException
          && attempt == 0
          && config.retryStaleConnections()
          && wire.isIdempotent()
          && !call.result.isDone();
    }

    /** On a callback thread: decode, build the response, map the status. */
    private void finish() {
      Headers h = headers;
      byte[] bytes = body == null ? new byte[0] : body.toArray();
      String encoding = h.first("Content-Encoding");
      if (config.compression()
          && encoding != null
          && bytes.length > 0
          && BodyDecoder.canDecode(encoding)) {
        try {
          bytes = BodyDecoder.decode(bytes, bytes.length, encoding, config.maxResponseBytes());
        } catch (BodyDecoder.TooLarge e) {
          future.completeExceptionally(
              new ResponseTooLargeException(config.maxResponseBytes(), wire, name));
          return;
        } catch (IOException | RuntimeException e) {
          future.completeExceptionally(
              new MalformedResponseException(
                  "the body claims Content-Encoding '" + encoding + "' but cannot be decoded",
                  wire,
                  name,
                  e));
          return;
        }
        h = h.toBuilder().remove("Content-Encoding").remove("Content-Length").build();
      } else if (config.compression() && encoding != null && bytes.length == 0) {
        h = h.toBuilder().remove("Content-Encoding").build();
      }
      Response response = Response.received(wire, status, h, bytes, name);
      if (!wire.accepts(status)) {
        future.completeExceptionally(HttpStatusException.of(response));
      } else {
        future.complete(response);
      }
    }
  }

  /**
   * The size of a response head as {@link TransportConfig#maxResponseHeadBytes()} counts it: name,
   * value and 4 bytes per field.
   */
  private static long headBytes(Headers headers) {
    long size = 0;
    for (int i = 0, n = headers.size(); i < n; i++) {
      size += headers.name(i).length() + headers.value(i).length() + 4;
    }
    return size;
  }

  private static long contentLength(Headers headers) {
    String v = headers.first("Content-Length");
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
