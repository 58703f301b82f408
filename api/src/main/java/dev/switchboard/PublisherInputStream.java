package dev.switchboard;

import dev.switchboard.spi.BodySourceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A body's publisher as a blocking stream, for engines that write on a thread of their own:
 * subscribed at the first read, with at most {@link #WINDOW} buffers asked for ahead of the reader.
 * {@link #close()} cancels the subscription and wakes a reader blocked in {@code read}.
 */
final class PublisherInputStream extends InputStream implements Flow.Subscriber<ByteBuffer> {
  static final int WINDOW = 4;

  private final Flow.Publisher<ByteBuffer> source;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  private Flow.Subscription subscription;
  private boolean subscribed;
  private boolean complete;
  private boolean closed;
  private Throwable error;
  private ByteBuffer current;

  PublisherInputStream(Flow.Publisher<ByteBuffer> source) {
    this.source = source;
  }

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
    if (!subscribed) {
      subscribed = true;
      source.subscribe(this);
    }
    while (current == null || !current.hasRemaining()) {
      if (current != null) {
        current = null;
        Flow.Subscription s = subscription;
        if (s != null) {
          s.request(1); // one buffer used up: one more, outside the lock
        }
      }
      lock.lock();
      try {
        while (queue.isEmpty() && !complete && error == null && !closed) {
          changed.await();
        }
        if (closed) {
          throw new IOException("the body's stream is closed");
        }
        if (!queue.isEmpty()) {
          current = queue.poll();
        } else if (error != null) {
          throw error instanceof BodySourceException bse
              ? bse
              : new BodySourceException("the body's publisher failed: " + error, error);
        } else {
          return -1;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the body's publisher");
      } finally {
        lock.unlock();
      }
    }
    int n = Math.min(len, current.remaining());
    current.get(b, off, n);
    return n;
  }

  @Override
  public void close() {
    Flow.Subscription s;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      s = subscription;
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (s != null && !complete) {
      s.cancel();
    }
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    lock.lock();
    try {
      cancel = closed || subscription != null;
      if (!cancel) {
        subscription = s;
      }
    } finally {
      lock.unlock();
    }
    if (cancel) {
      s.cancel();
    } else {
      s.request(WINDOW);
    }
  }

  @Override
  public void onNext(ByteBuffer item) {
    lock.lock();
    try {
      if (!closed) {
        queue.add(item);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onError(Throwable t) {
    lock.lock();
    try {
      error = t == null ? new NullPointerException("onError(null)") : t;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onComplete() {
    lock.lock();
    try {
      complete = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
