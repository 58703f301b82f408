package dev.switchboard.okhttp;

import dev.switchboard.Headers;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Proxy;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

  /** Set by the engine's application interceptor when it added the placeholder encoding. */
  volatile boolean placeholderEncoding;

  /** The response headers as they came, when the network interceptor had to hide some. */
  volatile okhttp3.Headers wireHeaders;

  OkHttpExchange(ExchangeRequest exchange, ExchangeListener listener) {
    this.exchange = exchange;
    this.listener = listener;
  }

  int connectTimeoutMillis() {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, exchange.connectTimeout().toMillis()));
  }

  void start(Call call) {
    this.call = call;
    call.enqueue(this);
  }

  @Override
  public void request(long n) {
    // TODO(#19): demand-driven delivery; until then the body comes as fast as it arrives
  }

  @Override
  public void abort() {
    aborted = true;
    Call c = call;
    if (c != null) {
      c.cancel();
    }
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
      ByteBuffer buffer = readBuffer(response.body().contentLength());
      while (!aborted) {
        if (source.read(buffer) == -1) {
          listener.onComplete();
          return;
        }
        buffer.flip();
        listener.onBody(buffer);
        buffer.clear();
      }
    } catch (IOException e) {
      if (!aborted) {
        listener.onFailure(fault(e, headersDelivered), e);
      }
    } catch (IllegalArgumentException e) { // a response header our model refuses
      if (!aborted) {
        listener.onFailure(Fault.MALFORMED_HEAD, e);
      }
    } catch (RuntimeException e) {
      if (!aborted) {
        listener.onFailure(Fault.FAILED, e);
      }
    }
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
      connected = true;
      stopConnectWatch();
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
   * is left.
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
