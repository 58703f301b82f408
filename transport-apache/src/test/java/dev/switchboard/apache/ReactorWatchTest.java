package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which ends of the client's threads are a breakdown, told once, to whom and when. */
class ReactorWatchTest {
  private final ReactorWatch watch = new ReactorWatch();
  private final List<Throwable> told = new CopyOnWriteArrayList<>();
  private final AtomicInteger shutdowns = new AtomicInteger();
  private final CountDownLatch shutDown = new CountDownLatch(1);

  ReactorWatchTest() {
    watch.shutdownWith(
        () -> {
          shutdowns.incrementAndGet();
          shutDown.countDown();
        });
  }

  /** Named as HC5's event-loop runnable is: the watch knows a loop by that name. */
  private static final class IOReactorWorker implements Runnable {
    private final Runnable body;

    IOReactorWorker(Runnable body) {
      this.body = body;
    }

    @Override
    public void run() {
      body.run();
    }
  }

  private void runOnWatchedThread(Runnable r) throws InterruptedException {
    Thread t = watch.threads("test-io-").newThread(r);
    t.setUncaughtExceptionHandler((th, e) -> {}); // the Error is expected
    assertTrue(t.isDaemon());
    assertTrue(t.getName().startsWith("test-io-"));
    t.start();
    t.join(10_000);
  }

  @Test
  void anErrorOnAThreadIsToldOnceAndShutsTheClientDown() throws Exception {
    watch.onBreakdown(told::add);
    OutOfMemoryError oom = new OutOfMemoryError("simulated");
    runOnWatchedThread(
        new IOReactorWorker(
            () -> {
              throw oom;
            }));
    runOnWatchedThread(new IOReactorWorker(() -> {})); // another loop ends as the client stops
    assertEquals(List.of(oom), told);
    assertTrue(shutDown.await(10, TimeUnit.SECONDS));
    Thread.sleep(100);
    assertEquals(1, shutdowns.get());
  }

  @Test
  void anEventLoopThatEndsQuietlyWhileOpenIsABreakdownNamingItsThread() throws Exception {
    watch.onBreakdown(told::add);
    runOnWatchedThread(new IOReactorWorker(() -> {}));
    assertEquals(1, told.size());
    IllegalStateException e = (IllegalStateException) told.get(0);
    assertTrue(e.getMessage().contains("test-io-1"), e.getMessage());
  }

  @Test
  void anotherThreadThatEndsQuietlyIsNot() throws Exception {
    watch.onBreakdown(told::add);
    runOnWatchedThread(() -> {}); // the thread HC5 starts its loops from
    assertEquals(List.of(), told);
    assertEquals(0, shutdowns.get());
  }

  @Test
  void nothingIsToldOnceTheEngineCloses() throws Exception {
    watch.onBreakdown(told::add);
    watch.closing();
    runOnWatchedThread(
        new IOReactorWorker(
            () -> {
              throw new OutOfMemoryError("while closing");
            }));
    assertEquals(List.of(), told);
    assertEquals(0, shutdowns.get());
  }

  @Test
  void aBreakdownBeforeAnyoneListensIsToldWhenTheyDo() throws Exception {
    StackOverflowError early = new StackOverflowError();
    runOnWatchedThread(
        new IOReactorWorker(
            () -> {
              throw early;
            }));
    assertTrue(shutDown.await(10, TimeUnit.SECONDS));
    assertEquals(List.of(), told); // nobody listened yet
    watch.onBreakdown(told::add);
    assertEquals(1, told.size());
    assertSame(early, told.get(0));
  }
}
