package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.switchboard.spi.BodySourceException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Body#publisher()} of an InputStream body holds the stream to its declared length. */
class BodyPublisherLengthTest {
  /** Subscribes with unbounded demand; completes with the byte count or the error. */
  private static CompletableFuture<Long> drain(Body body) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    body.publisher()
        .subscribe(
            new Flow.Subscriber<>() {
              private long count;

              @Override
              public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(ByteBuffer item) {
                count += item.remaining();
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onComplete() {
                done.complete(count);
              }
            });
    return done;
  }

  private static Body stream(int given, long declared) {
    return Body.ofInputStream(() -> new ByteArrayInputStream(new byte[given]), declared, null);
  }

  private static Throwable failure(Body body) throws Exception {
    try {
      drain(body).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the publisher completed");
  }

  @Test
  void anInputStreamOfTheDeclaredLengthOrOfUnknownLengthCompletes() throws Exception {
    assertEquals(100_000L, drain(stream(100_000, 100_000)).get(30, TimeUnit.SECONDS));
    assertEquals(100_000L, drain(stream(100_000, -1)).get(30, TimeUnit.SECONDS));
  }

  @Test
  void anInputStreamShorterOrLongerThanDeclaredFailsWithABodySourceException() throws Exception {
    assertInstanceOf(BodySourceException.class, failure(stream(99_999, 100_000)));
    assertInstanceOf(BodySourceException.class, failure(stream(100_001, 100_000)));
  }
}
