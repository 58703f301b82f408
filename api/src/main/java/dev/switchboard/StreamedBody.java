package dev.switchboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The body of a {@link StreamingResponse} between the engine and the consumer: a window of raw
 * chunks (at most {@link #WINDOW} bytes queued, {@link #AHEAD} chunks asked for ahead), demand
 * given to the engine as the consumer takes bytes, decoding on the consumer's side, and the read
 * clock run only while the transport waits for the server.
 *
 * <p>The engine's side ({@link #accept}, {@link #complete}, {@link #fail}) is called by the
 * exchange on the engine's thread; the consumer's side ({@link #inputStream}, {@link #publisher},
 * {@link #close}) from any thread. Demand and the read clock are decided under one lock, outside of
 * which the engine is called.
 */
final class StreamedBody {
  static final int WINDOW = 256 * 1024;
  static final int AHEAD = 4;
  private static final int PUBLISHED_CHUNK = 32 * 1024;

  /**
   * A reader woken by the first bytes waits up to {@link #GATHER_NANOS} for this many before it
   * reads: one wake-up per 64 KiB of a fast body instead of one per chunk (engines deliver 8-16
   * KiB), at most 1 ms later for a body that trickles.
   */
  static final int GATHER = 64 * 1024;

  private static final long GATHER_NANOS = 1_000_000;

  /** What the exchange does for the body: demand, the read clock, aborting. */
  interface Upstream {
    /** Asks the engine for {@code n} more chunks. Called outside the lock. */
    void request(long n);

    /** The read timeout counts from now (demand is outstanding) or is paused (none is). */
    void readClock(boolean running);

    /** The consumer gave up (or decoding failed): abort the exchange with {@code reason}. */
    void abort(TransportException reason);

    /** The body's story is over (ended, failed or closed): release what the call holds. */
    void ended();
  }

  private final Upstream upstream;
  private final Executor signals;
  private final Request request;
  private final String transport;
  private final String encoding; // null: delivered as it came
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> raw = new ArrayDeque<>();
  private int headOffset; // bytes of raw.peek() already taken
  private long queued;
  private int outstanding;
  private boolean readerWaiting;
  private boolean complete;
  private TransportException failure;
  private boolean closed;
  private boolean endedSignalled;
  private int mode; // 0 not chosen, 1 InputStream, 2 Publisher
  private Decoding.Source decoded;
  private PublisherView publisherView;

  StreamedBody(
      Upstream upstream, Executor signals, Request request, String transport, String encoding) {
    this.upstream = upstream;
    this.signals = signals;
    this.request = request;
    this.transport = transport;
    this.encoding = encoding;
  }

  /** A body that is already whole (a response an interceptor made). */
  static StreamedBody of(byte[] bytes, Executor signals, Request request, String transport) {
    StreamedBody b =
        new StreamedBody(
            new Upstream() {
              @Override
              public void request(long n) {}

              @Override
              public void readClock(boolean running) {}

              @Override
              public void abort(TransportException reason) {}

              @Override
              public void ended() {}
            },
            signals,
            request,
            transport,
            null);
    if (bytes.length > 0) {
      b.raw.add(bytes);
      b.queued = bytes.length;
    }
    b.complete = true;
    return b;
  }

  // ------------------------------------------------------------------ the engine's side

  /** The headers came: asks for the first chunks. */
  void start() {
    long n;
    lock.lock();
    try {
      n = moreDemand();
    } finally {
      lock.unlock();
    }
    if (n > 0) {
      upstream.request(n);
    }
  }

  /** A chunk arrived (copied here: the engine may reuse its buffer). */
  void accept(ByteBuffer chunk) {
    int len = chunk.remaining();
    byte[] copy = new byte[len];
    chunk.get(copy);
    long n;
    lock.lock();
    try {
      if (closed || failure != null) {
        return;
      }
      if (outstanding > 0) {
        outstanding--;
      }
      boolean wasEmpty = raw.isEmpty();
      if (len > 0) {
        raw.add(copy);
        queued += len;
      }
      n = moreDemand();
      if (readerWaiting && (wasEmpty || queued >= GATHER)) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (n > 0) {
      upstream.request(n);
    }
    wakePublisher();
  }

  /** The body ended normally. */
  void complete() {
    lock.lock();
    try {
      complete = true;
      upstream.readClock(false);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    wakePublisher();
  }

  /** The exchange failed while the body was read. */
  void fail(TransportException e) {
    lock.lock();
    try {
      if (failure == null && !complete) {
        failure = e;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    signalEnded();
    wakePublisher();
  }

  /**
   * Under the lock: how many chunks to ask for now (keeping the window), and the read clock set to
   * match.
   */
  private long moreDemand() {
    long n = 0;
    if (!closed && !complete && failure == null && queued < WINDOW && outstanding < AHEAD) {
      n = AHEAD - outstanding;
      outstanding = AHEAD;
    }
    upstream.readClock(outstanding > 0 && !complete && failure == null && !closed);
    return n;
  }

  // ------------------------------------------------------------------ the consumer's side

  /** Takes raw bytes without waiting: the source the decoder reads. */
  private final Decoding.Source rawSource =
      new Decoding.Source() {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          long n;
          int taken;
          lock.lock();
          try {
            if (closed) {
              throw new IOException("the streaming response is closed");
            }
            byte[] head = raw.peek();
            if (head == null) {
              if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
              }
              return complete ? -1 : 0;
            }
            taken = Math.min(len, head.length - headOffset);
            System.arraycopy(head, headOffset, b, off, taken);
            headOffset += taken;
            if (headOffset == head.length) {
              raw.poll();
              headOffset = 0;
            }
            queued -= taken;
            n = moreDemand();
          } finally {
            lock.unlock();
          }
          if (n > 0) {
            upstream.request(n);
          }
          return taken;
        }
      };

  private void choose(int wanted) {
    lock.lock();
    try {
      if (mode != 0 && mode != wanted) {
        throw new IllegalStateException(
            "the body is already read through "
                + (mode == 1 ? "body()" : "publisher()")
                + "; a streaming response has one reader");
      }
      if (mode == 0) {
        mode = wanted;
        decoded = encoding == null ? rawSource : Decoding.of(rawSource, encoding);
      }
    } finally {
      lock.unlock();
    }
  }

  InputStream inputStream() {
    choose(1);
    return new BodyStream();
  }

  Flow.Publisher<ByteBuffer> publisher() {
    choose(2);
    lock.lock();
    try {
      if (publisherView == null) {
        publisherView = new PublisherView();
      }
      return publisherView;
    } finally {
      lock.unlock();
    }
  }

  /** Reads decoded bytes without waiting; a decoding failure aborts the exchange. */
  private int readDecoded(byte[] b, int off, int len) throws IOException {
    try {
      int n = decoded.read(b, off, len);
      if (n < 0) {
        signalEnded();
      }
      return n;
    } catch (IOException e) {
      if (e.getCause() instanceof TransportException) {
        throw e; // the exchange's own failure, already typed
      }
      TransportException te =
          new MalformedResponseException(
              "the body claims Content-Encoding '" + encoding + "' but cannot be decoded",
              request,
              transport,
              e);
      fail(te);
      upstream.abort(te);
      throw new IOException(te.getMessage(), te);
    }
  }

  /**
   * Blocks until something changed: bytes, the end, a failure, or close; once bytes are there,
   * waits a little (up to {@link #GATHER} bytes or 1 ms) for more while more is on its way.
   */
  private void awaitChange() throws IOException {
    lock.lock();
    try {
      readerWaiting = true;
      while (raw.isEmpty() && !complete && failure == null && !closed) {
        changed.await();
      }
      long left = GATHER_NANOS;
      while (left > 0
          && queued < GATHER
          && outstanding > 0
          && !complete
          && failure == null
          && !closed) {
        left = changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the response body");
    } finally {
      readerWaiting = false;
      lock.unlock();
    }
  }

  /** Releases the exchange: aborts it unless the body has been received whole. */
  void close() {
    boolean abort;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      abort = !complete && failure == null;
      raw.clear();
      queued = 0;
      upstream.readClock(false);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (abort) {
      upstream.abort(
          new TransportException(
              "the streaming response was closed before the end of its body",
              request,
              transport,
              true,
              null));
    }
    Decoding.Source d = decoded;
    if (d != null && d != rawSource) {
      d.close();
    }
    signalEnded();
    wakePublisher();
  }

  private void signalEnded() {
    lock.lock();
    try {
      if (endedSignalled) {
        return;
      }
      endedSignalled = true;
    } finally {
      lock.unlock();
    }
    upstream.ended();
  }

  private void wakePublisher() {
    PublisherView p = publisherView;
    if (p != null) {
      p.schedule();
    }
  }

  /** The blocking view. */
  private final class BodyStream extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (true) {
        int n = readDecoded(b, off, len);
        if (n != 0) {
          return n;
        }
        awaitChange();
      }
    }

    @Override
    public void close() {
      StreamedBody.this.close();
    }
  }

  /** The publisher view: one subscriber, signals on the callback executor, drained by one task. */
  private final class PublisherView implements Flow.Publisher<ByteBuffer>, Flow.Subscription {
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile Flow.Subscriber<? super ByteBuffer> subscriber;
    private volatile boolean cancelled;
    private boolean done;

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
      if (subscriber != null) {
        s.onSubscribe(
            new Flow.Subscription() {
              @Override
              public void request(long n) {}

              @Override
              public void cancel() {}
            });
        s.onError(
            new IllegalStateException("a streaming response's publisher takes one subscriber"));
        return;
      }
      subscriber = s;
      s.onSubscribe(this);
      schedule();
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancelled = true;
        Flow.Subscriber<? super ByteBuffer> s = subscriber;
        StreamedBody.this.close();
        s.onError(
            new IllegalArgumentException("demand must be positive (Flow rule 3.9), got " + n));
        return;
      }
      long d;
      do {
        d = demand.get();
      } while (!demand.compareAndSet(d, d + n < 0 ? Long.MAX_VALUE : d + n));
      schedule();
    }

    @Override
    public void cancel() {
      cancelled = true;
      StreamedBody.this.close();
    }

    void schedule() {
      if (subscriber != null && wip.getAndIncrement() == 0) {
        try {
          signals.execute(this::drainLoop);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          drainLoop();
        }
      }
    }

    private void drainLoop() {
      int missed = 1;
      do {
        drain();
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void drain() {
      Flow.Subscriber<? super ByteBuffer> s = subscriber;
      while (!done && !cancelled && demand.get() > 0) {
        byte[] buf = new byte[PUBLISHED_CHUNK];
        int n;
        try {
          n = readDecoded(buf, 0, buf.length);
        } catch (IOException e) {
          done = true;
          Throwable typed = e.getCause() instanceof TransportException te ? te : e;
          s.onError(typed);
          return;
        }
        if (n > 0) {
          demand.decrementAndGet();
          s.onNext(ByteBuffer.wrap(buf, 0, n).asReadOnlyBuffer());
        } else if (n < 0) {
          done = true;
          s.onComplete();
          StreamedBody.this.close();
          return;
        } else {
          return; // nothing yet: the next chunk, the end or a failure schedules a drain
        }
      }
      if (!done && !cancelled) { // no demand: still report the end or a failure at once
        lock.lock();
        TransportException f;
        boolean end;
        try {
          f = raw.isEmpty() ? failure : null;
          end = raw.isEmpty() && complete && decoded == rawSource;
        } finally {
          lock.unlock();
        }
        if (f != null) {
          done = true;
          s.onError(f);
        } else if (end) {
          done = true;
          s.onComplete();
          StreamedBody.this.close();
        }
      }
    }
  }
}
