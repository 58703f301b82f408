package dev.switchboard;

import dev.switchboard.spi.BodySourceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A body's stream as a demand-driven publisher, for engines on an event loop: the stream is read on
 * a body-reader thread (never on the subscriber's), one chunk per unit of demand. Single
 * subscriber; the stream is opened at the first demand and closed at the end, on error and on
 * cancel.
 */
final class StreamPublisher implements Flow.Publisher<ByteBuffer> {
  static final int CHUNK = 64 * 1024;

  /** Threads that read bodies' streams and files; they end after 30 s idle. */
  private static final Executor READERS = readers();

  private final Supplier<InputStream> opener;
  private final long length;
  private final boolean offThread;

  StreamPublisher(Supplier<InputStream> opener, long length, boolean offThread) {
    this.opener = opener;
    this.length = length;
    this.offThread = offThread;
  }

  private static Executor readers() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "switchboard-body-reader-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return pool;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    Subscription s = new Subscription(subscriber);
    subscriber.onSubscribe(s);
  }

  private final class Subscription implements Flow.Subscription, Runnable {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private boolean done;
    private volatile InputStream in; // volatile: cancel() closes it from another thread

    Subscription(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancelled = true;
        subscriber.onError(
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
      InputStream open = in;
      if (open != null) {
        closeQuietly(open); // ends a read blocked in the source (a pipe, a socket)
      }
      schedule(); // the drain closes the stream
    }

    private void closeQuietly(InputStream s) {
      try {
        s.close();
      } catch (IOException | RuntimeException ignored) {
        // given up on: nothing to report
      }
    }

    private void schedule() {
      if (wip.getAndIncrement() == 0) {
        if (offThread) {
          READERS.execute(this);
        } else {
          run();
        }
      }
    }

    /** The drain: one thread at a time (wip), emitting while there is demand. */
    @Override
    public void run() {
      int missed = 1;
      do {
        drain();
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void drain() {
      while (!done) {
        if (cancelled) {
          finish(null, false);
          return;
        }
        if (demand.get() == 0) {
          return;
        }
        byte[] chunk = new byte[(int) (length >= 0 ? Math.min(CHUNK, Math.max(1, length)) : CHUNK)];
        int n;
        try {
          if (in == null) {
            in = opener.get();
            if (cancelled) { // cancel() may have looked before the stream was there
              finish(null, false);
              return;
            }
          }
          n = in.read(chunk, 0, chunk.length); // what is there: a slow source is not held back
        } catch (IOException | RuntimeException e) {
          finish(
              e instanceof BodySourceException
                  ? e
                  : new BodySourceException("the body's source failed: " + e, e),
              true);
          return;
        }
        if (n < 0) {
          finish(null, true);
          return;
        }
        if (n > 0) {
          demand.decrementAndGet();
          subscriber.onNext(ByteBuffer.wrap(chunk, 0, n).asReadOnlyBuffer());
        }
      }
    }

    private void finish(Throwable error, boolean signal) {
      done = true;
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // closing a source that was fully read or given up on: nothing to report
        }
      }
      if (signal && !cancelled) {
        if (error == null) {
          subscriber.onComplete();
        } else {
          subscriber.onError(error);
        }
      }
    }
  }
}
