package dev.switchboard.okhttp;

import dev.switchboard.Headers;
import dev.switchboard.spi.BodyReader;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.Response;
import okio.AsyncTimeout;
import okio.BufferedSource;

/**
 * One exchange on OkHttp: the {@link Callback} that streams the response to the listener, the
 * per-call {@link EventListener} that tells what has been written (for {@code requestSent()} and
 * {@code onRequestSent}), and the watchdog that bounds TCP and TLS set-up together by the connect
 * timeout (OkHttp's own connect timeout covers TCP only; its TLS handshake runs under the read
 * timeout, which this transport leaves at none).
 */
final class OkHttpExchange implements Exchange, Callback {
  private static final int CHUNK = 16 * 1024;

  /**
   * The read buffer of each dispatcher thread, reused for every response it reads: the listener
   * copies each chunk before returning, so one buffer per thread is enough, and a response costs no
   * buffer of its own. It is no larger than the largest body of known length the thread has read
   * (up to {@value #CHUNK}), so a thousand threads reading small answers at once do not each keep
   * {@value #CHUNK}; it goes with the thread (idle dispatcher threads end after 60 s).
   */
  private static final ThreadLocal<ByteBuffer> READ_BUFFER = new ThreadLocal<>();

  private final ExchangeRequest exchange;
  private final ExchangeListener listener;
  private volatile ConnectWatch connectWatch; // only for a call that opens a connection
  private volatile Call call;
  private volatile boolean aborted;
  private volatile boolean connected;
  private volatile boolean connectStarted;
  private volatile boolean reused;
  private volatile boolean responseStarted;
  private volatile boolean writing;
  private volatile boolean written;
  private volatile boolean sentReported;

  /**
   * The {@code onBody} calls still allowed: the sum of what {@link #request} gave, less one per
   * call made; {@link Long#MAX_VALUE} is unbounded and never counted down.
   */
  private final AtomicLong demand = new AtomicLong();

  /** The thread parked in {@link #takeDemand()}, woken by {@link #request} and {@link #abort}. */
  private volatile Thread waiting;

  /** The body has been read to its end or has failed: the reading thread waits for nothing more. */
  private volatile boolean bodyOver;

  /** The body taken by the consumer's thread (the pull path); null while it is delivered. */
  private volatile Pull pull;

  /** The stream of a streaming request body while it is written; closed by {@link #abort}. */
  private InputStream requestBody; // under this

  /** Set by the engine's application interceptor when it added the placeholder encoding. */
  volatile boolean placeholderEncoding;

  /** The response headers as they came, when the network interceptor had to hide some. */
  volatile okhttp3.Headers wireHeaders;

  OkHttpExchange(ExchangeRequest exchange, ExchangeListener listener, Duration acquireTimeout) {
    this.exchange = exchange;
    this.listener = listener;
    this.queueWatch = acquireTimeout == null ? null : new QueueWatch(acquireTimeout);
  }

  /**
   * Cancels the call when it waited in OkHttp's dispatcher queue (every request the limits allow is
   * running) for longer than the connection acquire timeout.
   */
  private final QueueWatch queueWatch;

  private final class QueueWatch extends AsyncTimeout {
    private final AtomicInteger state =
        new AtomicInteger(); // 0 idle, 1 running, 2 stopped, 3 fired
    private final Duration timeout;
    volatile boolean timedOut;

    QueueWatch(Duration timeout) {
      this.timeout = timeout;
      timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    void start() {
      if (state.compareAndSet(0, 1)) {
        enter();
      }
    }

    void stop() {
      if (state.getAndSet(2) == 1) {
        exit();
      }
    }

    /**
     * Reports the failure itself: OkHttp keeps a cancelled call in its queue until a slot frees,
     * and only then fails it. The exchange counts as aborted first, so that OkHttp's own report of
     * it later is dropped.
     */
    @Override
    protected void timedOut() {
      if (state.compareAndSet(1, 3)) {
        timedOut = true;
        aborted = true;
        listener.onFailure(
            Fault.POOL_TIMEOUT,
            new InterruptedIOException(
                "waited in OkHttp's dispatcher queue for longer than " + timeout));
        Call c = call;
        if (c != null) {
          c.cancel();
        }
      }
    }
  }

