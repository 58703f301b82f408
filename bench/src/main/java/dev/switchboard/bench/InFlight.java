package dev.switchboard.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * At most {@code max} requests in flight from one benchmark thread, and the first failure among
 * them: what the throughput benchmarks share.
 */
final class InFlight {
  private final int max;
  private final Semaphore slots;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  InFlight(int max) {
    this.max = max;
    this.slots = new Semaphore(max);
  }

  /** Waits for a free slot. */
  void acquire() throws InterruptedException {
    slots.acquire();
  }

  /** The completion callback: frees the slot and keeps a failure that {@code expected} refuses. */
  Client.Done done(Predicate<Throwable> expected) {
    return error -> {
      if (error != null && !expected.test(error)) {
        failure.compareAndSet(null, error);
      }
      slots.release();
    };
  }

  /** Lets the requests in flight end (up to 60 s), then throws the first failure, if any. */
  void drain() throws Exception {
    if (!slots.tryAcquire(max, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still in flight after 60 s");
    }
    slots.release(max);
    Throwable t = failure.getAndSet(null);
    if (t != null) {
      throw new IllegalStateException("a request failed: " + t, t);
    }
  }
}
