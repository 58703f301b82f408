package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class CallerRunsTest {

  @Test
  void tasksHandedInFromOtherThreadsRunOnTheWaitingThreadInOrder() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    Thread owner = Thread.currentThread();
    CallerRuns here = new CallerRuns(task -> ran.add("fallback"));
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread io =
        new Thread(
            () -> {
              for (int i = 0; i < 5; i++) {
                int n = i;
                here.execute(() -> ran.add(n + (Thread.currentThread() == owner ? "" : "!")));
              }
              here.execute(() -> done.complete(null));
            });
    io.start();
    here.runUntilDone(done);
    io.join();
    assertEquals(List.of("0", "1", "2", "3", "4"), ran);
  }

  @Test
  void aWaitEndedElsewhereWakesTheWaiterAndOneEndedHereLeavesNoWakeUpBehind() throws Exception {
    CallerRuns here = new CallerRuns(Runnable::run);
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    Thread canceller =
        new Thread(
            () -> {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
              cancelled.cancel(false); // no task handed in: only the future tells
            });
    canceller.start();
    here.runUntilDone(cancelled); // returns: it would hang if the cancel did not wake it
    canceller.join();

    // A call's last task, handed in by another thread, runs here and hands in one more task and
    // completes the future on this thread: the wait ends with no wake-up left pending, so the
    // next park of this thread (the next call's wait) really waits.
    CallerRuns next = new CallerRuns(Runnable::run);
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread io = new Thread(() -> next.execute(() -> next.execute(() -> done.complete(null))));
    io.start();
    next.runUntilDone(done);
    io.join();
    long start = System.nanoTime();
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(
        waited >= 100, "a wake-up was left pending: the park returned after " + waited + " ms");
  }

  @Test
  void whatComesAfterTheWaitEndsGoesToTheFallbackNeverLost() throws Exception {
    List<Runnable> toFallback = new CopyOnWriteArrayList<>();
    CallerRuns here = new CallerRuns(toFallback::add);
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    here.runUntilDone(done);
    CountDownLatch ran = new CountDownLatch(1);
    here.execute(ran::countDown);
    assertEquals(1, toFallback.size());
    toFallback.get(0).run();
    assertTrue(ran.await(1, TimeUnit.SECONDS));
  }

  @Test
  void tasksLeftWhenTheWaiterIsInterruptedGoToTheFallbackInOrder() {
    List<String> ran = new CopyOnWriteArrayList<>();
    CallerRuns here = new CallerRuns(Runnable::run);
    Thread.currentThread().interrupt();
    here.execute(() -> ran.add("a")); // handed in before the wait: run by the waiter
    assertThrows(
        InterruptedException.class,
        () ->
            here.runUntilDone(
                new CompletableFuture<>() {
                  @Override
                  public boolean isDone() {
                    ran.add("checked");
                    return false;
                  }
                }));
    here.execute(() -> ran.add("b")); // after: the fallback runs it
    assertEquals(List.of("a", "checked", "b"), ran);
  }
}