  int connectTimeoutMillis() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, exchange.connectTimeout().toMillis()));
  }

  void start(Call call) {
    this.call = call;
    call.enqueue(this);
  }

  /**
   * Adds {@code n} to the demand and wakes the reading thread if it waits for some. Never delivers
   * on the caller's thread: the dispatcher thread that carries the call reads and delivers, so a
   * call from inside {@code onBody} only raises the count its loop goes on with.
   */
  @Override
  public void request(long n) {
    if (n <= 0) {
      return; // the api never asks for less than one; nothing to allow
    }
    long d;
    long sum;
    do {
      d = demand.get();
      if (d == Long.MAX_VALUE) {
        return; // unbounded already: the reader never waits
      }
      sum = d + n;
      if (sum < 0) {
        sum = Long.MAX_VALUE;
      }
    } while (!demand.compareAndSet(d, sum));
    Thread t = waiting;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /**
   * Cancels the call (OkHttp closes its socket), wakes the reading thread if it waits for demand,
   * and closes the request body's stream if one is being written, so that the thread writing it is
   * not left blocked on a stalled source.
   */
  @Override
  public void abort() {
    aborted = true;
    Thread t = waiting;
    if (t != null) {
      LockSupport.unpark(t);
    }
    Call c = call;
    if (c != null) {
      c.cancel();
    }
    InputStream in;
    synchronized (this) {
      in = requestBody;
      requestBody = null;
    }
    closeQuietly(in);
  }

  // ------------------------------------------------------------------ request body

  /**
   * Opens {@code body}'s stream for {@code RequestBody.writeTo}, remembered so that {@link #abort}
   * can close it; fails if the exchange was aborted meanwhile.
   */
  InputStream openRequestBody(dev.switchboard.Body body) throws IOException {
    InputStream in = body.openStream();
    synchronized (this) {
      if (!aborted) {
        requestBody = in;
        return in;
      }
    }
    closeQuietly(in);
    throw new IOException("Canceled");
  }

  /** The body's stream has been written (or failed): closes it. */
  void requestBodyDone(InputStream in) {
    synchronized (this) {
      if (requestBody == in) {
        requestBody = null;
      }
    }
    closeQuietly(in);
  }

  /**
   * The body's source failed while OkHttp wrote it: the request is cut in the middle, so its
   * connection must not go back to the pool; cancelling the call closes it. OkHttp 5.5.1 was seen
   * not to pool it anyway; this keeps it so whatever OkHttp's bookkeeping does. The source's
   * exception is what OkHttp then reports (the cancel adds no "Canceled" of its own).
   */
  void requestBodyFailed() {
    Call c = call;
    if (c != null) {
      c.cancel();
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException | RuntimeException ignored) {
        // the stream is given up either way
      }
    }
  }

  // ------------------------------------------------------------------ demand

  /**
   * Takes one unit of demand, parking until there is one; false once the exchange is aborted.
   * Unbounded demand costs one volatile read.
   */
  private boolean takeDemand() throws InterruptedIOException {
    for (; ; ) {
      long d = demand.get();
      if (d == Long.MAX_VALUE) {
        return !aborted;
      }
      if (d > 0) {
        if (demand.compareAndSet(d, d - 1)) {
          return !aborted;
        }
        continue;
      }
      if (aborted) {
        return false;
      }
      waiting = Thread.currentThread();
      try {
        // re-checked after publishing the thread: a request or abort in between has seen it
        if (demand.get() == 0 && !aborted) {
          LockSupport.park(this);
        }
      } finally {
        waiting = null;
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for demand for the body");
      }
    }
  }

  /**
   * Whether the thread reading this exchange's response may still park waiting for demand: a
   * completion lent to it ({@link OkHttpEngine#runAfterExchange}) would then wait for the consumer
   * that the completion itself is to start.
   */
  boolean mayWaitForDemand() {
    return !bodyOver && !aborted && demand.get() != Long.MAX_VALUE;
  }

  // ------------------------------------------------------------------ OkHttp callback

  @Override
  public void onFailure(Call call, IOException e) {
    stopConnectWatch();
    if (!aborted) {
      listener.onFailure(fault(e, false), e);
    }
  }

  @Override
  public void onResponse(Call call, Response response) {
    stopConnectWatch();
    DispatcherPool.reading(this);
    boolean headersDelivered = false;
    try (response) {
      if (aborted) {
        return;
      }
      requestSent();
      Headers headers = convert(wireHeaders != null ? wireHeaders : response.headers());
      listener.onResponseHeaders(response.code(), headers);
      headersDelivered = true;
      BufferedSource source = response.body().source();
      // a body OkHttp already knows to be empty is read without demand: the read cannot block
      boolean free = knownEmpty(response);
      if (!free && !aborted) {
        Pull p = new Pull(response, source);
        if (listener.offerBodyReader(p)) {
          pull = p;
          awaitPulled(p); // the call keeps its dispatcher slot, as while delivering
          return;
        }
      }
      ByteBuffer buffer = readBuffer(response.body().contentLength());
      for (; ; ) {
        if (!free && !takeDemand()) {
          return; // aborted
        }
        if (source.read(buffer) == -1) { // the unit taken for this read goes unused: harmless
          bodyOver = true;
          listener.onComplete();
          return;
        }
        if (free) {
          free = false; // it had bytes after all: they wait for demand like any others
          if (!takeDemand()) {
            return;
          }
        }
        buffer.flip();
        listener.onBody(buffer);
        buffer.clear();
      }
    } catch (IOException e) {
      bodyOver = true;
      if (!aborted) {
        listener.onFailure(fault(e, headersDelivered), e);
      }
    } catch (IllegalArgumentException e) { // a response header our model refuses
      bodyOver = true;
      if (!aborted) {
        listener.onFailure(Fault.MALFORMED_HEAD, e);
      }
    } catch (RuntimeException e) {
      bodyOver = true;
      if (!aborted) {
        listener.onFailure(Fault.FAILED, e);
      }
    } finally {
      DispatcherPool.reading(null);
    }
  }

  /**
   * Parks the dispatcher thread until the consumer's reads have met the end or a failure, or the
   * exchange is aborted: until then the call holds its place in the dispatcher's limits (per host
   * and in all), as a delivered body does. Parked, it costs no CPU; it is woken once, at the end.
   * The response is closed under the reader's lock, so never while a read is still in it (an abort
   * has closed the socket under that read, which then returns at once).
   */
  private void awaitPulled(Pull p) {
    waiting = Thread.currentThread();
    try {
      while (!p.over && !aborted) {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          break; // the engine is closing: the reader closes the response when its read fails
        }
      }
    } finally {
      waiting = null;
    }
    p.close();
  }

  /**
   * The pull path: the body read by Switchboard's consumer thread straight from OkHttp's source.
   * Reads and the closing of the response share this object's lock, so that the dispatcher thread
   * never closes the source under a read.
   */
  private final class Pull implements BodyReader {
    private final Response response;
    private final BufferedSource source;
    volatile boolean over; // ended, failed or closed: the dispatcher thread may go
    private boolean atEnd; // under this: read to its end, -1 from now on
    private boolean closed; // under this

    Pull(Response response, BufferedSource source) {
      this.response = response;
      this.source = source;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      if (atEnd) {
        return -1;
      }
      if (over) {
        throw new IOException("the response was closed"); // failed, aborted, or the engine closing
      }
      if (aborted) {
        end();
        throw new IOException("Canceled");
      }
      int n;
      try {
        n = source.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        end();
        if (!aborted) {
          listener.onFailure(e instanceof IOException io ? fault(io, true) : Fault.FAILED, e);
        }
        throw e instanceof IOException io ? io : new IOException(e);
      }
      if (n == -1) {
        atEnd = true;
        end();
        listener.onComplete();
      }
      return n;
    }

    /** Under this: the body is over; releases the connection and wakes the dispatcher thread. */
    private void end() {
      bodyOver = true;
      closeResponse();
      over = true;
      Thread t = waiting;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }

    synchronized void close() {
      over = true;
      closeResponse();
    }

    private void closeResponse() {
      if (!closed) {
        closed = true;
        try {
          response.close();
        } catch (RuntimeException ignored) {
          // the connection is given up either way
        }
      }
    }
  }

  /**
   * Whether OkHttp's source for this response is empty without reading from the connection: a
   * response to HEAD, a 204 or 304 (OkHttp refuses a 204 or 205 with content), or a {@code
   * Content-Length: 0}.
   */
  private static boolean knownEmpty(Response response) {
    int code = response.code();
    return code == 204
        || code == 304
        || response.body().contentLength() == 0
        || "HEAD".equals(response.request().method());
  }

  /** This thread's read buffer, made larger first if a body of this length needs more room. */
  static ByteBuffer readBuffer(long contentLength) {
    // never empty: a read into no room returns 0 for ever
    int size = contentLength < 0 ? CHUNK : (int) Math.max(1, Math.min(contentLength, CHUNK));
    ByteBuffer buffer = READ_BUFFER.get();
    if (buffer == null || buffer.capacity() < size) {
      buffer = ByteBuffer.allocate(size);
      READ_BUFFER.set(buffer);
    }
    return buffer.clear();
  }

  private static Headers convert(okhttp3.Headers h) {
    int n = h.size();
    Headers.Builder b = Headers.builder(n);
    for (int i = 0; i < n; i++) {
      b.add(h.name(i), h.value(i));
    }
    return b.build();
  }

  private void requestSent() {
    if (!sentReported) {
      sentReported = true;
      written = true;
      listener.onRequestSent();
    }
  }

  // ------------------------------------------------------------------ errors

  /** Tells which fault OkHttp's exception is, from what the events say was done. */
  private Fault fault(IOException e, boolean inBody) {
    ConnectWatch watch = connectWatch;
    if (watch != null && watch.timedOut) {
      return Fault.CONNECT_TIMEOUT;
    }
    if (ProxyCredentials.GAVE_UP.equals(e.getMessage())) {
      return Fault.PROXY_AUTHENTICATION;
    }
    QueueWatch queued = queueWatch;
    if (queued != null && queued.timedOut) {
      return Fault.POOL_TIMEOUT;
    }
    if (!connected) {
      if (e instanceof InterruptedIOException && "executor rejected".equals(e.getMessage())) {
        return Fault.CLOSED;
      }
      if (e instanceof InterruptedIOException) { // SocketTimeoutException included
        return Fault.CONNECT_TIMEOUT;
      }
      if (e instanceof SSLException) {
        return Fault.TLS;
      }
      return refused(e) ? Fault.REFUSED : Fault.CONNECT_FAILED;
    }
    if (!writing) {
      return Fault.CONNECT_FAILED;
    }
    if (inBody) {
      return Fault.BODY_CUT;
    }
    if (!written) {
      return Fault.NO_RESPONSE;
    }
    if (!responseStarted && endOfStreamBeforeAnyByte(e)) {
      return reused ? Fault.STALE_CONNECTION : Fault.NO_RESPONSE;
    }
    if (e instanceof ProtocolException || e.getCause() instanceof EOFException) {
      return Fault.MALFORMED_HEAD; // a status line or header OkHttp cannot parse, or cut short
    }
    if (e instanceof InterruptedIOException) {
      return Fault.FAILED; // no timeout of OkHttp's is set; only a wrapped client's own
    }
    return Fault.NO_RESPONSE; // reset before the response
  }

  /** OkHttp wraps the socket's refusal in a ConnectException of its own ("Failed to connect"). */
  private static boolean refused(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          && t.getMessage() != null
          && t.getMessage().contains("refused")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether OkHttp met the end of the stream before it had read any byte of the response. Its
   * {@code responseHeadersStart} event comes only once the whole head has been read, so the absence
   * of that event does not tell that nothing came: a partial or garbled status line fails before it
   * too. OkHttp's HTTP/1 codec wraps, in "unexpected end of stream on …", the {@link EOFException}
   * of Okio's {@code readUtf8LineStrict}, whose message says {@code limit=N} with N the bytes it
   * had buffered for the line: 0 when nothing had come. The line is the status line unless the end
   * came in {@code HeadersReader.readHeaders}, i.e. after a whole status line.
   */
  private static boolean endOfStreamBeforeAnyByte(IOException e) {
    if (!(e.getCause() instanceof EOFException eof)
        || eof.getMessage() == null
        || !eof.getMessage().contains("limit=0 ")) {
      return false;
    }
    for (StackTraceElement frame : eof.getStackTrace()) {
      if (frame.getMethodName().equals("readHeaders")
          && frame.getClassName().endsWith("HeadersReader")) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ events

  EventListener events() {
    return new Events();
  }

  /** Per-call events: fast, never throwing; connect events may come from OkHttp's own threads. */
  private final class Events extends EventListener {
    @Override
    public void dispatcherQueueStart(Call call, okhttp3.Dispatcher dispatcher) {
      QueueWatch watch = queueWatch;
      if (watch != null) {
        watch.start();
      }
    }

    @Override
    public void dispatcherQueueEnd(Call call, okhttp3.Dispatcher dispatcher) {
      QueueWatch watch = queueWatch;
      if (watch != null) {
        watch.stop();
      }
    }

    @Override
    public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
      connectStarted = true;
      ConnectWatch watch = connectWatch;
      if (watch == null) {
        synchronized (OkHttpExchange.this) {
          watch = connectWatch;
          if (watch == null) {
            connectWatch = watch = new ConnectWatch();
          }
        }
      }
      watch.connecting();
      if (proxy.type() == Proxy.Type.HTTP) { // a CONNECT tunnel may come before TLS: watch it too
        watch.start(exchange.connectTimeout().toNanos());
      }
    }

    @Override
    public void secureConnectStart(Call call) {
      ConnectWatch watch = connectWatch; // TLS set-up comes after connectStart
      if (watch != null) {
        watch.start(exchange.connectTimeout().toNanos());
      }
    }

    @Override
    public void connectionAcquired(Call call, Connection connection) {
      reused = !connectStarted; // taken from the pool, not opened for this call
      boolean first = !connected;
      connected = true;
      stopConnectWatch();
      if (first) {
        listener.onConnectionAcquired(reused);
      }
    }

    @Override
    public void requestHeadersStart(Call call) {
      writing = true;
    }

    @Override
    public void requestHeadersEnd(Call call, okhttp3.Request request) {
      // with Expect: 100-continue OkHttp now waits for the server before writing the body
      if (request.body() == null || "100-continue".equalsIgnoreCase(request.header("Expect"))) {
        requestSent();
      }
    }

    @Override
    public void requestBodyEnd(Call call, long byteCount) {
      requestSent();
    }

    @Override
    public void responseHeadersStart(Call call) {
      responseStarted = true;
    }

    @Override
    public void callEnd(Call call) {
      stopConnectWatch();
    }

    @Override
    public void callFailed(Call call, IOException ioe) {
      stopConnectWatch();
      QueueWatch watch = queueWatch;
      if (watch != null) {
        watch.stop();
      }
    }
  }

  private void stopConnectWatch() {
    ConnectWatch watch = connectWatch;
    if (watch != null) {
      watch.stop();
    }
  }

  /**
   * Cancels the call when TCP and TLS set-up together pass the connect timeout. OkHttp times the
   * TCP connect itself (its exception is then the cause); this watches the TLS handshake with what
   * is left. Through an HTTP proxy it watches from the start of the TCP connect, so that a proxy
   * that never answers the {@code CONNECT} (which OkHttp reads with its read timeout, off here) is
   * a connect timeout too.
   */
  private final class ConnectWatch extends AsyncTimeout {
    private final AtomicInteger state = new AtomicInteger(); // 0 idle, 1 running, 2 stopped
    private final AtomicLong connectStart = new AtomicLong();
    volatile boolean timedOut;

    void connecting() {
      connectStart.compareAndSet(0, System.nanoTime());
    }

    void start(long timeoutNanos) {
      long started = connectStart.get();
      long left = timeoutNanos - (started == 0 ? 0 : System.nanoTime() - started);
      if (state.compareAndSet(0, 1)) {
        timeout(Math.max(1, left), TimeUnit.NANOSECONDS);
        enter();
      }
    }

    void stop() {
      if (state.getAndSet(2) == 1) {
        exit();
      }
    }

    @Override
    protected void timedOut() {
      if (state.get() == 1) {
        timedOut = true;
        Call c = call;
        if (c != null) {
          c.cancel();
        }
      }
    }
  }
}
