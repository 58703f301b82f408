package dev.switchboard;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * The completion executor of one blocking {@link Transport#execute} call: the thread waiting in
 * {@code execute} runs its own call's completion (decoding, status mapping, interceptor
 * continuations) instead of a callback thread running it and then waking the caller. One thread
 * wake-up per call instead of two, and still never on an I/O thread.
 *
 * <p>Once the caller stops waiting (the call is done, or the caller was interrupted), whatever is
 * still handed in goes to {@code fallback}, so no task is ever dropped.
 */
final class CallerRuns implements Executor {
  private final Thread owner = Thread.currentThread();
  private final Executor fallback;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(4);
  private boolean released;

  CallerRuns(Executor fallback) {
    this.fallback = fallback;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (!released) {
        tasks.add(task);
        LockSupport.unpark(owner);
        return;
      }
    }
    fallback.execute(task);
  }

  /**
   * On the owner's thread: runs the tasks handed in until {@code done} completes, then hands any
   * later task to the fallback executor.
   *
   * @throws InterruptedException when the owner is interrupted while waiting (its interrupt status
   *     is cleared, as {@code Future.get} does)
   */
  void runUntilDone(CompletableFuture<?> done) throws InterruptedException {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("only the thread that created it runs its tasks");
    }
    done.whenComplete((r, e) -> LockSupport.unpark(owner)); // completed elsewhere: wake up too
    try {
      while (true) {
        Runnable task;
        synchronized (this) {
          task = tasks.poll();
        }
        if (task != null) {
          task.run();
        } else if (done.isDone()) {
          return;
        } else {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      }
    } finally {
      ArrayDeque<Runnable> left;
      synchronized (this) {
        released = true;
        left = new ArrayDeque<>(tasks);
        tasks.clear();
      }
      for (Runnable task : left) {
        fallback.execute(task);
      }
    }
  }
}
