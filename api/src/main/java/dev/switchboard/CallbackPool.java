package dev.switchboard;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The default callback executor of a transport: daemon threads that take completions from one
 * queue, so that a completion handed over while a thread is awake and between tasks wakes nobody.
 *
 * <p><b>Why not a cached thread pool.</b> A cached pool hands each task to an idle thread through a
 * {@code SynchronousQueue}: one thread woken (or started) per task, i.e. one wake-up per request on
 * the thread that completes it — for Apache's I/O reactor, a futex call and a context switch per
 * response, which on 2 cores cost it 6-13 % of its throughput. Here a thread that is awake and not
 * running a task ("free") takes every task queued meanwhile; a thread is woken only when a task
 * comes and none is free. Under load one wake-up serves many completions.
 *
 * <p><b>A task that blocks.</b> A task handed over while no thread is free waits for a thread that
 * started its task less than 50 µs before (it most likely ends soon, and looks at the queue before
 * it parks); otherwise it wakes an idle thread or starts one. So a task that blocks holds up only
 * the tasks handed over in its first 50 µs or queued behind it when it started, and only until the
 * stall watch sees them — armed whenever a task is left waiting that way, it looks every {@value
 * #STALL_MILLIS} ms while tasks are queued and wakes another thread when none is free: a blocking
 * task delays another completion by about {@value #STALL_MILLIS} ms at most. Tasks that run long
 * keep their threads; the next ones get others, so long continuations run in parallel.
 *
 * <p>Threads idle for 30 s end. After {@link #shutdown()} new tasks are refused and the threads end
 * once the queue is empty.
 */
final class CallbackPool implements Executor {
  static final long STALL_MILLIS = 1;
  private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS);
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** A task started this recently is taken to end soon: a task queued meanwhile waits for it. */
  private static final long BUSY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

  private final long idleNanos;
  private final String threadNamePrefix;
  private final Runnable onThreadStart;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>(); // parked
  private final AtomicInteger free = new AtomicInteger(); // awake, or woken, and not in a task
  private final AtomicInteger running = new AtomicInteger(); // threads in a task
  private volatile long lastTaskStart; // System.nanoTime() when a thread last started a task
  private final AtomicBoolean watchArmed = new AtomicBoolean();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger started = new AtomicInteger();
  private volatile boolean shutdown;

  /**
   * @param threadNamePrefix threads are named this followed by a number from 1
   * @param onThreadStart run first on each new thread, before any task
   */
  CallbackPool(String threadNamePrefix, Runnable onThreadStart) {
    this(threadNamePrefix, onThreadStart, IDLE_NANOS);
  }

  /** As above, with threads ending after {@code idleNanos} without a task (tests). */
  CallbackPool(String threadNamePrefix, Runnable onThreadStart, long idleNanos) {
    this.threadNamePrefix = threadNamePrefix;
    this.onThreadStart = onThreadStart;
    this.idleNanos = idleNanos;
  }

  /** The threads alive now (tests). */
  int threads() {
    return threads.size();
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (shutdown) {
      throw new RejectedExecutionException("the transport's callback threads are shut down");
    }
    tasks.offer(task);
    if (shutdown && tasks.remove(task)) { // the threads may have ended after the check above
      throw new RejectedExecutionException("the transport's callback threads are shut down");
    }
    if (free.get() == 0) {
      if (running.get() > 0 && System.nanoTime() - lastTaskStart < BUSY_NANOS) {
        // A thread started a task a moment ago: most likely a short one, after which it takes
        // this task without anyone woken (it looks at the queue before it parks, and this task
        // was queued before it counted itself free). If it is blocked, the watch moves the task.
        armWatch();
      } else {
        wake();
      }
    }
  }

  /** Refuses new tasks; the threads end once the queued ones have run. */
  void shutdown() {
    shutdown = true;
    for (Worker w; (w = idle.pollFirst()) != null; ) {
      free.incrementAndGet();
      w.signal();
    }
  }

  /** Waits up to {@code timeout} for every thread to end; false if one is still running. */
  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (Thread t : List.copyOf(threads)) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left > 0) {
        t.join(left);
      }
    }
    return threads.isEmpty();
  }

  /** Makes one more thread free: the idle one that ran last, else a new one. */
  private void wake() {
    free.incrementAndGet();
    Worker w = idle.pollFirst();
    if (w != null) {
      w.signal();
      return;
    }
    Worker worker = new Worker();
    Thread t = new Thread(worker, threadNamePrefix + started.incrementAndGet());
    t.setDaemon(true);
    worker.thread = t;
    threads.add(t);
    try {
      t.start();
    } catch (RuntimeException | Error e) { // no thread to be had: the tasks wait for another
      threads.remove(t);
      free.decrementAndGet();
      throw e;
    }
  }

  /** Someone has to look at the queue again soon: tasks wait for a thread that is in a task. */
  private void armWatch() {
    if (!watchArmed.get() && watchArmed.compareAndSet(false, true)) {
      Timers.schedule(this::checkStalls, STALL_NANOS);
    }
  }

  /** On the timer thread: tasks still queued and no thread free means one thread is held up. */
  private void checkStalls() {
    // Set before the look at the queue: a thread that queues behind a task from here on arms the
    // watch again, unless this look sees its tasks (both sides are atomic: one sees the other).
    watchArmed.set(false);
    if (tasks.isEmpty()) {
      return;
    }
    if (free.get() == 0) {
      wake();
    }
    armWatch();
  }

  private final class Worker implements Runnable {
    Thread thread;
    private volatile boolean signalled;

    void signal() {
      signalled = true;
      LockSupport.unpark(thread);
    }

    @Override
    public void run() {
      try {
        onThreadStart.run();
        // free was counted for this thread by wake()
        do {
          for (Runnable task; (task = tasks.poll()) != null; ) {
            running.incrementAndGet();
            lastTaskStart = System.nanoTime();
            // more tasks wait behind this one, which might block, and no free thread will take
            // them: the watch looks again soon (a free thread would take them, or arm it itself)
            if (free.decrementAndGet() == 0 && tasks.peek() != null) {
              armWatch();
            }
            Timers.runTask(task);
            running.decrementAndGet();
            free.incrementAndGet();
          }
        } while (awaitWork());
      } finally {
        threads.remove(thread);
      }
    }

    /** Parks until woken; false when this thread ends (idle for too long, or shut down). */
    private boolean awaitWork() {
      idle.addFirst(this);
      free.decrementAndGet();
      // A task queued before free dropped did not wake anyone: it is seen here. A task queued
      // after it finds no free thread and wakes one (maybe this one).
      if (!tasks.isEmpty() || shutdown) {
        if (idle.remove(this)) {
          if (!tasks.isEmpty()) {
            free.incrementAndGet();
            return true;
          }
          return false; // shut down and nothing left
        }
        // taken off the idle list by a waker, which counted this thread free: wait for its signal
      }
      long deadline = System.nanoTime() + idleNanos;
      boolean mayEnd = true;
      while (!signalled) {
        long left = deadline - System.nanoTime();
        if (left <= 0 && mayEnd) {
          if (idle.remove(this)) {
            return false; // idle for too long
          }
          mayEnd = false; // a waker took this thread off the list just now: its signal is coming
        }
        if (mayEnd) {
          LockSupport.parkNanos(this, left);
        } else {
          LockSupport.park(this);
        }
      }
      signalled = false;
      return true;
    }
  }
}
