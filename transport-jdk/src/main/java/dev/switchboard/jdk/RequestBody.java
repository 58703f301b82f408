package dev.switchboard.jdk;

import dev.switchboard.Body;
import dev.switchboard.spi.BodySourceException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request body, handed to the JDK as it asks for it, and the engine's view of how far the
 * request got. The JDK asks for {@link #contentLength()} exactly once per attempt, as it writes the
 * request headers (after connecting), so:
 *
 * <ul>
 *   <li>the first call means the headers are being written ({@link #headersWritten()});
 *   <li>a second call is the JDK's own resend (a GET or HEAD whose connection closed without a
 *       response byte): it is refused by throwing, before anything of it is written ({@link
 *       #resendRefused()});
 *   <li>{@code sent} runs when the last body byte has been handed over, or at the headers for a
 *       request without body (the JDK then never subscribes).
 * </ul>
 *
 * <p>An in-memory body is handed over in slices of its own buffer, without a copy. A streaming body
 * is relayed from {@link Body#publisher()} (files and streams read on Switchboard's body-reader
 * threads, one chunk per unit of the JDK's demand, so the JDK's socket writes pace the reads): a
 * length of 0 or more goes out as {@code Content-Length}, -1 chunked. The relay keeps the
 * subscription so that {@link #cancel()} (the exchange's abort) can cancel it, and keeps the
 * source's {@link BodySourceException} so that the engine can report it whatever the JDK makes of
 * it.
 */
final class RequestBody implements HttpRequest.BodyPublisher {
  private static final int CHUNK = 64 * 1024;

  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0).asReadOnlyBuffer();
  private static final AtomicIntegerFieldUpdater<RequestBody> ATTEMPTS =
      AtomicIntegerFieldUpdater.newUpdater(RequestBody.class, "attempts");

  private final ByteBuffer body; // in memory: read only, its position never moves; else null
  private final Body source; // a streaming body of length != 0; else null
  private final long length;
  private final Runnable sent;
  private volatile int attempts;
  private volatile boolean headersWritten;
  private volatile boolean resendRefused;
  private volatile boolean cancelled;
  private volatile Relay relay;
  private volatile BodySourceException sourceFailure;

  RequestBody(Body body, Runnable sent) {
    if (body.isInMemory() || body.isEmpty()) {
      this.body = body.isEmpty() ? NO_BYTES : body.asReadOnlyBuffer();
      this.source = null;
      this.length = this.body.remaining();
    } else {
      this.body = null;
      this.source = body;
      this.length = body.length();
    }
    this.sent = sent;
  }

  boolean headersWritten() {
    return headersWritten;
  }

  boolean resendRefused() {
    return resendRefused;
  }

  /** The failure of the body's source, once its publisher reported one; else null. */
  BodySourceException sourceFailure() {
    return sourceFailure;
  }

  /**
   * Cancels the streaming body's subscription (now, or at once when the JDK subscribes later), so
   * that its source is closed and no body-reader thread keeps reading for an exchange that ended.
   */
  void cancel() {
    cancelled = true;
    Relay r = relay;
    if (r != null) {
      r.cancel();
    }
  }

  @Override
  public long contentLength() {
    if (ATTEMPTS.incrementAndGet(this) > 1) {
      resendRefused = true;
      throw new IllegalStateException(
          "Switchboard refused the JDK HttpClient's automatic resend of this request");
    }
    headersWritten = true;
    if (length == 0) {
      sent.run();
    }
    return length;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    if (source == null) {
      subscriber.onSubscribe(new Chunks(subscriber, body.duplicate()));
      return;
    }
    Relay r = new Relay(subscriber);
    relay = r;
    source.publisher().subscribe(r);
  }

  /** Passes the streaming body's publisher through to the JDK, noting what the engine needs. */
  private final class Relay implements Flow.Subscriber<ByteBuffer>, Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> downstream;
    private volatile Flow.Subscription upstream;
    private volatile boolean cancelledHere;

    Relay(Flow.Subscriber<? super ByteBuffer> downstream) {
      this.downstream = downstream;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      upstream = s;
      downstream.onSubscribe(this);
      if (cancelled || cancelledHere) {
        s.cancel();
      }
    }

    @Override
    public void onNext(ByteBuffer item) {
      downstream.onNext(item);
    }

    @Override
    public void onError(Throwable t) {
      BodySourceException b = BodySourceException.find(t);
      sourceFailure = b != null ? b : new BodySourceException("the body's source failed: " + t, t);
      downstream.onError(sourceFailure);
    }

    @Override
    public void onComplete() {
      downstream.onComplete();
      sent.run();
    }

    @Override
    public void request(long n) {
      Flow.Subscription s = upstream;
      if (s != null && !cancelledHere) {
        s.request(n);
      }
    }

    @Override
    public void cancel() {
      cancelledHere = true;
      Flow.Subscription s = upstream;
      if (s != null) {
        s.cancel();
      }
    }
  }

  private final class Chunks implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final ByteBuffer left;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean done;

    Chunks(Flow.Subscriber<? super ByteBuffer> subscriber, ByteBuffer left) {
      this.subscriber = subscriber;
      this.left = left;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        done = true;
        subscriber.onError(new IllegalArgumentException("non-positive request " + n));
        return;
      }
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      if (wip.getAndIncrement() != 0) {
        return; // the thread in the loop below picks the demand up
      }
      do {
        while (!done && left.hasRemaining() && demand.get() > 0) {
          int len = Math.min(CHUNK, left.remaining());
          ByteBuffer chunk = left.slice().limit(len);
          left.position(left.position() + len);
          demand.decrementAndGet();
          subscriber.onNext(chunk);
        }
        if (!done && !left.hasRemaining()) {
          done = true;
          subscriber.onComplete();
          sent.run();
        }
      } while (wip.decrementAndGet() != 0);
    }

    @Override
    public void cancel() {
      done = true;
    }
  }
}
