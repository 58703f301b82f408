package dev.switchboard.tck.selftest;

import dev.switchboard.spi.Exchange;
import java.util.function.Supplier;

/** Exchange handles for the broken engines: demand goes to the exchange they wrap. */
final class Handles {
  private Handles() {}

  /**
   * A handle whose demand goes to {@code demandTo} (when it gives one) and whose abort runs {@code
   * abort}.
   */
  static Exchange of(Supplier<Exchange> demandTo, Runnable abort) {
    return new Exchange() {
      @Override
      public void request(long n) {
        Exchange e = demandTo.get();
        // the api asks for the body at the headers, which may come before the wrapper has stored
        // the handle start() returned: wait for it a moment rather than drop the demand
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (e == null && System.nanoTime() < deadline) {
          Thread.yield();
          e = demandTo.get();
        }
        if (e != null) {
          e.request(n);
        }
      }

      @Override
      public void abort() {
        abort.run();
      }
    };
  }

  /**
   * A handle that drops the api's demand on purpose (an engine that reads ahead on its own, or
   * delivers from a socket it reads itself) and whose abort runs {@code abort}. Unlike {@link #of},
   * it never waits for an exchange to give the demand to: waiting there held up the engine's thread
   * that called it for 2 s per chunk.
   */
  static Exchange dropsDemand(Runnable abort) {
    return new Exchange() {
      @Override
      public void request(long n) {}

      @Override
      public void abort() {
        abort.run();
      }
    };
  }

  /**
   * The handle of an exchange that is started later, or again (a queued start, a resend of its
   * own): demand that comes while no exchange is set is kept and given to the next one, since the
   * api may ask for the body as soon as the headers arrive, before {@code start} has returned.
   */
  static final class Slot implements Exchange {
    private volatile Runnable beforeAbort = () -> {};
    private Exchange current;
    private long pending;
    private boolean aborted;

    /** Runs {@code r} first when the api aborts; returns this. */
    Slot onAbort(Runnable r) {
      this.beforeAbort = r;
      return this;
    }

    /** Starts the next exchange with {@code start}, keeping demand that comes meanwhile. */
    void replace(java.util.function.Supplier<Exchange> start) {
      clear();
      set(start.get());
    }

    /** No exchange until the next {@link #set}: demand is kept meanwhile. */
    synchronized void clear() {
      current = null;
    }

    /** {@code e} is the exchange now; it gets the demand kept, or the abort that came. */
    void set(Exchange e) {
      long n;
      boolean abort;
      synchronized (this) {
        current = e;
        n = pending;
        pending = 0;
        abort = aborted;
      }
      if (abort) {
        e.abort();
      } else if (n > 0) {
        e.request(n);
      }
    }

    synchronized Exchange current() {
      return current;
    }

    @Override
    public void request(long n) {
      Exchange e;
      synchronized (this) {
        e = current;
        if (e == null) {
          pending = pending + n < 0 ? Long.MAX_VALUE : pending + n;
          return;
        }
      }
      e.request(n);
    }

    @Override
    public void abort() {
      beforeAbort.run();
      Exchange e;
      synchronized (this) {
        aborted = true;
        e = current;
      }
      if (e != null) {
        e.abort();
      }
    }
  }
}
