package dev.switchboard;

import dev.switchboard.spi.BodyReader;
import dev.switchboard.spi.BodySourceException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.Fault;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Receives one exchange from the engine and settles it exactly once: the response timeout while it
 * waits for the headers, the head limit, then the body, read whole ({@link BufferedBody}, demand
 * unbounded) or handed to a consumer as it streams ({@link StreamedBody}, demand by the window),
 * with the read timeout counting the server's silence. Its silence deadline is watched by the
 * transport's {@link SilenceWatch}.
 */
final class ExchangeState implements ExchangeListener, StreamedBody.Upstream {
  /** The start of an error body a stream keeps for its {@link HttpStatusException}. */
  static final int ERROR_BODY_START = 64 * 1024;

  private static final int WAITING_FOR_HEADERS = 1;
  private static final int READING_BODY = 2;
  private static final AtomicIntegerFieldUpdater<ExchangeState> SETTLED =
      AtomicIntegerFieldUpdater.newUpdater(ExchangeState.class, "settled");

  final Layer layer;
  final Call call;
  final Request wire;
  Request prepared; // the wire request before credentials and signature: a resend is signed anew
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
  private long pendingDemand; // asked for before the engine's handle was attached; under this
  private volatile boolean abortWanted;
  volatile Thread startingThread;
  volatile Thread abortingThread;
  volatile Thread requestingThread;
  private volatile Thread pullingThread; // the consumer's, inside a pulled read
  private volatile BodyReader reader; // the pull path, once taken
  Thread markedIoThread; // the last thread markIoThread marked for this exchange; a hint only
  private int status;
  private Headers headers;
  private BufferedBody buffered;
  private volatile StreamedBody streamed; // set once the headers went to a stream's consumer
  private final AttemptEvent event; // this exchange for the call's events; null when they are off
  private volatile boolean sentTold; // requestSent went to the events
  private long bodyBytes; // as received; by the engine's thread (or the pulling one)
  private volatile TransportException failure;

  ExchangeState(
      Layer layer,
      Call call,
      Request wire,
      CompletableFuture<Response> future,
      int attempt,
      AttemptEvent event) {
    this.layer = layer;
    this.call = call;
    this.wire = wire;
    this.future = future;
    this.attempt = attempt;
    this.event = event;
  }

  // ---------------------------------------------------------------- the engine's handle

  void attach(Exchange h) {
    long n;
    synchronized (this) {
      handle = h;
      n = pendingDemand;
      pendingDemand = 0;
    }
    if (n > 0 && h != null) {
      request(n);
    }
    if (abortWanted && h != null) {
      abort();
    }
  }

