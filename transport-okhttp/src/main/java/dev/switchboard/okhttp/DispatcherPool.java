package dev.switchboard.okhttp;

import java.util.ArrayDeque;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the engine's OkHttp {@code Dispatcher}: a pool that starts a thread whenever all
 * are busy (OkHttp's own limits decide how many calls run) and ends idle ones after 60 s.
 *
 * <p>Each task OkHttp gives it is one call, run to its end: the request, the response, the
 * callback, then {@code Dispatcher.finished}, which releases the call's slot of the per-host and
 * total limits (the connection went back to the pool when the body was read). A completion handed
 * to {@link #runAfterCall} during that task runs on the same thread right after it: no other thread
 * to wake up, and by then the thread holds nothing a call in flight could wait for; if the
 * completion blocks, the next call gets another thread.
 *
 * <p>Not while the call's response body may still wait for demand ({@link
 * OkHttpExchange#mayWaitForDemand()}): the thread then stays in the call until the consumer reads
 * or closes the body, and a completion lent to it would never run if it is what gives the consumer
 * the body (the future of {@code Transport.stream} completes at the headers). Such a completion
 * goes to the callback executor instead. Once demand is unbounded (a buffered {@code send}), or the
 * body has ended, nothing but the server is waited for, as before.
 */
final class DispatcherPool extends ThreadPoolExecutor {
  private static final AtomicInteger POOLS = new AtomicInteger();

  DispatcherPool() {
    this(POOLS.incrementAndGet(), new AtomicInteger());
  }

  private DispatcherPool(int pool, AtomicInteger threads) {
    super(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>());
    setThreadFactory(
        r ->
            new Worker(
                this,
                r,
                "switchboard-okhttp-" + pool + "-dispatcher-" + threads.incrementAndGet()));
  }

  /**
   * Takes {@code task} to run on this thread once the call it is running has ended; false, without
   * running it, on any other thread (another pool's, or this pool's between calls).
   */
  boolean runAfterCall(Runnable task) {
    if (Thread.currentThread() instanceof Worker w
        && w.pool == this
        && w.inCall
        && (w.reading == null || !w.reading.mayWaitForDemand())) {
      w.lend(task);
      return true;
    }
    return false;
  }

  /**
   * Marks the exchange whose response this thread reads ({@code null}: none any more); nothing on a
   * thread that is not a dispatcher thread.
   */
  static void reading(OkHttpExchange exchange) {
    if (Thread.currentThread() instanceof Worker w) {
      w.reading = exchange;
    }
  }

  @Override
  protected void beforeExecute(Thread t, Runnable r) {
    ((Worker) t).inCall = true;
  }

  @Override
  protected void afterExecute(Runnable r, Throwable t) {
    ((Worker) Thread.currentThread()).afterCall();
  }

  /** A dispatcher thread, with the completions lent to it during its current call. */
  private static final class Worker extends Thread {
    final DispatcherPool pool;
    boolean inCall; // only read and written by this thread
    OkHttpExchange reading; // only read and written by this thread
    private Runnable lent; // the usual single completion, without a queue
    private ArrayDeque<Runnable> more;

    Worker(DispatcherPool pool, Runnable r, String name) {
      super(r, name);
      this.pool = pool;
      setDaemon(true);
    }

    void lend(Runnable task) {
      if (lent == null) {
        lent = task;
      } else {
        if (more == null) {
          more = new ArrayDeque<>();
        }
        more.add(task);
      }
    }

    /** Runs what was lent, in order; each runs even if one before it threw. */
    void afterCall() {
      inCall = false;
      reading = null;
      Runnable task = lent;
      lent = null;
      while (task != null) {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          getUncaughtExceptionHandler().uncaughtException(this, e);
        }
        task = more == null ? null : more.poll();
      }
    }
  }
}
