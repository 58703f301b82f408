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
  private Runnable next; // the one task a call usually hands in; more wait in {@code later}
  private ArrayDeque<Runnable> later;
  private boolean released;

  CallerRuns(Executor fallback) {
    this.fallback = fallback;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (!released) {
        if (next == null) {
          next = task;
        } else {
          if (later == null) {
            later = new ArrayDeque<>(4);
          }
          later.add(task);
        }
        wakeOwner();
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
    // the future may also complete on another thread with no task handed in (a cancel): wake then
    done.whenComplete((r, e) -> wakeOwner());
    try {
      while (true) {
        Runnable task;
        synchronized (this) {
          task = poll();
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
      while (true) {
        Runnable task;
        synchronized (this) {
          released = true; // from here on execute() hands tasks to the fallback itself
          task = poll();
        }
        if (task == null) {
          break;
        }
        fallback.execute(task);
      }
    }
  }

  /**
   * Wakes the owner, unless this is the owner: it is not parked then, and a wake-up would be left
   * pending and cut short its next wait.
   */
  private void wakeOwner() {
    if (Thread.currentThread() != owner) {
      LockSupport.unpark(owner);
    }
  }

  /** The oldest task handed in, or null; under the lock. */
  private Runnable poll() {
    Runnable task = next;
    if (task != null) {
      next = later == null ? null : later.poll();
    }
    return task;
  }
}