  /** Demand for the body, passed to the engine (or kept until its handle is attached). */
  @Override
  public void request(long n) {
    Exchange h;
    synchronized (this) {
      h = handle;
      if (h == null) {
        long sum = pendingDemand + n;
        pendingDemand = sum < 0 ? Long.MAX_VALUE : sum;
        return;
      }
    }
    Thread previous = requestingThread;
    requestingThread = Thread.currentThread();
    try {
      h.request(n);
    } catch (RuntimeException e) {
      fail(
          new TransportException(
              "the " + layer.name + " engine failed to take demand: " + e,
              wire,
              layer.name,
              true,
              e),
          true);
    } finally {
      requestingThread = previous;
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

  /**
   * Remembers the thread delivering an engine callback as one of the transport's I/O threads,
   * unless it is a caller's thread inside {@code start}, {@code request} or {@code abort} of this
   * exchange (an engine may call back synchronously there).
   */
  private void markIoThread() {
    Thread t = Thread.currentThread();
    if (t == markedIoThread) {
      return; // an exchange's events mostly come from one thread: look it up once
    }
    if (t != startingThread && t != abortingThread && t != requestingThread && t != pullingThread) {
      layer.roles.markIoThread();
      markedIoThread = t;
    }
  }

  // ---------------------------------------------------------------- silence

  private void watch(int phase, Duration timeout) {
    long deadline = Timers.now() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
    silenceDeadline = deadline;
    watched = phase;
    layer.silence.expectBy(deadline);
  }

  /** The stream's read clock: runs while the stream waits for the server, paused otherwise. */
  @Override
  public void readClock(boolean running) {
    if (running) {
      watch(READING_BODY, readTimeout);
    } else {
      silenceDeadline = Long.MAX_VALUE;
      watched = READING_BODY;
    }
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
      fail(new ResponseTimeoutException(responseTimeout, wire, layer.name, null), true);
    } else if (phase == READING_BODY) {
      fail(new ReadTimeoutException(readTimeout, wire, layer.name, null), true);
    }
    return Long.MAX_VALUE; // failed, or the headers came just now and the read timeout is armed
  }

  // ---------------------------------------------------------------- the listener

  @Override
  public void onConnectionAcquired(boolean reused) {
    markIoThread();
    if (settled == 0 && !sentTold) {
      call.events.connectionAcquired(event, reused);
    }
  }

  @Override
  public void onRequestSent() {
    markIoThread();
    requestSent = true;
    if (settled != 0 || headersReceived || watched != 0) {
      return;
    }
    tellSent();
    watch(WAITING_FOR_HEADERS, responseTimeout);
  }

  /** The events' {@code requestSent}, once: when the engine says so, or with the headers. */
  private void tellSent() {
    if (event != null && !sentTold) {
      sentTold = true;
      call.events.requestSent(event);
    }
  }

  @Override
  public void onResponseHeaders(int status, Headers headers) {
    markIoThread();
    headersReceived = true;
    requestSent = true;
    if (settled != 0) {
      return;
    }
    this.status = status;
    this.headers = headers;
    TransportConfig config = layer.config;
    if (headBytes(headers) > config.maxResponseHeadBytes()) {
      fail(
          new ResponseHeadTooLargeException(config.maxResponseHeadBytes(), wire, layer.name, null),
          true);
      return;
    }
    if (status == 407 && proxyOfWire() != null) { // the proxy's answer, not the server's
      fail(new ProxyAuthenticationException(proxyOfWire(), wire, layer.name, null), true);
      return;
    }
    if (event != null) {
      tellSent();
      call.events.responseHeaders(event, status, headers);
    }
    if (call.streaming && wire.accepts(status) && !redirectToFollow(status, headers)) {
      startStream(status, headers);
      return;
    }
    boolean keepStart = call.streaming; // an error status or a redirect: its start, bounded
    long limit = keepStart ? ERROR_BODY_START : config.maxResponseBytes();
    long declared = contentLength(headers);
    if (!keepStart && declared > limit && !wire.method().equalsIgnoreCase("HEAD")) {
      fail(new ResponseTooLargeException(limit, wire, layer.name), true);
      return;
    }
    buffered = new BufferedBody(declared, limit, keepStart);
    watch(READING_BODY, readTimeout);
    request(Long.MAX_VALUE);
  }

  /** The proxy this exchange's request goes through, or {@code null}. */
  private ProxyConfig.Server proxyOfWire() {
    ProxyConfig proxy = layer.config.proxy();
    return proxy == null ? null : proxy.select(wire.uri()).orElse(null);
  }

  private boolean redirectToFollow(int status, Headers headers) {
    return layer.config.followRedirects()
        && Redirects.isRedirect(status)
        && headers.first("Location") != null;
  }

  /** A stream's headers: the consumer gets the body as it comes, decoded on its side. */
  private void startStream(int status, Headers headers) {
    String encoding = headers.first("Content-Encoding");
    Headers visible = headers;
    if (encoding != null && layer.config.compression() && BodyDecoder.canDecode(encoding)) {
      visible = headers.toBuilder().remove("Content-Encoding").remove("Content-Length").build();
    } else {
      encoding = null;
    }
    StreamedBody body =
        new StreamedBody(this, layer.dispatch.callbacks(), wire, layer.name, encoding);
    streamed = body;
    call.openBody = body;
    Response head = Response.streaming(wire, status, visible, layer.name, body);
    layer.dispatch.dispatch(
        call.completions, new Completion.Settle<>(layer.roles, future, head, null), false);
    body.start();
  }

  @Override
  public void onBody(ByteBuffer chunk) {
    markIoThread();
    if (settled != 0) {
      return;
    }
    bodyBytes += chunk.remaining();
    StreamedBody s = streamed;
    if (s != null) {
      s.accept(chunk);
      return;
    }
    BufferedBody b = buffered;
    if (b == null) {
      return;
    }
    // a later deadline needs no arming: the watch, armed for an earlier one, finds this one
    silenceDeadline = Timers.now() + Math.min(readTimeout.toNanos(), Long.MAX_VALUE / 4);
    try {
      if (!b.append(chunk)) {
        finishBuffered(); // the start of a stream's error body is all it keeps
        abort();
      }
    } catch (BodyDecoder.TooLarge e) {
      fail(new ResponseTooLargeException(layer.config.maxResponseBytes(), wire, layer.name), true);
    }
  }

  /** Takes the body's reader for a stream on its way to a consumer; nothing else pulls. */
  @Override
  public boolean offerBodyReader(BodyReader r) {
    StreamedBody s = streamed;
    if (r == null || s == null || settled != 0 || reader != null) {
      return false;
    }
    reader = r;
    s.pull();
    return true;
  }

  /**
   * A pulled read on the consumer's thread: the read timeout runs around it, and the engine's calls
   * from inside it do not make that thread one of the transport's I/O threads.
   */
  @Override
  public int read(byte[] b, int off, int len) throws java.io.IOException {
    Thread previous = pullingThread;
    pullingThread = Thread.currentThread();
    readClock(true);
    try {
      int n = reader.read(b, off, len);
      if (n > 0) {
        bodyBytes += n;
      }
      return n;
    } finally {
      readClock(false);
      pullingThread = previous;
    }
  }

  @Override
  public void onComplete() {
    markIoThread();
    if (headers == null) {
      fail(
          new MalformedResponseException(
              "the " + layer.name + " engine completed without response headers",
              wire,
              layer.name,
              null),
          false);
      return;
    }
    StreamedBody s = streamed;
    if (s != null) {
      if (SETTLED.compareAndSet(this, 0, 1)) {
        call.events.responseBodyEnd(event, bodyBytes);
        s.complete();
      }
      return;
    }
    finishBuffered();
  }

  private void finishBuffered() {
    if (!SETTLED.compareAndSet(this, 0, 1)) {
      return;
    }
    call.events.responseBodyEnd(event, bodyBytes);
    layer.dispatch.dispatch(
        call.completions,
        new Completion(layer.roles) {
          @Override
          void complete() {
            BufferedBody b = buffered;
            Object outcome =
                (b == null ? new BufferedBody(0, 0, false) : b)
                    .toOutcome(
                        wire,
                        status,
                        headers,
                        layer.name,
                        layer.config.compression(),
                        layer.config.maxResponseBytes());
            if (outcome instanceof Response r) {
              future.complete(r);
            } else {
              future.completeExceptionally((Throwable) outcome);
            }
          }
        });
  }

  @Override
  public void onFailure(Fault fault, Throwable cause) {
    markIoThread();
    if (settled != 0 || fault == null) {
      if (fault == null) {
        onFailure(
            new TransportException(
                "the " + layer.name + " engine reported a null fault",
                wire,
                layer.name,
                true,
                cause));
      }
      return;
    }
    BodySourceException source = BodySourceException.find(cause);
    if (source != null) {
      fail(
          new TransportException(
              "the request body could not be read from its source: " + source.getMessage(),
              wire,
              layer.name,
              requestSent,
              cause),
          false);
      return;
    }
    if (fault == Fault.CLOSED && !layer.closed && layer.breakdown != null) {
      // the engine's library, broken, refusing the exchange: not a close of the user's
      TransportException broken = layer.breakdownException(wire, requestSent);
      if (cause != null) {
        broken.addSuppressed(cause);
      }
      fail(broken, false);
      return;
    }
    fail(
        Faults.of(
            fault,
            cause,
            wire,
            layer.name,
            connectTimeout,
            layer.config.maxResponseHeadBytes(),
            requestSent,
            proxyOfWire(),
            layer.config.connectionAcquireTimeout()),
        false);
  }

  @Override
  public void onFailure(TransportException failure) {
    markIoThread();
    fail(failure, false);
  }

  // ---------------------------------------------------------------- settling

  /** The consumer of a stream gave up, or its body could not be decoded. */
  @Override
  public void abort(TransportException reason) {
    fail(reason, true);
  }

  /** A stream's body is over: the call is too (closing it early is no failure of the call). */
  @Override
  public void ended() {
    StreamedBody s = streamed;
    TransportException f = failure;
    call.bodyEnded(s, status, f == null || s == null || s.isClosed() ? null : f);
  }

  void fail(TransportException e, boolean abortExchange) {
    if (!SETTLED.compareAndSet(this, 0, 1)) {
      return;
    }
    failure = e;
    StreamedBody body = streamed;
    if (event != null && (body == null || !body.isClosed())) {
      call.events.attemptFailed(event, e);
    }
    if (abortExchange) {
      abort();
    }
    StreamedBody s = streamed;
    if (s != null) {
      s.fail(e); // the future completed at the headers: the consumer gets it
      return;
    }
    if (resendable(e)) {
      layer.dispatch.dispatch(
          call.completions,
          new Completion(layer.roles) {
            @Override
            void complete() {
              call.resend(ExchangeState.this);
            }
          });
      return;
    }
    layer.dispatch.dispatch(
        call.completions, new Completion.Settle<>(layer.roles, future, null, e));
  }

  /** The stale-connection resend: once, for an idempotent request, while the call runs. */
  private boolean resendable(TransportException e) {
    if (!(e instanceof StaleConnectionException)
        || attempt != 0
        || !layer.config.retryStaleConnections()
        || !wire.isIdempotent()
        || call.result.isDone()) {
      return false;
    }
    if (!wire.body().isRepeatable()) {
      e.addSuppressed(
          new TransportException(
              "not resent on a new connection: the request body comes from "
                  + wire.body().describe()
                  + ", which can be sent only once",
              wire,
              layer.name,
              true,
              null));
      return false;
    }
    return true;
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
