package dev.switchboard;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Observes, rewrites or retries exchanges. Interceptors are applied once, in the api layer, in the
 * order of {@link TransportConfig#interceptors()} (the first is the outermost), identically for
 * every transport; redirects, the GET-body mode and status mapping run inside them, so an
 * interceptor sees a status of 400 or more as a failed future carrying an {@link
 * HttpStatusException}.
 *
 * <p>{@link #intercept} runs on the caller's thread for the first attempt and on a callback thread
 * afterwards; it must not block. It may return its own response without calling {@link
 * Chain#proceed}, or call it any number of times (that is how {@link RetryPolicy} works).
 */
@FunctionalInterface
public interface Interceptor {
  /** Handles one call: usually {@code chain.proceed(chain.request())} and something around it. */
  CompletableFuture<Response> intercept(Chain chain);

  /** The rest of the chain, as seen from one interceptor. */
  interface Chain {
    /** The request as it reached this interceptor. */
    Request request();

    /** Passes {@code request} to the next interceptor, or to the transport after the last one. */
    CompletableFuture<Response> proceed(Request request);

    /** The name of the transport underneath. */
    String transport();

    /**
     * Time left before the call's request timeout, or empty when it has none. Nothing started after
     * it passes can succeed.
     */
    Optional<Duration> timeLeft();
  }
}
