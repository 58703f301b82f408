package dev.switchboard.spi;

import dev.switchboard.Capability;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The part of a transport that is specific to one HTTP library: it carries one exchange at a time
 * per {@link #start} call and nothing more. Switchboard wraps every engine in the same layer
 * (interceptors, retries, redirects, GET-body mode, deadlines, User-Agent and compression, status
 * mapping, completion on the callback executor), so that behaviour cannot differ between
 * transports.
 *
 * <h2>What an engine must do</h2>
 *
 * <ul>
 *   <li>Send the request exactly as given: the method token, the URI with its encoding untouched,
 *       every header in order, every byte of the body (whatever the method). Add only the headers
 *       HTTP/1.1 framing requires ({@code Host}, {@code Content-Length} or {@code
 *       Transfer-Encoding}, {@code Connection} where the library insists).
 *   <li>Stream the request body: read it through {@link dev.switchboard.Body#openStream()} (on a
 *       thread the library lets block) or {@link dev.switchboard.Body#publisher()} (demand-driven,
 *       for an event loop), or {@link dev.switchboard.Body#asReadOnlyBuffer()} when {@link
 *       dev.switchboard.Body#isInMemory()}; never copy a streaming body whole into memory. Open it
 *       once per exchange. A {@link dev.switchboard.Body#length()} of 0 or more goes out as {@code
 *       Content-Length} (0 included, for a method that carries a body), -1 as {@code
 *       Transfer-Encoding: chunked}. A failure of the body's source comes out of those views as a
 *       {@link BodySourceException}; keep it in the cause chain of the failure you report.
 *   <li>Deliver the response body only against demand ({@link Exchange#request}): no {@code onBody}
 *       beyond it, and no reading from the connection while none is outstanding, so that a slow
 *       consumer holds the server back instead of filling memory. Switchboard counts the read
 *       timeout only while demand is outstanding. An engine whose library reads blocking may
 *       instead offer the body to the consumer's thread ({@link ExchangeListener#offerBodyReader});
 *       it then delivers through that {@link BodyReader} if Switchboard takes it, on the demand
 *       path otherwise.
 *   <li>Honour {@link ExchangeRequest#connectTimeout()} for this exchange, and the connection
 *       limits, TLS context and HTTP version of the configuration it was created with.
 *   <li>Call the {@link ExchangeListener} in order: {@code onConnectionAcquired} (only when the
 *       engine declares {@link dev.switchboard.Capability#CONNECTION_EVENTS}: once, with whether
 *       the connection came from the pool), {@code onRequestSent} (once the request has been
 *       written, or as soon as the library gives no later hook), {@code onResponseHeaders} once,
 *       {@code onBody} for each chunk, then exactly one of {@code onComplete} or {@code onFailure}.
 *       Calls may come from any thread but never concurrently.
 *   <li>Report every failure of the library as the {@link Fault} it is, with the library's
 *       exception as cause ({@link ExchangeListener#onFailure(Fault, Throwable)}): Switchboard
 *       builds the typed exception, its message and {@code requestSent()}, so that the same failure
 *       reads the same on every transport. Nothing of the library escapes. A body cut short ({@link
 *       Fault#BODY_CUT}), an empty reply ({@link Fault#NO_RESPONSE}) or garbage ({@link
 *       Fault#MALFORMED_HEAD}) is never a partial success. A pooled connection that closed before
 *       any response byte is {@link Fault#STALE_CONNECTION}: Switchboard resends an idempotent
 *       request once on its own, so the engine must not.
 *   <li>Leave the timing of the response to Switchboard: no library timeout other than the connect
 *       timeout may end an exchange (no socket idle timeout, no read or call timeout). The response
 *       and read timeouts and the request deadline are run by the api layer, which aborts the
 *       exchange. The user's events ({@link dev.switchboard.EventListener}) are made by that layer
 *       from these calls, so an engine never calls user code and never needs to know about them.
 *   <li>Accept a response head up to {@link dev.switchboard.TransportConfig#maxResponseHeadBytes()}
 *       (set the library's own limits at or above it); a head the library refuses as too large is
 *       {@link Fault#HEAD_TOO_LARGE}.
 *   <li>Stop the exchange when {@link Exchange#abort()} is called: close the connection or return
 *       it clean; no thread or connection may leak.
 * </ul>
 *
 * <h2>What an engine must not do</h2>
 *
 * <ul>
 *   <li>Retry, on any failure or status (every library's automatic retries are switched off).
 *   <li>Follow redirects, decompress bodies, add {@code User-Agent}, {@code Accept-Encoding} or
 *       {@code Upgrade} headers of its own.
 *   <li>Block in {@link #start}, or run anything else than its own bookkeeping on the threads that
 *       call the listener.
 *   <li>Throw from {@link #start}: failures go to {@link ExchangeListener#onFailure}.
 * </ul>
 *
 * <p>Engines are thread-safe: {@link #start} is called concurrently from any thread.
 */
public interface TransportEngine extends AutoCloseable {
  /** The transport's name ({@code jdk}, {@code apache}, {@code okhttp}). */
  String name();

  /** What this engine can do. */
  Set<Capability> capabilities();

  /**
   * Starts one exchange and returns at once.
   *
   * @param request what to send, with every header the api layer decided on
   * @param listener where the response, or the failure, goes
   * @return a handle that aborts the exchange
   */
  Exchange start(ExchangeRequest request, ExchangeListener listener);

  /**
   * The engine's pool now, for {@link dev.switchboard.Transport#poolStats()}, or {@code null} (the
   * default) when its library does not tell; an engine that answers declares {@link
   * dev.switchboard.Capability#POOL_STATS}.
   */
  default dev.switchboard.PoolStats poolStats() {
    return null;
  }

  /**
   * Offers to run {@code task} on the calling thread once the engine no longer needs that thread:
   * after the library has released the connection of the exchange the thread carried and every slot
   * of the library's limits that exchange held, and before the thread waits for other work. Returns
   * {@code false}, and does not run the task, when the calling thread is not one the engine can
   * lend that way; the api layer then hands the task to the callback executor.
   *
   * <p>The api layer asks only with the default callback executor (a supplied one is always used),
   * with a call's completion whose outcome became known on this thread: it spares the hand-off of
   * every completion to another thread. An engine may accept only on threads that carry one
   * exchange at a time and come from a pool that starts another thread when they are all busy, so
   * that a task that blocks for a second delays nothing else in flight (OkHttp's dispatcher threads
   * are such threads). An event loop's threads are not: an engine with only those keeps this
   * default, which accepts nothing. A task it accepts must run exactly once, even when the engine
   * is closed meanwhile. The api never offers a completion of a stream (its exchange lasts until
   * the consumer has read the body, which that completion starts); an engine must still refuse
   * while the calling thread may wait for demand.
   *
   * @param task the completion to run; it does not throw
   * @return whether the engine took the task
   */
  default boolean runAfterExchange(Runnable task) {
    return false;
  }

  /**
   * Tells the engine where to report that its library stopped working for good while the transport
   * is open: a thread the library cannot run without died (an {@code OutOfMemoryError} on an event
   * loop, say), so that exchanges started from then on would wait for ever. The api layer calls
   * this once, before the first exchange. The engine calls {@code breakdown} at most once, from any
   * thread, with what stopped its library; Switchboard then fails every call in flight and every
   * later one at once with a {@link dev.switchboard.TransportException} whose cause is that
   * failure, until the transport is closed (the engine is closed then, as always). The default
   * reports nothing: an engine whose library has no such thread, or cannot tell, keeps it.
   *
   * @param breakdown where to report the failure that stopped the library
   */
  default void onBreakdown(Consumer<Throwable> breakdown) {}

  /**
   * Releases what the engine owns: pools, I/O threads, executors, cached clients. A library client
   * supplied by the user is left running: the user owns it. Idempotent. Exchanges still in flight
   * have already been aborted by the api layer.
   */
  @Override
  void close();
}
