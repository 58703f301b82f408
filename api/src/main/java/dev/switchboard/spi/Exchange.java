package dev.switchboard.spi;

/** One exchange started by a {@link TransportEngine}. */
@FunctionalInterface
public interface Exchange {
  /**
   * Aborts the exchange: the library call is cancelled and its connection closed (or returned to
   * the pool clean). Idempotent, non-blocking, callable from any thread, also after the exchange
   * ended. After it the engine may still report a failure to the listener; it is ignored.
   */
  void abort();
}
