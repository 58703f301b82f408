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
}
