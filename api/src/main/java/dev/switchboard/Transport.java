package dev.switchboard;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Sends HTTP requests asynchronously through one HTTP library (the transport), with the same
 * behaviour whichever library it is. Get one from {@link Transports#create()}; it is thread-safe
 * and meant to be shared and long-lived; {@link #close()} it when done.
 *
 * <h2>Threads</h2>
 *
 * Futures returned here are completed on the {@linkplain TransportConfig#callbackExecutor()
 * callback executor}, never on an I/O thread: a continuation that blocks holds up nothing else in
 * flight. With the default executor, a transport whose library runs each exchange on a thread of
 * its own from a pool that grows on demand (okhttp) completes the future on that thread once the
 * library is done with the exchange (its connection back in the pool, its place under the limits
 * free): no other thread to wake. The others complete on callback threads owned by the transport,
 * which take completions from one queue: a completion handed over while one of them is between
 * tasks, or has just started one, wakes no thread; the others wake or start one. A completion held
 * up by a continuation that blocks moves to another thread within about a millisecond, and
 * continuations that run long run in parallel.
 *
 * <h2>Errors</h2>
 *
 * Every failure is a {@link TransportException} subtype (see that class for the hierarchy), with
 * the HTTP library's own exception as its cause; a status of 400 or more is an {@link
 * HttpStatusException} unless the request {@linkplain Request.Builder#acceptStatus(int...) accepts}
 * it.
 *
 * <h2>Cancellation</h2>
 *
 * Cancelling a future returned by {@link #send} aborts the exchange (its connection is closed) and
 * the future completes with {@link CancellationException}.
 *
 * <h2>Implementing it</h2>
 *
 * Transport modules never implement this interface: they provide an engine ({@link
 * dev.switchboard.spi.TransportEngine}) and Switchboard wraps it. A decorator (a cluster, a cache)
 * implements {@link #send}, {@link #name}, {@link #capabilities}, {@link #close} and, when it runs
 * callbacks of its own, {@link #isTransportThread}; {@link #execute}, {@link #sendAll} and {@link
 * #sendAllSettled} are built on those with exactly the semantics stated here.
 */
public interface Transport extends AutoCloseable {
  /**
   * Sends {@code request} and returns at once. Never throws: every failure completes the future
   * exceptionally with a {@link TransportException} subtype (or {@link CancellationException} after
   * {@code cancel}).
   */
  CompletableFuture<Response> send(Request request);

  /**
   * Sends {@code request} and waits for the response. Transports made by Switchboard with the
   * default callback executor let the waiting thread itself do its call's completion (decoding,
   * status mapping, interceptors' continuations) rather than waking it from a callback thread; with
   * a {@link TransportConfig.Builder#callbackExecutor supplied executor} that executor does it. In
   * no case does it run on an I/O thread.
   *
   * @throws TransportException the failure itself, never wrapped in a {@code CompletionException}
   * @throws IllegalStateException at once when called on one of this transport's I/O or callback
   *     threads, where waiting could deadlock; compose on {@link #send} there instead
   */
  default Response execute(Request request) {
    return Calls.execute(this, request);
  }

  /**
   * Sends {@code request} and completes when the response headers have arrived, with a {@link
   * StreamingResponse} whose body is read as it comes, never held whole in memory (see that class
   * for back-pressure, decoding and failures). A status of 400 or more that the request does not
   * accept fails the future with the same {@link HttpStatusException} as {@link #send}, its
   * response carrying the start of the body (at most 64 KiB). Interceptors and redirects apply as
   * for {@link #send}; an interceptor sees the response's status and headers, and reading its body
   * there throws {@link IllegalStateException}. Never throws; close the response when done.
   *
   * <p>The default, for decorators that do not stream, fails with {@link
   * UnsupportedFeatureException}; every transport Switchboard makes streams.
   */
  default CompletableFuture<StreamingResponse> stream(Request request) {
    return CompletableFuture.failedFuture(
        new UnsupportedFeatureException(
            "this Transport ("
                + getClass().getName()
                + ") does not stream responses; use send(...), or a transport made by"
                + " Transports.create()",
            request,
            name()));
  }

  /**
   * The blocking form of {@link #stream}: waits for the response headers.
   *
   * @throws TransportException the failure itself, never wrapped
   * @throws IllegalStateException at once on one of this transport's I/O or callback threads
   */
  default StreamingResponse openStream(Request request) {
    Calls.refuseOnTransportThread(this);
    return Calls.await(this, request, stream(request), null);
  }

  /**
   * Sends every request at once. The future completes with the responses in request order, or with
   * the first failure, at which point the requests still in flight are cancelled. Cancelling the
   * returned future cancels them all.
   */
  default CompletableFuture<List<Response>> sendAll(List<Request> requests) {
    return Calls.sendAll(this, requests);
  }

  /**
   * Sends every request at once and completes when all have finished, with each {@link Outcome} in
   * request order; a failure cancels nothing.
   */
  default CompletableFuture<List<Outcome>> sendAllSettled(List<Request> requests) {
    return Calls.sendAllSettled(this, requests);
  }

  /**
   * Whether the current thread is one of this transport's I/O or callback threads, where {@link
   * #execute} throws {@link IllegalStateException} rather than risk a deadlock. Decorators (such as
   * a cluster over another transport) delegate to the transport they wrap. The default is {@code
   * false}.
   */
  default boolean isTransportThread() {
    return false;
  }

  /** The transport's name: {@code jdk}, {@code apache}, {@code okhttp}, or a third party's. */
  String name();

  /**
   * A snapshot of the connection pool, or empty when the transport's library does not tell (it then
   * lacks {@link Capability#POOL_STATS}). Cheap enough to poll for a gauge.
   */
  default java.util.Optional<PoolStats> poolStats() {
    return java.util.Optional.empty();
  }

  /** What this transport can do. */
  Set<Capability> capabilities();

  /**
   * Closes the transport: requests in flight fail with a {@link TransportException}, later sends
   * fail the same way, and the threads and connections it owns are released (a library client or
   * executor supplied by the caller is left to the caller). When it returns, the {@link
   * EventListener} has been told the end of every call whose caller has its answer, so a tracer or
   * meter registry may be flushed or closed after it. Idempotent.
   */
  @Override
  void close();
}
