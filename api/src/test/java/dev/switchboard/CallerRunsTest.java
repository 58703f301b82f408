package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
  void aWaitEndedElsewhereWakesTheWaiter() throws Exception {
    CompletableFuture<Void> cancelled = new CompletableFuture<>();
    AtomicReferenceArray<CallerRuns> runsOf = new AtomicReferenceArray<>(1);
    CountDownLatch returned = new CountDownLatch(1);
    Thread waiter =
        new Thread(
            () -> {
              CallerRuns here = new CallerRuns(Runnable::run);
              runsOf.set(0, here);
              try {
                here.runUntilDone(cancelled);
                returned.countDown();
              } catch (InterruptedException e) {
                // the cleanup below: the wait was never ended by the cancel
              }
            });
    waiter.setDaemon(true);
    waiter.start();
    try {
      // cancel only once the waiter is parked in its wait, so that only a wake-up can end it
      awaitParkedIn(waiter, runsOf, 0);
      cancelled.cancel(false); // no task handed in: only the future tells
      assertTrue(
          returned.await(10, TimeUnit.SECONDS),
          "a cancel on another thread did not wake the waiter");
    } finally {
      waiter.interrupt();
      waiter.join(10_000);
    }
  }

  /**
   * The waiting thread must not wake itself: a call whose last task runs on the waiting thread and
   * ends the call there (hands in one more task, completes the future) leaves no wake-up pending,
   * or the next call's wait parks twice, the first time returning at once on the stale permit.
   *
   * <p>{@code LockSupport} promises no exact count (a park may return for no reason, and an unpark
   * racing with a park may leave a permit), so this counts the owner's parks over many calls, each
   * ended by a task handed in only once the owner is parked in it: one park per call, with a wide
   * margin for such rare extra returns; a waiter that wakes itself parks twice per call.
   */
  @Test
  void aCallEndedOnTheWaitingThreadLeavesNoWakeUpForItsNextCall() throws Exception {
    int calls = 200;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Thread owner = Thread.currentThread();
    // call i's CallerRuns: the helper waits for the owner to park in this one (an unparked owner
    // may still show as parked in the call before for a while)
    AtomicReferenceArray<CallerRuns> runsOf = new AtomicReferenceArray<>(calls + 1);
    AtomicReference<Throwable> helperFailed = new AtomicReference<>();
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < calls + 1; i++) {
      done.add(new CompletableFuture<>());
    }
    Thread io =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < calls + 1; i++) {
                  CallerRuns runs = awaitParkedIn(owner, runsOf, i);
                  CompletableFuture<Void> call = done.get(i);
                  // runs on the owner: hands in the call's last task, which completes the future
                  runs.execute(() -> runs.execute(() -> call.complete(null)));
                }
              } catch (Throwable e) {
                helperFailed.set(e);
                owner.interrupt();
              }
            });
    io.setDaemon(true);
    io.start();
    try {
      runOneCall(runsOf, 0, done.get(0)); // warms up the classes the calls load
      long parksBefore = parksOf(threads, owner);
      for (int i = 1; i < calls + 1; i++) {
        runOneCall(runsOf, i, done.get(i));
      }
      long parks = parksOf(threads, owner) - parksBefore;
      assertTrue(
          parks >= calls,
          "the waits were not counted as parks (" + parks + " over " + calls + " calls)");
      assertTrue(
          parks <= calls + calls / 4,
          "the waiting thread woke itself: "
              + parks
              + " parks over "
              + calls
              + " calls, each ended by one wake-up from elsewhere");
    } finally {
      io.interrupt();
      io.join(10_000);
      if (helperFailed.get() != null) {
        throw new AssertionError("the helper thread failed", helperFailed.get());
      }
    }
  }

  private static void runOneCall(
      AtomicReferenceArray<CallerRuns> runsOf, int i, CompletableFuture<Void> call)
      throws Exception {
    CallerRuns runs = new CallerRuns(Runnable::run);
    runsOf.set(i, runs);
    runs.runUntilDone(call);
    assertTrue(call.isDone());
  }

  /** How many times {@code thread} parked or waited so far, as the JVM counts it. */
  private static long parksOf(ThreadMXBean threads, Thread thread) {
    return threads.getThreadInfo(thread.getId()).getWaitedCount();
  }

  /**
   * Waits (up to 10 s) until {@code thread} is parked with call {@code i}'s {@link CallerRuns} as
   * its blocker, and returns that.
   */
  private static CallerRuns awaitParkedIn(
      Thread thread, AtomicReferenceArray<CallerRuns> runsOf, int i) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      CallerRuns expected = runsOf.get(i);
      if (expected != null
          && LockSupport.getBlocker(thread) == expected
          && thread.getState() == Thread.State.WAITING) {
        return expected;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the thread never parked in its wait: " + thread.getState());
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      Thread.onSpinWait();
      Thread.yield();
    }
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
