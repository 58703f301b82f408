package dev.switchboard;

import dev.switchboard.spi.BodySourceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * The streams behind {@link Body}'s views: opened lazily, checked against the declared length, and
 * every failure of the source turned into a {@link BodySourceException}.
 *
 * <p>With a declared length, the bytes that complete it are handed to the engine only once the
 * source has confirmed its end (end of stream, {@code onComplete}): a source that fails at its end
 * (a trailing checksum, a lost disk) must never have let the server receive the whole request,
 * which it would act on while the caller is told the request failed.
 */
final class BodySources {
  private BodySources() {}

  /** A stream of {@code file}, opened at the first read, of exactly {@code length} bytes. */
  static InputStream file(Path file, long length) {
    return exact(
        new Lazy(
            () -> {
              try {
                return Files.newInputStream(file);
              } catch (IOException e) {
                throw new BodySourceException("the body's file " + file + " cannot be read", e);
              }
            }),
        length);
  }

  /** A stream from {@code supplier}, asked at the first read. */
  static InputStream open(Supplier<InputStream> supplier) {
    return new Lazy(
        () -> {
          InputStream in;
          try {
            in = supplier.get();
          } catch (RuntimeException e) {
            throw new BodySourceException("the body's InputStream supplier threw " + e, e);
          }
          if (in == null) {
            throw new BodySourceException("the body's InputStream supplier returned null", null);
          }
          return in;
        });
  }

  /**
   * {@code in}, failing with a {@link BodySourceException} when it gives fewer or more bytes than
   * {@code length} (not checked when -1) and when it fails itself.
   */
  static InputStream exact(InputStream in, long length) {
    return new Exact(in, length);
  }

  /** {@code source}, failing with a {@link BodySourceException} on a length mismatch. */
  static Flow.Publisher<ByteBuffer> exact(Flow.Publisher<ByteBuffer> source, long length) {
    return new ExactPublisher(source, length);
  }

  static String mismatch(long declared, long given, boolean more) {
    return more
        ? "the body's source gave more than the " + declared + " bytes its length declares"
        : "the body's source ended after " + given + " of the " + declared + " bytes declared";
  }

  /** Opens its stream at the first read. */
  private static final class Lazy extends InputStream {
    interface Opener {
      InputStream open() throws IOException;
    }

    private final Opener opener;
    // volatile: an engine may close the stream from another thread (Exchange.abort) while the
    // writing thread is opening or reading it
    private volatile InputStream in;
    private volatile boolean closed;

    Lazy(Opener opener) {
      this.opener = opener;
    }

    private InputStream in() throws IOException {
      if (closed) {
        throw new IOException("the body's stream is closed");
      }
      InputStream s = in;
      if (s == null) {
        s = opener.open();
        in = s;
        if (closed) { // closed while it was being opened: close() may not have seen it
          s.close();
          throw new IOException("the body's stream is closed");
        }
      }
      return s;
    }

    @Override
    public int read() throws IOException {
      return in().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in().read(b, off, len);
    }

    @Override
    public void close() throws IOException {
      closed = true;
      InputStream s = in;
      if (s != null) {
        s.close();
      }
    }
  }

  /**
   * Counts, checks the declared length, and names the source's failures. The read that reaches the
   * declared length reads on until the source's end of stream before it returns.
   */
  private static final class Exact extends InputStream {
    private final InputStream in;
    private final long length;
    private long count;
    private boolean confirmed; // the source has ended where its length said

    Exact(InputStream in, long length) {
      this.in = in;
      this.length = length;
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
      if (confirmed) {
        return -1;
      }
      int n = readSource(b, off, len);
      if (n < 0) {
        if (length >= 0 && count != length) {
          throw new BodySourceException(mismatch(length, count, false), null);
        }
        return -1;
      }
      count += n;
      if (length >= 0 && count > length) {
        throw new BodySourceException(mismatch(length, count, true), null);
      }
      if (length >= 0 && count == length) {
        confirmEnd();
      }
      return n;
    }

    /** Reads on past the declared length: the source must end there, and may fail instead. */
    private void confirmEnd() throws IOException {
      byte[] probe = new byte[1];
      int n;
      do {
        n = readSource(probe, 0, 1);
      } while (n == 0);
      if (n > 0) {
        throw new BodySourceException(mismatch(length, count + n, true), null);
      }
      confirmed = true;
    }

    private int readSource(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (BodySourceException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new BodySourceException("the body's source failed: " + e, e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * Checks a publisher's bytes against the declared length. The item that reaches the declared
   * length is held until the source's {@code onComplete}, then passed on just before it (and
   * dropped on {@code onError}); while it is held, one more item is asked of the source, so that a
   * source that needs demand to find its end is not left waiting.
   */
  private static final class ExactPublisher implements Flow.Publisher<ByteBuffer> {
    private final Flow.Publisher<ByteBuffer> source;
    private final long length;

    ExactPublisher(Flow.Publisher<ByteBuffer> source, long length) {
      this.source = source;
      this.length = length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> downstream) {
      source.subscribe(
          new Flow.Subscriber<>() {
            private Flow.Subscription upstream;
            private long count;
            private boolean done;
            private ByteBuffer held; // reaches the declared length; waits for the source's end

            @Override
            public void onSubscribe(Flow.Subscription s) {
              upstream = s;
              downstream.onSubscribe(s);
            }

            @Override
            public void onNext(ByteBuffer item) {
              if (done) {
                return;
              }
              count += item.remaining();
              if (length >= 0 && count > length) {
                done = true;
                upstream.cancel();
                downstream.onError(new BodySourceException(mismatch(length, count, true), null));
                return;
              }
              if (held != null) {
                return; // an empty item after the declared length: nothing to pass on
              }
              if (length >= 0 && count == length) {
                held = item.asReadOnlyBuffer();
                upstream.request(1);
                return;
              }
              downstream.onNext(item.asReadOnlyBuffer());
            }

            @Override
            public void onError(Throwable t) {
              if (!done) {
                done = true;
                held = null;
                downstream.onError(
                    t instanceof BodySourceException
                        ? t
                        : new BodySourceException("the body's publisher failed: " + t, t));
              }
            }

            @Override
            public void onComplete() {
              if (done) {
                return;
              }
              done = true;
              if (length >= 0 && count != length) {
                downstream.onError(new BodySourceException(mismatch(length, count, false), null));
              } else {
                ByteBuffer last = held;
                held = null;
                if (last != null) {
                  downstream.onNext(last);
                }
                downstream.onComplete();
              }
            }
          });
    }
  }
}
