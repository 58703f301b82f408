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
  private static final int PULLED_CHUNK = 8 * 1024;

  /**
   * A reader woken by the first bytes waits up to {@link #GATHER_NANOS} for this many before it
   * reads: one wake-up per 128 KiB (half the window) of a fast body instead of one per chunk
   * (engines deliver 8-16 KiB), at most 1 ms later for a body that trickles.
   */
  static final int GATHER = 128 * 1024;

  private static final long GATHER_NANOS = 1_000_000;

  /** How long a failed pulled read waits for the exchange to record why (it aborted first). */
  private static final long RECORD_WAIT_NANOS = 1_000_000_000;

  /**
   * Bytes of consumed chunks kept for the engine's next ones: a fast body reuses its arrays instead
   * of allocating one per chunk (about 130,000 per GiB at OkHttp's 8 KiB), bounded so that an open
   * body holds little more than its window. Chunks never leave this class (both views copy out).
   */
  static final int SPARE_BYTES = 128 * 1024;

  /**
   * Chunks of at least this many bytes get an array of a standard size ({@link #capacityFor}), so
   * that a consumed one fits the next whatever the library's chunk sizes; smaller ones are copied
   * exactly and not kept (a body that trickles in tiny chunks would otherwise hold far more memory
   * than its window counts).
   */
  private static final int POOLED_MIN = 2048;

  /** A chunk of raw bytes: the first {@code length} bytes of {@code bytes}. */
  private static final class Chunk {
    final byte[] bytes;
    int length;

    Chunk(byte[] bytes, int length) {
      this.bytes = bytes;
      this.length = length;
    }
  }

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

    /**
     * The pull path ({@link #pull()}): reads raw bytes from the engine's reader on the consumer's
     * thread, blocking, with the read clock running meanwhile; -1 at the end. A failure the engine
     * reports reaches {@link #fail} before this throws; one the exchange decides (a timeout) aborts
     * the read first and reaches {@link #fail} just after.
     */
    int read(byte[] b, int off, int len) throws IOException;
  }

  private final Upstream upstream;
  private final Executor signals;
  private final Request request;
  private final String transport;
  private final String encoding; // null: delivered as it came
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Chunk> raw = new ArrayDeque<>();
  private long queued; // bytes the engine delivered that the reader has not read yet
  // the reader's own, touched by its one thread only: chunks taken from raw in one go, read
  // outside the lock, then handed back (and their bytes taken off queued) at its next lock
  private final ArrayDeque<Chunk> taking = new ArrayDeque<>();
  private int takingOffset; // bytes of taking.peek() already read
  private final ArrayDeque<Chunk> read = new ArrayDeque<>();
  private long readBytes;
  private final ArrayDeque<Chunk> spare = new ArrayDeque<>();
  private Chunk engineSpare; // the engine's side only (its calls never overlap): the next copy's
  private int spareBytes;
  private int outstanding;
  private volatile IOException failureAfterBytes; // the consumer's: thrown at its next read
  private boolean readerWaiting;
  private boolean readerIdle; // waiting with nothing queued: woken by the first chunk
  private boolean complete;
  private volatile boolean pulling; // the consumer reads the engine's reader: no queue, no demand
  private TransportException failure;
  private volatile boolean closed;
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

              @Override
              public int read(byte[] b, int off, int len) {
                return -1;
              }
            },
            signals,
            request,
            transport,
            null);
    if (bytes.length > 0) {
      b.raw.add(new Chunk(bytes, bytes.length));
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

  /**
   * The engine's reader was taken (before any chunk): from now on the consumer's reads go to it,
   * with no window and no demand; the read clock runs only inside those reads.
   */
  void pull() {
    lock.lock();
    try {
      pulling = true;
      outstanding = 0;
      upstream.readClock(false);
      changed.signalAll(); // a reader already waiting for chunks reads from the engine instead
    } finally {
      lock.unlock();
    }
    wakePublisher();
  }

  /**
   * A chunk arrived: copied here (the engine may reuse its buffer), into a consumed chunk's array
   * when one fits. The copy is made before the lock is taken, into the spare set aside at the
   * previous chunk, so that the lock is held for the bookkeeping only: a reader that takes or hands
   * back chunks meanwhile seldom finds it held, and is seldom parked on it and woken again (on a
   * busy machine each such wake-up costs more than copying the chunk).
   */
  void accept(ByteBuffer chunk) {
    int len = chunk.remaining();
    Chunk c = null;
    if (len > 0) {
      int capacity = capacityFor(len);
      c = engineSpare;
      engineSpare = null;
      if (c == null || c.bytes.length != capacity) {
        c = new Chunk(new byte[capacity], len);
      }
      chunk.get(c.bytes, 0, len);
      c.length = len;
    }
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
      if (c != null) {
        raw.add(c);
        queued += len;
        engineSpare = spareOf(c.bytes.length);
      }
      n = moreDemand();
      if (readerWaiting && ((readerIdle && wasEmpty) || queued >= GATHER)) {
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
   * The array size for a chunk of {@code len} bytes: 8 KiB up to 8 KiB (at most 4 times the bytes,
   * so a full window holds at most 1 MiB), then the next power of two; exact below {@link
   * #POOLED_MIN}.
   */
  static int capacityFor(int len) {
    if (len < POOLED_MIN) {
      return len;
    }
    if (len <= 8192) {
      return 8192;
    }
    int pow = Integer.highestOneBit(len);
    return pow == len || pow > (1 << 29) ? len : pow << 1;
  }

  /**
   * Under the lock: a spare chunk of {@code capacity} bytes for the engine's next chunk, or null.
   */
  private Chunk spareOf(int capacity) {
    Chunk c = spare.peek();
    if (c != null && c.bytes.length == capacity) {
      spare.poll();
      spareBytes -= capacity;
      return c;
    }
    return null;
  }

  /** Under the lock: keeps a consumed chunk for reuse while the spares stay small. */
  private void recycle(Chunk c) {
    if (c.bytes.length >= POOLED_MIN && spareBytes + c.bytes.length <= SPARE_BYTES) {
      spare.push(c);
      spareBytes += c.bytes.length;
    }
  }

  /**
   * Under the lock: how many chunks to ask for now (keeping the window), and the read clock set to
   * match.
   */
  private long moreDemand() {
    if (pulling) {
      return 0; // the consumer's own reads run the clock
    }
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
          if (closed) {
            throw new IOException("the streaming response is closed");
          }
          if (taking.isEmpty()) {
            int state = takeQueued();
            if (state == 0 && pulling) {
              return pulled(b, off, len);
            }
            if (state <= 0) {
              return state;
            }
          }
          int total = 0;
          while (total < len && !taking.isEmpty()) {
            Chunk c = taking.peek();
            int k = Math.min(len - total, c.length - takingOffset);
            System.arraycopy(c.bytes, takingOffset, b, off + total, k);
            takingOffset += k;
            total += k;
            if (takingOffset == c.length) {
              taking.poll();
              takingOffset = 0;
              read.add(c);
              readBytes += c.length;
            }
          }
          if (readBytes >= GATHER) {
            handBack(); // the window's room goes back to the engine as the reader goes
          }
          return total;
        }
      };

  /**
   * One blocking read from the engine's reader. A failure the engine reported is here before its
   * read throws; one the exchange decided (a read timeout, a request timeout) aborts the exchange,
   * which ends the read, and is recorded here just after: the reader waits up to {@link
   * #RECORD_WAIT_NANOS} for it. A read that failed with neither (an engine that broke the contract)
   * fails the body with a failure of its own.
   */
  private int pulled(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = upstream.read(b, off, len);
    } catch (IOException | RuntimeException e) {
      TransportException typed;
      lock.lock();
      try {
        long left = RECORD_WAIT_NANOS;
        while (failure == null && !closed && left > 0) {
          left = changed.awaitNanos(left);
        }
        if (closed) {
          throw new IOException("the streaming response is closed", e);
        }
        typed = failure;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while the read's failure was recorded");
      } finally {
        lock.unlock();
      }
      if (typed == null) {
        typed =
            new MalformedResponseException(
                "the " + transport + " engine's body reader failed without reporting a fault",
                request,
                transport,
                e);
        fail(typed);
        upstream.abort(typed);
      }
      throw new IOException(typed.getMessage(), typed);
    }
    if (n == 0) {
      return 0; // not allowed of a reader; read again like any empty poll
    }
    if (n < 0) {
      lock.lock();
      try {
        complete = true; // the engine's onComplete said so already; kept for a reader that did not
      } finally {
        lock.unlock();
      }
    }
    return n;
  }

  /**
   * The reader's one lock per batch: hands back the chunks it has read (their bytes leave the
   * window, their arrays go to the spares), takes every chunk queued, and asks the engine for more
   * if the window has room. Returns 1 when it took chunks; when none were queued, -1 at the end, 0
   * while more may come, or throws the failure (which comes after every byte before it).
   */
  private int takeQueued() throws IOException {
    long n;
    int state;
    lock.lock();
    try {
      if (closed) {
        throw new IOException("the streaming response is closed");
      }
      returnRead();
      if (raw.isEmpty()) {
        if (failure != null) {
          throw new IOException(failure.getMessage(), failure);
        }
        state = complete ? -1 : 0;
      } else {
        state = 1;
        for (Chunk c; (c = raw.poll()) != null; ) {
          taking.add(c);
        }
      }
      n = moreDemand();
    } finally {
      lock.unlock();
    }
    if (n > 0) {
      upstream.request(n);
    }
    return state;
  }

  /** Hands back what the reader has read, and asks the engine for more if the window has room. */
  private void handBack() {
    long n;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      returnRead();
      n = moreDemand();
    } finally {
      lock.unlock();
    }
    if (n > 0) {
      upstream.request(n);
    }
  }

  /** Under the lock: the read chunks' bytes leave the window, their arrays go to the spares. */
  private void returnRead() {
    queued -= readBytes;
    readBytes = 0;
    for (Chunk c; (c = read.poll()) != null; ) {
      recycle(c);
    }
  }

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
  /**
   * Reads what is there, decoded, up to {@code len} bytes, without waiting: at least one byte, 0
   * when nothing has come yet, -1 at the end. Takes every chunk queued, not just one (fewer calls,
   * fuller buffers); a failure met after some bytes is kept for the next call, so neither the bytes
   * nor the failure are lost.
   */
  private int readAvailable(byte[] b, int off, int len) throws IOException {
    IOException kept = failureAfterBytes;
    if (kept != null) {
      throw kept;
    }
    int n = readDecoded(b, off, len);
    if (n <= 0 || pulling) {
      return n; // a pulled read blocks: one per call
    }
    int total = n;
    while (total < len) {
      int m;
      try {
        m = readDecoded(b, off + total, len - total);
      } catch (IOException e) {
        failureAfterBytes = e;
        break;
      }
      if (m <= 0) {
        break;
      }
      total += m;
    }
    return total;
  }

  private int readDecoded(byte[] b, int off, int len) throws IOException {
    try {
      int n = decoded.read(b, off, len);
      if (n < 0) {
        signalEnded();
      }
      return n;
    } catch (IOException e) {
      if (e.getCause() instanceof TransportException || closed || decoded == rawSource) {
        throw e; // the exchange's own failure, already typed, or the stream closed: not decoding's
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
   * Blocks until something changed: bytes, the end, a failure, or close. A body that flows is
   * gathered first: up to {@link #GATHER} bytes or 1 ms, woken only by the gathered bytes (one
   * wake-up per 128 KiB, not one more for each first chunk); only when nothing came in that time
   * does the reader wait idle, woken by the first chunk, and then gather again. A body that
   * trickles is read at most about 1 ms after its bytes came, as before.
   */
  private void awaitChange() throws IOException {
    lock.lock();
    try {
      readerWaiting = true;
      gather();
      if (raw.isEmpty() && !complete && failure == null && !closed && !pulling) {
        readerIdle = true;
        while (raw.isEmpty() && !complete && failure == null && !closed && !pulling) {
          changed.await();
        }
        readerIdle = false;
        gather();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the response body");
    } finally {
      readerWaiting = false;
      readerIdle = false;
      lock.unlock();
    }
  }

  /** Under the lock: waits up to 1 ms for {@link #GATHER} bytes while more are on their way. */
  private void gather() throws InterruptedException {
    long left = GATHER_NANOS;
    while (left > 0
        && queued < GATHER
        && outstanding > 0
        && !pulling
        && !complete
        && failure == null
        && !closed) {
      left = changed.awaitNanos(left);
    }
  }

  /** Whether the consumer closed the body (before or after its end). */
  boolean isClosed() {
    return closed;
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
      spare.clear();
      spareBytes = 0;
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
        int n = readAvailable(b, off, len);
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
    private int pullSize = PULLED_CHUNK; // the drain's: the array for the next pulled read
    private int fullReads; // the drain's: pulled reads in a row that filled their array

    /**
     * A pulled read gives what one read of the library gave (OkHttp: 8 KiB), so the item's array
     * follows the reads' size instead of being {@value #PUBLISHED_CHUNK} bytes: doubled after 16
     * reads in a row that filled it, halved after one that filled half of it or less, between
     * {@value #PULLED_CHUNK} and {@value #PUBLISHED_CHUNK} bytes. The bytes are read into the
     * item's own array (no copy), except a read that filled less than a quarter of it, which is
     * copied out exactly so that an item held by the subscriber does not hold an array 4 times its
     * size.
     */
    private byte[] fitPulled(byte[] buf, int n) {
      if (n == buf.length) {
        if (++fullReads >= 16 && pullSize < PUBLISHED_CHUNK) {
          pullSize <<= 1;
          fullReads = 0;
        }
        return buf;
      }
      fullReads = 0;
      if (n <= buf.length / 2 && pullSize > PULLED_CHUNK) {
        pullSize >>= 1;
      }
      return n < buf.length / 4 ? java.util.Arrays.copyOf(buf, n) : buf;
    }

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
        boolean pulled = pulling;
        byte[] buf = new byte[pulled ? pullSize : PUBLISHED_CHUNK];
        int n;
        try {
          n = readAvailable(buf, 0, buf.length);
          if (pulled && n > 0) {
            buf = fitPulled(buf, n);
          }
        } catch (IOException e) {
          done = true;
          if (!cancelled) { // a pulled read that the cancel itself ended is not an error to signal
            Throwable typed = e.getCause() instanceof TransportException te ? te : e;
            s.onError(typed);
          }
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
          boolean allRead = raw.isEmpty() && taking.isEmpty();
          f = allRead ? failure : null;
          end = allRead && complete && decoded == rawSource;
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
