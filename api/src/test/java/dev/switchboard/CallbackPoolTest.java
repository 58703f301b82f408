package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallbackPoolTest {
  private final Set<Thread> started = ConcurrentHashMap.newKeySet();
  private CallbackPool pool =
      new CallbackPool("test-callback-", () -> started.add(Thread.currentThread()));

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdown();
    assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS), "threads left: " + pool.threads());
  }

  @Test
  void everyTaskHandedOverFromManyThreadsRunsExactlyOnce() throws Exception {
    int senders = 8;
    int each = 5_000;
    AtomicInteger[] runs = new AtomicInteger[senders * each];
    for (int i = 0; i < runs.length; i++) {
      runs[i] = new AtomicInteger();
    }
    CountDownLatch done = new CountDownLatch(runs.length);
    Thread[] threads = new Thread[senders];
    for (int s = 0; s < senders; s++) {
      int first = s * each;
      threads[s] =
          new Thread(
              () -> {
                for (int i = first; i < first + each; i++) {
                  AtomicInteger counter = runs[i];
                  pool.execute(
                      () -> {
                        counter.incrementAndGet();
                        done.countDown();
                      });
                }
              });
      threads[s].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(done.await(10, TimeUnit.SECONDS), "tasks not run: " + done.getCount());
    for (int i = 0; i < runs.length; i++) {
      assertEquals(1, runs[i].get(), "task " + i);
    }
    for (Thread t : started) {
      assertTrue(t.getName().startsWith("test-callback-"), t.getName());
      assertTrue(t.isDaemon(), t.getName());
    }
  }

  @Test
  void aTaskBlockingDoesNotHoldUpOneHandedOverAfterIt() throws Exception {
    CountDownLatch blocking = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    pool.execute(
        () -> {
          blocking.countDown();
          await(release);
        });
    assertTrue(blocking.await(5, TimeUnit.SECONDS));
    CountDownLatch later = new CountDownLatch(1);
    long start = System.nanoTime();
    pool.execute(later::countDown);
    assertTrue(later.await(5, TimeUnit.SECONDS), "the second task waited for the first");
    // the stall watch looks every millisecond; the bound is wide for a loaded machine, and still
    // below the 5 s the first task would hold it up
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < 3000, "the second task ran after " + millis + " ms");
    release.countDown();
  }

  /**
   * Tasks handed over in one burst may all be taken by one thread: when the first of them blocks,
   * the stall watch gives the others another thread.
   */
  @Test
  void tasksQueuedBehindABlockingOneInTheSameBurstRunSoonAnyway() throws Exception {
    for (int round = 0; round < 20; round++) {
      CountDownLatch others = new CountDownLatch(50);
      CountDownLatch release = new CountDownLatch(1);
      long start = System.nanoTime();
      pool.execute(() -> await(release)); // blocks until all the others have run
      for (int i = 0; i < 50; i++) {
        pool.execute(others::countDown);
      }
      boolean ran = others.await(5, TimeUnit.SECONDS);
      release.countDown();
      assertTrue(ran, "round " + round + ": tasks left behind the blocking one: " + others);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 3000, "round " + round + ": " + millis + " ms"); // loaded machine
    }
  }

  /** Every one of them blocks until all are running: each must get a thread of its own. */
  @Test
  void tasksThatAllBlockHandedOverAtOnceAllRunAtOnce() throws Exception {
    int n = 32;
    CountDownLatch running = new CountDownLatch(n);
    AtomicInteger together = new AtomicInteger();
    CountDownLatch ended = new CountDownLatch(n);
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      pool.execute(
          () -> {
            running.countDown();
            try {
              if (running.await(5, TimeUnit.SECONDS)) {
                together.incrementAndGet();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ended.countDown();
          });
    }
    assertTrue(ended.await(10, TimeUnit.SECONDS));
    assertEquals(n, together.get(), "tasks that waited for others to return before they ran");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // wide for a loaded machine (32 threads to start); below the 5 s a task waits for the others
    assertTrue(millis < 4000, n + " blocking tasks took " + millis + " ms to all run");
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheNext() throws Exception {
    Thread.UncaughtExceptionHandler quiet = (t, e) -> {};
    CountDownLatch next = new CountDownLatch(1);
    pool.execute(
        () -> {
          Thread.currentThread().setUncaughtExceptionHandler(quiet);
          throw new IllegalStateException("a continuation's bug");
        });
    pool.execute(next::countDown);
    assertTrue(next.await(5, TimeUnit.SECONDS));
  }

  @Test
  void idleThreadsEndAndANewTaskStartsOneAgain() throws Exception {
    pool = new CallbackPool("test-callback-", () -> {}, TimeUnit.MILLISECONDS.toNanos(100));
    CountDownLatch ran = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      pool.execute(ran::countDown);
    }
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (pool.threads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, pool.threads(), "threads idle for 100 ms should have ended");
    CountDownLatch again = new CountDownLatch(1);
    pool.execute(again::countDown);
    assertTrue(again.await(5, TimeUnit.SECONDS));
  }

  @Test
  void shutdownRunsWhatIsQueuedRefusesNewTasksAndEndsTheThreads() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch queued = new CountDownLatch(20);
    pool.execute(() -> await(release));
    for (int i = 0; i < 20; i++) {
      pool.execute(queued::countDown);
    }
    pool.shutdown();
    RejectedExecutionException refused =
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> {}));
    assertTrue(refused.getMessage().contains("shut down"), refused.getMessage());
    assertTrue(queued.await(5, TimeUnit.SECONDS), "queued tasks left: " + queued.getCount());
    assertFalse(pool.awaitTermination(50, TimeUnit.MILLISECONDS), "a task is still blocked");
    release.countDown();
    assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
    assertEquals(0, pool.threads());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
