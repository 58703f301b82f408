package dev.switchboard.bench;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The bytes the streaming runner ({@link Stream}) moves, made on the fly and never held whole: a 64
 * KiB block of seeded random bytes, repeated, each repetition's first 8 bytes replaced by its index
 * (so a lost, repeated or reordered block changes the checksum). Byte {@code p} of a body depends
 * only on {@code p}, so both ends can generate or check any length without storing it.
 */
final class StreamData {
  static final int BLOCK = 64 * 1024;
  private static final byte[] BASE = new byte[BLOCK];

  static {
    new Random(19).nextBytes(BASE);
  }

  private StreamData() {}

  /**
   * Writes bytes {@code [position, position + len)} of the stream into {@code dst} at {@code off}.
   */
  static void fill(long position, byte[] dst, int off, int len) {
    while (len > 0) {
      long block = position / BLOCK;
      int in = (int) (position % BLOCK);
      int n = Math.min(len, BLOCK - in);
      System.arraycopy(BASE, in, dst, off, n);
      for (int i = in; i < 8 && i < in + n; i++) {
        dst[off + i - in] = (byte) (block >>> (56 - 8 * i));
      }
      position += n;
      off += n;
      len -= n;
    }
  }

  /** The CRC-32C of the first {@code size} bytes. */
  static long checksum(long size) {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[BLOCK];
    for (long p = 0; p < size; p += BLOCK) {
      int n = (int) Math.min(BLOCK, size - p);
      fill(p, buf, 0, n);
      crc.update(buf, 0, n);
    }
    return crc.getValue();
  }

  /** A stream of the first {@code size} bytes. */
  static InputStream source(long size) {
    return new InputStream() {
      private long position;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (len == 0) {
          return 0;
        }
        if (position >= size) {
          return -1;
        }
        int n = (int) Math.min(len, size - position);
        fill(position, b, off, n);
        position += n;
        return n;
      }

      @Override
      public int available() {
        return (int) Math.min(Integer.MAX_VALUE, size - position);
      }
    };
  }

  /**
   * A publisher of the first {@code size} bytes in fresh 64 KiB buffers, as many as demanded, each
   * made on the thread that asked for it (never re-entrantly); one subscriber.
   */
  static Flow.Publisher<ByteBuffer> publisher(long size) {
    AtomicBoolean subscribed = new AtomicBoolean();
    return subscriber -> {
      if (!subscribed.compareAndSet(false, true)) {
        subscriber.onSubscribe(
            new Flow.Subscription() {
              @Override
              public void request(long n) {}

              @Override
              public void cancel() {}
            });
        subscriber.onError(new IllegalStateException("one subscriber only"));
        return;
      }
      subscriber.onSubscribe(new Emitter(size, subscriber));
    };
  }

  /** Emits on demand, serialized by a work-in-progress counter. */
  private static final class Emitter implements Flow.Subscription {
    private final long size;
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private long position;
    private boolean done;

    Emitter(long size, Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.size = size;
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancelled = true;
        subscriber.onError(new IllegalArgumentException("request(" + n + ")"));
        return;
      }
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      do {
        while (!cancelled && !done && demand.get() > 0) {
          if (position >= size) {
            done = true;
            subscriber.onComplete();
            break;
          }
          int n = (int) Math.min(BLOCK, size - position);
          byte[] b = new byte[n];
          fill(position, b, 0, n);
          position += n;
          demand.decrementAndGet();
          subscriber.onNext(ByteBuffer.wrap(b));
        }
        if (!done && !cancelled && position >= size) {
          done = true;
          subscriber.onComplete();
        }
      } while (wip.decrementAndGet() != 0);
    }
  }
}
