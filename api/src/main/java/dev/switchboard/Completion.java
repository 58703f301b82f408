package dev.switchboard;

/**
 * A future's completion, run on a thread marked as a callback thread while it runs (so that user
 * continuations there cannot call {@code execute}, and what they complete in turn runs at once).
 * The owned pool's threads are marked for life; another thread (a waiting {@code execute} caller, a
 * supplied executor's, an engine's lent one) is marked for the task.
 */
abstract class Completion implements Runnable {
  private final ThreadRoles roles;

  Completion(ThreadRoles roles) {
    this.roles = roles;
  }

  abstract void complete();

  @Override
  public final void run() {
    if (!roles.enterCallback()) {
      complete();
      return;
    }
    try {
      complete();
    } finally {
      roles.leaveCallback();
    }
  }

  /** Completes a future with a value, or with {@code error} when that is not null. */
  static final class Settle<T> extends Completion {
    private final java.util.concurrent.CompletableFuture<T> future;
    private final T value;
    private final Throwable error;

    Settle(
        ThreadRoles roles,
        java.util.concurrent.CompletableFuture<T> future,
        T value,
        Throwable error) {
      super(roles);
      this.future = future;
      this.value = value;
      this.error = error;
    }

    @Override
    void complete() {
      if (error == null) {
        future.complete(value);
      } else {
        future.completeExceptionally(error);
      }
    }
  }
}
