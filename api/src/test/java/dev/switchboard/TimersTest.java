package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class TimersTest {
  private static final long MS = 1_000_000L;

  @Test
  void aTimerRunsAfterItsDelayNotBefore() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    long start = System.nanoTime();
    long[] at = new long[1];
    Timers.schedule(
        () -> {
          at[0] = System.nanoTime();
          ran.countDown();
        },
        50 * MS);
    assertTrue(ran.await(5, TimeUnit.SECONDS));
    assertTrue(at[0] - start >= 50 * MS, "ran after " + (at[0] - start) / MS + " ms");
  }

  @Test
  void aCancelledTimerNeverRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    // due in 300 ms, not 30: the cancel on the next line must come first even on a loaded machine
    Timers.Timer t = Timers.schedule(runs::incrementAndGet, 300 * MS);
    assertTrue(t.cancel());
    assertFalse(t.cancel(), "a second cancel reports it was already disarmed");
    CountDownLatch later = new CountDownLatch(1);
    Timers.schedule(later::countDown, 600 * MS); // due after it, on the same thread
    assertTrue(later.await(5, TimeUnit.SECONDS));
    assertEquals(0, runs.get());
  }

  @Test
  void aSoonerTimerArmedAfterALaterOneWakesTheThreadAndRunsFirst() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch both = new CountDownLatch(2);
    Timers.Timer late =
        Timers.schedule(
            () -> {
              order.add("late");
              both.countDown();
            },
            30_000 * MS);
    long start = System.nanoTime();
    CountDownLatch soon = new CountDownLatch(1);
    Timers.schedule(
        () -> {
          order.add("soon");
          soon.countDown();
          both.countDown();
        },
        20 * MS);
    // the thread, asleep for 30 s, was woken: the bound is wide for a loaded machine
    assertTrue(soon.await(10, TimeUnit.SECONDS), "the thread, asleep for 30 s, was not woken");
    long took = (System.nanoTime() - start) / MS;
    assertTrue(took < 10_000, "a 20 ms timer ran after " + took + " ms");
    assertEquals(List.of("soon"), order);
    late.cancel();
  }

  @Test
  void cancelledTimersAreLetGoWithoutWaitingForTheirDeadlines() throws Exception {
    List<Timers.Timer> timers = new ArrayList<>();
    for (int i = 0; i < Timers.SWEEP_AFTER_CANCELS * 2; i++) {
      timers.add(Timers.schedule(() -> {}, 600_000 * MS)); // ten minutes away
    }
    timers.forEach(Timers.Timer::cancel);
    long end = System.nanoTime() + 5_000 * MS;
    while (Timers.pending() > Timers.SWEEP_AFTER_CANCELS && System.nanoTime() < end) {
      Thread.sleep(10);
    }
    assertTrue(
        Timers.pending() <= Timers.SWEEP_AFTER_CANCELS,
        "still held: " + Timers.pending() + " of " + timers.size() + " cancelled timers");
  }

  @Test
  void timersArmedWhileTheThreadSweepsUnderChurnStillRunOnTime() throws Exception {
    // Two threads arm and cancel long timers in bursts (a sweep every few ms); short timers armed
    // meanwhile, some during a sweep, must each run near their deadline. The bursts pause for
    // 0.1 ms: two threads arming without a pause can outrun the timer thread on a loaded 2-core
    // machine, and then one sweep lasts seconds (seen: a 5 ms timer after 2 s), which is not what
    // this test is about.
    AtomicInteger stop = new AtomicInteger();
    List<Thread> churn = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Thread t =
          new Thread(
              () -> {
                while (stop.get() == 0) {
                  for (int n = 0; n < 256; n++) {
                    Timers.schedule(() -> {}, 30_000 * MS).cancel();
                  }
                  LockSupport.parkNanos(100_000);
                }
              });
      t.start();
      churn.add(t);
    }
    try {
      for (int i = 0; i < 50; i++) {
        long start = System.nanoTime();
        long[] at = new long[1];
        CountDownLatch ran = new CountDownLatch(1);
        Timers.schedule(
            () -> {
              at[0] = System.nanoTime();
              ran.countDown();
            },
            5 * MS);
        assertTrue(ran.await(5, TimeUnit.SECONDS), "timer " + i + " never ran");
        long late = (at[0] - start) / MS;
        // a timer missed by a sweep waits for the next one (a long timer is 30 s away)
        assertTrue(late >= 5 && late < 3_000, "timer " + i + " ran after " + late + " ms");
      }
    } finally {
      stop.set(1);
      for (Thread t : churn) {
        t.join();
      }
    }
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheOthers() throws Exception {
    CountDownLatch after = new CountDownLatch(1);
    Thread.UncaughtExceptionHandler quiet = (t, e) -> {};
    Timers.schedule(
        () -> {
          Thread.currentThread().setUncaughtExceptionHandler(quiet);
          throw new IllegalStateException("boom");
        },
        0);
    Timers.schedule(after::countDown, 30 * MS);
    assertTrue(after.await(5, TimeUnit.SECONDS));
  }
}
