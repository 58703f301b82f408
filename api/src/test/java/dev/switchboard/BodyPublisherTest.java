package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.spi.BodySourceException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Body#publisher()} of an InputStream: the declared length, and cancel while blocked. */
class BodyPublisherTest {
  /** Requests everything, records the outcome. */
  private static final class Sink implements Flow.Subscriber<ByteBuffer> {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer item) {}

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }

  @Test
  void aStreamShorterOrLongerThanItsLengthFailsAsTheBodySource() throws Exception {
    for (long declared : new long[] {5000, 10}) {
      Sink sink = new Sink();
      Body.ofInputStream(() -> new ByteArrayInputStream(new byte[1000]), declared, null)
          .publisher()
          .subscribe(sink);
      Throwable t =
          sink.done.handle((v, e) -> e).get(10, TimeUnit.SECONDS); // null when it completed
      assertInstanceOf(BodySourceException.class, t, String.valueOf(t));
    }
  }

  @Test
  void cancelClosesAStreamBlockedInARead() throws Exception {
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    InputStream blocking =
        new InputStream() {
          @Override
          public int read() throws IOException {
            reading.countDown();
            try {
              closed.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new IOException("closed");
          }

          @Override
          public void close() {
            closed.countDown();
          }
        };
    Sink sink = new Sink();
    Body.ofInputStream(() -> blocking, -1, null).publisher().subscribe(sink);
    assertTrue(reading.await(10, TimeUnit.SECONDS));
    sink.subscription.cancel();
    assertTrue(closed.await(10, TimeUnit.SECONDS), "cancel left the reader blocked");
  }
}
