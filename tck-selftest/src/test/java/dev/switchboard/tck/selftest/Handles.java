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
