package dev.switchboard;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Retries failed calls where that is safe, as an {@link Interceptor}: add it with {@link
 * TransportConfig.Builder#interceptor(Interceptor)}. Transports themselves never retry.
 *
 * <p>A failed attempt is retried only when
 *
 * <ul>
 *   <li>nothing of it reached the server ({@link TransportException#requestSent()} is {@code
 *       false}: connection refused, connect timeout), whatever the method; or
 *   <li>the method is idempotent ({@link Request#isIdempotent()}) and the server answered a
 *       retryable status (by default 429, 502, 503, 504), or closed a reused keep-alive connection
 *       before any byte of the response ({@link StaleConnectionException}, RFC 9112 section 9.3.1).
 * </ul>
 *
 * TLS failures, unsupported features, a closed transport, the request timeout and cancellation are
 * never retried, and neither is a request whose body can be sent only once ({@link
 * Body#ofPublisher}): its first failure stands, with a suppressed exception saying why. At most
 * {@link #maxAttempts()} attempts are made. Between attempts it waits with exponential backoff and
 * full jitter: a uniformly random time in {@code [0, min(maxDelay, baseDelay·2^(retry−1))]}; on 429
 * and 503 a {@code Retry-After} (seconds or HTTP-date) replaces that wait. It never waits past the
 * call's request timeout: when the next attempt could not start before it, the last failure is
 * thrown at once. Each earlier failure is attached to the one finally thrown as a suppressed
 * exception.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class RetryPolicy implements Interceptor {
  /** Waits, without blocking a thread. */
  interface Sleeper {
    CompletableFuture<Void> sleep(Duration delay);
  }

  private static final Sleeper TIMER_SLEEPER =
      delay -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Timers.schedule(() -> f.complete(null), delay.toNanos());
        return f;
      };

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Set<Integer> retryStatuses;
  private final boolean honourRetryAfter;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private final Clock clock;

  private RetryPolicy(Builder b, Sleeper sleeper, DoubleSupplier random, Clock clock) {
    this.maxAttempts = b.maxAttempts;
    this.baseDelay = b.baseDelay;
    this.maxDelay = b.maxDelay;
    this.retryStatuses = Set.copyOf(b.retryStatuses);
    this.honourRetryAfter = b.honourRetryAfter;
    this.sleeper = sleeper;
    this.random = random;
    this.clock = clock;
  }

  /** The default policy: 3 attempts, 100 ms base, 10 s cap, statuses 429/502/503/504. */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The most attempts made for one call, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The backoff of the first retry, before jitter. */
  public Duration baseDelay() {
    return baseDelay;
  }

  /** The largest backoff, before jitter. */
  public Duration maxDelay() {
    return maxDelay;
  }

  /** The statuses retried for idempotent methods. */
  public Set<Integer> retryStatuses() {
    return retryStatuses;
  }

  @Override
  public CompletableFuture<Response> intercept(Chain chain) {
    return attempt(chain, chain.request(), 1, new ArrayList<>());
  }

  private CompletableFuture<Response> attempt(
      Chain chain, Request request, int attempt, List<Throwable> earlier) {
    CompletableFuture<Response> f;
    try {
      f = chain.proceed(request);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.handle(
            (response, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(response);
              }
              Throwable failure = TransportException.unwrap(error);
              Optional<Duration> wait = nextDelay(request, failure, attempt, chain.timeLeft());
              if (wait.isPresent() && !request.body().isRepeatable()) {
                failure.addSuppressed(notRetried(request, chain.transport()));
                wait = Optional.empty();
              }
              if (wait.isEmpty()) {
                earlier.forEach(
                    e -> {
                      if (e != failure) {
                        failure.addSuppressed(e);
                      }
                    });
                return CompletableFuture.<Response>failedFuture(failure);
              }
              earlier.add(failure);
              return sleeper
                  .sleep(wait.get())
                  .thenCompose(v -> attempt(chain, request, attempt + 1, earlier));
            })
        .thenCompose(x -> x);
  }

  /** Why a failure that could be retried was not: its body can be sent only once. */
  private static TransportException notRetried(Request request, String transport) {
    return new TransportException(
        "not retried: the request body comes from "
            + request.body().describe()
            + ", which can be sent only once; use Body.ofFile or Body.ofInputStream for a body"
            + " that can be retried",
        request,
        transport,
        false,
        null);
  }

  /**
   * The wait before retrying after {@code failure} of attempt number {@code attempt}, or empty when
   * it must not be retried.
   */
  Optional<Duration> nextDelay(
      Request request, Throwable failure, int attempt, Optional<Duration> timeLeft) {
    if (attempt >= maxAttempts || !isRetryable(request, failure)) {
      return Optional.empty();
    }
    Duration wait = null;
    if (honourRetryAfter && failure instanceof HttpStatusException hse) {
      int s = hse.status();
      if (s == 429 || s == 503) {
        wait = RetryAfter.parse(hse.response().header("Retry-After"), clock).orElse(null);
      }
    }
    if (wait == null) {
      wait = backoff(attempt);
    }
    if (timeLeft.isPresent() && wait.compareTo(timeLeft.get()) >= 0) {
      return Optional.empty(); // the next attempt could not start before the deadline
    }
    return Optional.of(wait);
  }

  /** Full jitter: uniform in [0, min(maxDelay, baseDelay·2^(retry−1))]. */
  Duration backoff(int retry) {
    long base = baseDelay.toNanos();
    long cap = maxDelay.toNanos();
    int shift = Math.min(retry - 1, 62);
    long exp = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
    return Duration.ofNanos((long) (random.getAsDouble() * exp));
  }

  /** Whether retrying {@code request} after {@code failure} is safe and useful. */
  boolean isRetryable(Request request, Throwable failure) {
    if (!(failure instanceof TransportException te)) {
      return false; // cancellation, or a bug in user code
    }
    if (te instanceof TlsException
        || te instanceof ProxyAuthenticationException // the same credentials get the same answer
        || te instanceof ConnectionPoolTimeoutException // a retry would only lengthen the queue
        || te instanceof UnsupportedFeatureException
        || te instanceof RequestTimeoutException
        || te instanceof DecodeException
        || te instanceof ResponseTooLargeException) {
      return false;
    }
    if (te instanceof HttpStatusException hse) {
      return request.isIdempotent() && retryStatuses.contains(hse.status());
    }
    if (te instanceof StaleConnectionException) {
      return request.isIdempotent();
    }
    if (!te.requestSent()) {
      return te instanceof ConnectionException || te instanceof ConnectTimeoutException;
    }
    return false;
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts="
        + maxAttempts
        + ", baseDelay="
        + baseDelay
        + ", maxDelay="
        + maxDelay
        + ", retryStatuses="
        + retryStatuses
        + "]";
  }

  /** Builds a {@link RetryPolicy}; not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration baseDelay = Duration.ofMillis(100);
    private Duration maxDelay = Duration.ofSeconds(10);
    private Set<Integer> retryStatuses = Set.of(429, 502, 503, 504);
    private boolean honourRetryAfter = true;

    private Builder() {}

    /** The most attempts for one call, the first included (at least 1). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The backoff of the first retry, before jitter (positive). */
    public Builder baseDelay(Duration delay) {
      this.baseDelay = TransportConfig.positive("baseDelay", delay);
      return this;
    }

    /** The largest backoff, before jitter (positive). */
    public Builder maxDelay(Duration delay) {
      this.maxDelay = TransportConfig.positive("maxDelay", delay);
      return this;
    }

    /** The statuses retried for idempotent methods. */
    public Builder retryStatuses(Set<Integer> statuses) {
      for (int s : statuses) {
        if (s < 400 || s > 599) {
          throw new IllegalArgumentException("retryStatuses: " + s + " is not an error status");
        }
      }
      this.retryStatuses = Set.copyOf(statuses);
      return this;
    }

    /** Whether a {@code Retry-After} on 429 and 503 replaces the backoff (default true). */
    public Builder honourRetryAfter(boolean honour) {
      this.honourRetryAfter = honour;
      return this;
    }

    /** Returns the policy. */
    public RetryPolicy build() {
      if (baseDelay.compareTo(maxDelay) > 0) {
        throw new IllegalArgumentException(
            "baseDelay (" + baseDelay + ") is larger than maxDelay (" + maxDelay + ")");
      }
      return new RetryPolicy(
          this, TIMER_SLEEPER, () -> ThreadLocalRandom.current().nextDouble(), Clock.systemUTC());
    }

    RetryPolicy build(Sleeper sleeper, DoubleSupplier random, Clock clock) {
      build();
      return new RetryPolicy(
          this,
          Objects.requireNonNull(sleeper),
          Objects.requireNonNull(random),
          Objects.requireNonNull(clock));
    }
  }
}
