package dev.switchboard.apache;

import dev.switchboard.spi.BodySourceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.Flow;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * Writes a request body that streams (a file, an {@code InputStream}, a {@code Flow.Publisher})
 * from the body's demand-driven {@link dev.switchboard.Body#publisher()}, so that the I/O reactor
 * never blocks on the source: Switchboard reads streams and files on its own body-reader threads,
 * and this producer only writes what has arrived.
 *
 * <p><b>Flow.</b> The publisher is subscribed at the first {@link #produce} (when the library has
 * committed the request head) and asked for {@link #AHEAD} buffers; buffers written whole to the
 * connection are asked for again {@link #BATCH} at a time (or all, when none is left waiting), so
 * at most {@link #AHEAD} buffers wait here. What arrives wakes the connection ({@link
 * DataStreamChannel#requestOutput()}, callable from any thread); {@link #available()} tells the
 * library whether there is something to write, so it stops asking while the source is slow.
 *
 * <p><b>Framing.</b> A known length goes as {@code Content-Length}, an unknown one ({@code -1}) as
 * {@code Transfer-Encoding: chunked} (HTTP/1.1; HTTP/2 frames it itself). The Content-Type is
 * already among the request's headers.
 *
 * <p><b>End and failure.</b> After the source's {@code onComplete} and the last byte handed to the
 * connection, the stream is ended and {@code written} runs (the request counts as sent). With a
 * known length the last byte is held back until the source has ended, and is written in the same
 * call that ends the stream: otherwise the server could have the whole request, and answer it,
 * while the library still waits for the stream's end, and HC5 (5.6, HTTP/1.1) does not call {@code
 * produce} again once it has read a final response, so the end would never be written and the
 * exchange never complete (seen as a hang of a 1 MiB upload answered 307, 6 times in 100 with a
 * core busy). Holding the byte back also keeps a source that yields more than declared from ever
 * completing the request on the wire. A failure of the source ({@link BodySourceException}) is
 * thrown from {@link #produce}, which makes the library fail the exchange with it as the cause and
 * close the connection (the request is half-written); {@link #sourceFailure()} keeps it for the
 * exchange's report too. {@link #cancel()}, {@link #failed} and {@link #releaseResources()} cancel
 * the subscription.
 *
 * <p>Not repeatable, like {@link BodyProducer}: the subscription cannot be taken back, transports
 * never resend, and a caller's client that still has automatic retries must not resend a body.
 */
final class PublisherProducer implements AsyncEntityProducer, Flow.Subscriber<ByteBuffer> {
  /** Buffers asked for ahead of the connection. */
  static final int AHEAD = 8;

  /**
   * Buffers written before more are asked for: a source on a thread of its own (an {@code
   * InputStream}'s reader) is woken once per this many instead of once per buffer.
   */
  static final int BATCH = AHEAD / 2;

  private final Flow.Publisher<ByteBuffer> source;
  private final long length;
  private final Runnable written;
  private final Object lock = new Object();
  // under lock
  private final ArrayDeque<ByteBuffer> ready = new ArrayDeque<>();
  private long readyBytes;
  private boolean sourceEnded;
  private BodySourceException failure;
  private boolean cancelled;
  private DataStreamChannel channel;
  private Flow.Subscription subscription;
  // the reactor's own
  private volatile boolean subscribed;
  private volatile boolean ended;
  private long sent; // bytes handed to the connection
  private int taken; // buffers written and not yet asked for again

  PublisherProducer(Flow.Publisher<ByteBuffer> source, long length, Runnable written) {
    this.source = source;
    this.length = length;
    this.written = written;
  }

  // ---------------------------------------------------------------- the library's side

  @Override
  public void produce(DataStreamChannel ch) throws IOException {
    if (ended) {
      return;
    }
    synchronized (lock) {
      channel = ch;
    }
    if (!subscribed) {
      subscribed = true;
      source.subscribe(this);
    }
    while (true) {
      ByteBuffer head;
      boolean end = false;
      boolean sourceDone;
      synchronized (lock) {
        if (cancelled) {
          return;
        }
        head = ready.peek();
        if (head == null) {
          if (failure != null) {
            throw failure;
          }
          end = sourceEnded;
        }
        sourceDone = sourceEnded;
      }
      if (head == null) {
        if (end) {
          ended = true;
          ch.endStream();
          this.written.run();
        }
        break;
      }
      int allowed = writable(head.remaining(), sourceDone);
      int n = allowed <= 0 ? 0 : write(ch, head, allowed);
      sent += n;
      synchronized (lock) {
        readyBytes -= n;
        if (!head.hasRemaining()) {
          ready.poll();
          taken++;
        }
      }
      if (head.hasRemaining()) {
        // the connection is full (the library calls again when it can take more), or only the
        // held-back last byte is left (the source's end wakes the connection)
        break;
      }
    }
    if (taken >= BATCH || (taken > 0 && readyEmpty())) {
      Flow.Subscription s;
      synchronized (lock) {
        s = cancelled ? null : subscription;
      }
      if (s != null) {
        int n = taken;
        taken = 0;
        s.request(n);
      }
    }
  }

  private boolean readyEmpty() {
    synchronized (lock) {
      return ready.isEmpty();
    }
  }

  /**
   * How many of {@code remaining} bytes may be written now: all of them, except that a body of
   * known length keeps its last byte until the source has ended.
   */
  private int writable(int remaining, boolean sourceDone) {
    if (length < 0 || sourceDone) {
      return remaining;
    }
    return (int) Math.max(0, Math.min(remaining, length - 1 - sent));
  }

  private static int write(DataStreamChannel ch, ByteBuffer head, int allowed) throws IOException {
    if (allowed == head.remaining()) {
      return ch.write(head);
    }
    ByteBuffer part = head.duplicate();
    part.limit(part.position() + allowed);
    int n = ch.write(part);
    head.position(head.position() + n);
    return n;
  }

  @Override
  public int available() {
    if (!subscribed) {
      return 1; // so that the library calls produce, which subscribes
    }
    if (ended) {
      return 0;
    }
    synchronized (lock) {
      if (cancelled) {
        return 0;
      }
      if (sourceEnded || failure != null) {
        return 1; // what is left, the end, or a failure to pass on
      }
      int now = writable((int) Math.min(readyBytes, Integer.MAX_VALUE), false);
      if (now > 0) {
        return now;
      }
      // an empty buffer to drop; the held-back last byte waits for the source's end
      return readyBytes == 0 && !ready.isEmpty() ? 1 : 0;
    }
  }

  @Override
  public long getContentLength() {
    return length;
  }

  @Override
  public String getContentType() {
    return null;
  }

  @Override
  public String getContentEncoding() {
    return null;
  }

  @Override
  public boolean isChunked() {
    return length < 0;
  }

  @Override
  public Set<String> getTrailerNames() {
    return null;
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public void failed(Exception cause) {
    cancel();
  }

  @Override
  public void releaseResources() {
    cancel();
  }

  /** Cancels the subscription (idempotent, any thread) and drops what waits. */
  void cancel() {
    Flow.Subscription s;
    synchronized (lock) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      ready.clear();
      readyBytes = 0;
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
  }

  /** The source's failure, once it failed; else null. */
  BodySourceException sourceFailure() {
    synchronized (lock) {
      return failure;
    }
  }

  // ---------------------------------------------------------------- the source's side

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (lock) {
      cancel = cancelled || subscription != null;
      if (!cancel) {
        subscription = s;
      }
    }
    if (cancel) {
      s.cancel(); // cancelled meanwhile, or a second subscription (Flow rule 2.5)
      return;
    }
    s.request(AHEAD);
  }

  /**
   * Queues the buffer, and wakes the connection only when nothing was queued before it: with
   * buffers queued, {@link #available()} is above 0, so the library keeps asking {@link #produce}
   * for as long as it can write, and produce takes every buffer queued by then (one selector
   * wake-up per batch instead of one per buffer).
   */
  @Override
  public void onNext(ByteBuffer item) {
    DataStreamChannel ch;
    synchronized (lock) {
      if (cancelled || sourceEnded || failure != null) {
        return;
      }
      boolean wasEmpty = ready.isEmpty();
      ready.add(item);
      readyBytes += item.remaining();
      ch = wasEmpty ? channel : null;
    }
    wake(ch);
  }

  @Override
  public void onError(Throwable t) {
    DataStreamChannel ch;
    synchronized (lock) {
      if (cancelled || sourceEnded || failure != null) {
        return;
      }
      failure =
          t instanceof BodySourceException b
              ? b
              : new BodySourceException("the body's publisher failed: " + t, t);
      ready.clear();
      readyBytes = 0;
      ch = channel;
    }
    wake(ch);
  }

  @Override
  public void onComplete() {
    DataStreamChannel ch;
    synchronized (lock) {
      if (cancelled || sourceEnded || failure != null) {
        return;
      }
      sourceEnded = true;
      ch = channel;
    }
    wake(ch);
  }

  /** Asks the connection to call {@link #produce} (thread-safe in HC5, HTTP/1.1 and HTTP/2). */
  private static void wake(DataStreamChannel ch) {
    if (ch != null) {
      ch.requestOutput();
    }
  }
}
