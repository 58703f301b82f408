package dev.switchboard.jdk;

import dev.switchboard.Body;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request body, handed to the JDK in chunks as it asks for them, and the engine's view of how
 * far the request got. The JDK asks for {@link #contentLength()} exactly once per attempt, as it
 * writes the request headers (after connecting), so:
 *
 * <ul>
 *   <li>the first call means the headers are being written ({@link #headersWritten()});
 *   <li>a second call is the JDK's own resend (a GET or HEAD whose connection closed without a
 *       response byte): it is refused by throwing, before anything of it is written ({@link
 *       #resendRefused()});
 *   <li>{@code sent} runs when the last body byte has been handed over, or at the headers for a
 *       request without body (the JDK then never subscribes).
 * </ul>
 */
final class RequestBody implements HttpRequest.BodyPublisher {
  private static final int CHUNK = 64 * 1024;

  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0).asReadOnlyBuffer();
  private static final AtomicIntegerFieldUpdater<RequestBody> ATTEMPTS =
      AtomicIntegerFieldUpdater.newUpdater(RequestBody.class, "attempts");

  private final ByteBuffer body; // read only; its position never moves (subscribers get copies)
  private final Runnable sent;
  private volatile int attempts;
  private volatile boolean headersWritten;
  private volatile boolean resendRefused;

  RequestBody(Body body, Runnable sent) {
    this.body = body.isEmpty() ? NO_BYTES : body.asReadOnlyBuffer();
    this.sent = sent;
  }

  boolean headersWritten() {
    return headersWritten;
  }

  boolean resendRefused() {
    return resendRefused;
  }

  @Override
  public long contentLength() {
    if (ATTEMPTS.incrementAndGet(this) > 1) {
      resendRefused = true;
      throw new IllegalStateException(
          "Switchboard refused the JDK HttpClient's automatic resend of this request");
    }
    headersWritten = true;
    if (!body.hasRemaining()) {
      sent.run();
    }
    return body.remaining();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    subscriber.onSubscribe(new Chunks(subscriber, body.duplicate()));
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
