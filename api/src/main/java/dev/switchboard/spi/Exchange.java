package dev.switchboard.spi;

/**
 * One exchange started by a {@link TransportEngine}: the handle through which Switchboard asks for
 * the response body and stops the exchange.
 *
 * <h2>Demand</h2>
 *
 * The response body flows only against demand, as in {@link java.util.concurrent.Flow}: the engine
 * makes no more {@link ExchangeListener#onBody} calls than the sum of the {@code n} passed to
 * {@link #request} so far, and none before the first {@code request}. {@code
 * request(Long.MAX_VALUE)} (or a sum that reaches it) means "as fast as it comes" (a buffered
 * {@code send} asks that at once). While no demand is outstanding the engine stops reading from the
 * connection, so that TCP flow control holds the server back: a library buffer it has already
 * filled may be kept, nothing more. {@link ExchangeListener#onComplete} and the {@code onFailure}
 * methods need no demand.
 *
 * <p>Switchboard asks for the body only after {@link ExchangeListener#onResponseHeaders} (a
 * buffered {@code send} at once, with {@code Long.MAX_VALUE}; a stream with a few units at a time,
 * as its consumer takes bytes). An engine whose library pushes bytes (an event loop) keeps at most
 * what it already read when demand ran out and tells the library to stop reading (HC5's {@code
 * CapacityChannel}, a {@code Flow.Subscription} it does not {@code request} from); an engine that
 * pulls on a thread of its own (a blocking {@code InputStream} or {@code Source}) waits for demand
 * before its next read, and wakes on {@link #request} and on {@link #abort}.
 */
public interface Exchange {
  /**
   * Allows {@code n} more {@link ExchangeListener#onBody} calls ({@code n > 0}). Non-blocking,
   * callable from any thread, before or after the headers, and from inside a listener call. The
   * engine may deliver what it allows on its own thread or on the caller's, but never inside a
   * listener call that is still running on this thread and never concurrently with another listener
   * call. Ignored once the exchange has ended.
   */
  void request(long n);

  /**
   * Aborts the exchange: the library call is cancelled, its connection closed (or returned to the
   * pool clean), and any stream or subscription of the request body the engine opened is closed or
   * cancelled, so that no thread stays blocked on it. Idempotent, non-blocking, callable from any
   * thread, also after the exchange ended. After it the engine may still report a failure to the
   * listener; it is ignored.
   */
  void abort();
}
