package dev.switchboard.bench;

import dev.switchboard.MalformedResponseException;
import dev.switchboard.TransportException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A window of requests in flight, sent from one benchmark thread: {@link #take()} before sending,
 * {@link #done} hands the place back when the request ends; {@link #drain()} waits until none is
 * left and reports the first failure.
 *
 * <p>One failure is counted instead of stopping the run: through Switchboard, the jdk transport
 * reports an exchange whose pooled connection the JDK itself closed before any response byte (a
 * race in the JDK's pool, see bench/README.md) and that raw {@code HttpClient} resends silently.
 */
final class InFlight {
  private final int size;
  private final Semaphore slots;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong refusedResends = new AtomicLong();
  private final Client.Done done;

  /**
   * @param countRefusedJdkResends whether the requests go through Switchboard's jdk transport,
   *     whose refused resends are counted instead of failing the run
   */
  InFlight(int size, boolean countRefusedJdkResends) {
    this.size = size;
    this.slots = new Semaphore(size);
    this.done =
        error -> {
          if (error != null && countRefusedJdkResends && isRefusedJdkResend(error)) {
            refusedResends.incrementAndGet();
          } else if (error != null) {
            failure.compareAndSet(null, error);
          }
          slots.release();
        };
  }

  private static boolean isRefusedJdkResend(Throwable error) {
    return TransportException.unwrap(error) instanceof MalformedResponseException m
        && m.requestSent();
  }

  /** Waits for a place in the window. */
  void take() throws InterruptedException {
    slots.acquire();
  }

  /** To call when a request ends. */
  Client.Done done() {
    return done;
  }

  /** Waits until every request sent has ended, then throws the first failure, if any. */
  void drain() {
    try {
      if (!slots.tryAcquire(size, 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("requests still in flight after 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the requests in flight", e);
    }
    slots.release(size);
    Throwable t = failure.getAndSet(null);
    if (t != null) {
      throw new IllegalStateException("a request failed: " + t, t);
    }
  }

  /** Prints how many silent JDK resends were counted instead of failing, if any. */
  void reportRefusedResends() {
    long refused = refusedResends.get();
    if (refused > 0) {
      System.out.println(
          "refused JDK resends (the JDK pool race, see bench/README.md): " + refused);
    }
  }
}
