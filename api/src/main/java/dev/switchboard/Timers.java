package dev.switchboard;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The one timer thread behind every deadline, response timeout and retry delay. Its tasks only
 * abort exchanges and hand work on, so one daemon thread serves every transport.
 *
 * <p>Made for timers that are almost always cancelled (a request deadline is armed and disarmed by
 * every call that has one; response timeouts share one timer per transport, armed for the earliest
 * of them): arming is a lock-free append, cancelling only marks the timer, and the thread sleeps
 * until the earliest deadline it knows of. It is woken only by a timer due sooner than that, or
 * when {@value #SWEEP_AFTER_CANCELS} cancelled timers are waiting to be let go; so the common case
 * costs neither a lock nor a thread wake-up, where a {@code ScheduledThreadPoolExecutor} takes its
 * lock twice and wakes its thread whenever the new timer becomes the earliest.
 */
final class Timers {
  static final int SWEEP_AFTER_CANCELS = 4096;

  /** One armed task; {@link #cancel()} disarms it. */
  static final class Timer {
    private static final AtomicReferenceFieldUpdater<Timer, Runnable> TASK =
        AtomicReferenceFieldUpdater.newUpdater(Timer.class, Runnable.class, "task");

    final long deadline;
    private volatile Runnable task;

    private Timer(long deadline, Runnable task) {
      this.deadline = deadline;
      this.task = task;
    }

    /** Disarms the timer; returns whether it had neither run nor been cancelled yet. */
    boolean cancel() {
      if (TASK.getAndSet(this, null) == null) {
        return false;
      }
      if (CANCELLED.incrementAndGet() == SWEEP_AFTER_CANCELS) {
        LockSupport.unpark(THREAD);
      }
      return true;
    }

    private Runnable claim() {
      return TASK.getAndSet(this, null);
    }
  }

  private static final long ORIGIN = System.nanoTime();
  private static final ConcurrentLinkedQueue<Timer> PENDING = new ConcurrentLinkedQueue<>();
  private static final AtomicLong EARLIEST = new AtomicLong(Long.MAX_VALUE);
  private static final AtomicInteger CANCELLED = new AtomicInteger();
  private static final Thread THREAD;

  static {
    THREAD = new Thread(Timers::loop, "switchboard-timer");
    THREAD.setDaemon(true);
    THREAD.setContextClassLoader(null);
    THREAD.start();
  }

  private Timers() {}

  /** Runs {@code task} on the timer thread after {@code nanos}, unless cancelled first. */
  static Timer schedule(Runnable task, long nanos) {
    Timer timer = new Timer(now() + Math.min(Math.max(0, nanos), Long.MAX_VALUE / 4), task);
    PENDING.add(timer);
    long earliest = EARLIEST.get();
    while (timer.deadline < earliest) {
      if (EARLIEST.compareAndSet(earliest, timer.deadline)) {
        LockSupport.unpark(THREAD);
        break;
      }
      earliest = EARLIEST.get();
    }
    return timer;
  }

  /** Timers armed and not yet let go by the thread (cancelled ones included until a sweep). */
  static int pending() {
    return PENDING.size();
  }

  /** Nanoseconds since this class was loaded: positive and increasing, so compared directly. */
  static long now() {
    return System.nanoTime() - ORIGIN;
  }

  private static void loop() {
    while (true) {
      // EARLIEST is the earliest deadline of any live timer: the last sweep's earliest, lowered by
      // every timer armed since. A wake-up with nothing due (a timer armed during a sweep unparks
      // the thread, though it is almost always due later than that) goes back to sleep without
      // going over the whole queue again.
      long earliest = EARLIEST.get();
      if (earliest > now() && CANCELLED.get() < SWEEP_AFTER_CANCELS) {
        park(earliest);
        continue;
      }
      // From here on, a new timer of any deadline unparks the thread: none can be missed.
      EARLIEST.set(Long.MAX_VALUE);
      CANCELLED.set(0);
      long now = now();
      long next = Long.MAX_VALUE;
      // The sweep ends at a mark queued now: a timer armed after it has lowered EARLIEST itself,
      // so threads that keep arming cannot keep the sweep (and the timers due) waiting.
      Timer mark = new Timer(Long.MAX_VALUE, null);
      PENDING.add(mark);
      for (Iterator<Timer> it = PENDING.iterator(); it.hasNext(); ) {
        Timer timer = it.next();
        if (timer == mark) {
          it.remove();
          break;
        }
        if (timer.task == null) {
          it.remove(); // cancelled
        } else if (timer.deadline <= now) {
          it.remove();
          Runnable task = timer.claim();
          if (task != null) {
            runTask(task);
          }
        } else {
          next = Math.min(next, timer.deadline);
        }
      }
      park(EARLIEST.accumulateAndGet(next, Math::min));
    }
  }

  private static void park(long until) {
    if (until == Long.MAX_VALUE) {
      LockSupport.park(Timers.class);
    } else {
      LockSupport.parkNanos(Timers.class, until - now());
    }
  }

  /**
   * Runs {@code task} on the calling thread; what it throws goes to the thread's uncaught-exception
   * handler, and the thread goes on with its next task (the timer thread, a callback thread).
   */
  static void runTask(Runnable task) {
    try {
      task.run();
    } catch (Throwable e) { // a timer task of ours never throws; a continuation may
      Thread t = Thread.currentThread();
      t.getUncaughtExceptionHandler().uncaughtException(t, e);
    }
  }
}
