package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** RetryPolicy with a fake sleeper and clock: nothing here sleeps. */
class RetryPolicyTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final List<Duration> slept = new ArrayList<>();
  private final RetryPolicy.Sleeper sleeper =
      d -> {
        slept.add(d);
        return CompletableFuture.completedFuture(null);
      };

  private RetryPolicy policy(RetryPolicy.Builder b, double random) {
    return b.build(sleeper, () -> random, CLOCK);
  }

  /** A chain whose attempts answer from {@code answers} in turn. */
  private static final class ScriptedChain implements Interceptor.Chain {
    final Request request;
    final Function<Integer, CompletableFuture<Response>> answers;
    Optional<Duration> timeLeft = Optional.empty();
    int attempts;

    ScriptedChain(Request request, Function<Integer, CompletableFuture<Response>> answers) {
      this.request = request;
      this.answers = answers;
    }

    @Override
    public Request request() {
      return request;
    }

    @Override
    public CompletableFuture<Response> proceed(Request r) {
      return answers.apply(++attempts);
    }

    @Override
    public String transport() {
      return "fake";
    }

    @Override
    public Optional<Duration> timeLeft() {
      return timeLeft;
    }
  }

  private static final Request GET = Request.get("http://127.0.0.1/");
  private static final Request POST = Request.post("http://127.0.0.1/", Body.of("x", "text/plain"));

  private static CompletableFuture<Response> status(Request r, int status, String... headers) {
    Response resp = Response.builder(r, status).headers(Headers.of(headers)).transport("t").build();
    return CompletableFuture.failedFuture(HttpStatusException.of(resp));
  }

  private static CompletableFuture<Response> refused(Request r) {
    return CompletableFuture.failedFuture(new ConnectionException("refused", r, "t", null));
  }

  private static CompletableFuture<Response> ok(Request r) {
    return CompletableFuture.completedFuture(Response.builder(r, 200).build());
  }

  @Test
  void backoffIsFullJitterUnderAnExponentialCap() {
    RetryPolicy max =
        policy(
            RetryPolicy.builder().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)),
            0.999999);
    assertTrue(max.backoff(1).toMillis() <= 100 && max.backoff(1).toMillis() >= 99);
    assertTrue(max.backoff(2).toMillis() >= 199 && max.backoff(2).toMillis() <= 200);
    assertTrue(max.backoff(4).toMillis() >= 799 && max.backoff(4).toMillis() <= 800);
    assertTrue(max.backoff(5).toMillis() >= 999 && max.backoff(5).toMillis() <= 1000);
    assertEquals(1000, max.backoff(60).toMillis(), 1.0);
    RetryPolicy min = policy(RetryPolicy.builder(), 0.0);
    assertEquals(Duration.ZERO, min.backoff(3));
  }

  @Test
  void aRequestThatNeverReachedTheServerIsRetriedWhateverTheMethod() {
    ScriptedChain chain = new ScriptedChain(POST, n -> n < 3 ? refused(POST) : ok(POST));
    Response r = policy(RetryPolicy.builder(), 0.5).intercept(chain).join();
    assertEquals(200, r.status());
    assertEquals(3, chain.attempts);
    assertEquals(2, slept.size());
  }

  @Test
  void aRetryableStatusIsRetriedOnlyForIdempotentMethods() {
    ScriptedChain get = new ScriptedChain(GET, n -> n < 2 ? status(GET, 502) : ok(GET));
    assertEquals(200, policy(RetryPolicy.builder(), 0.5).intercept(get).join().status());
    assertEquals(2, get.attempts);

    ScriptedChain post = new ScriptedChain(POST, n -> status(POST, 503));
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> policy(RetryPolicy.builder(), 0.5).intercept(post).join());
    assertInstanceOf(ServerErrorException.class, e.getCause());
    assertEquals(1, post.attempts);
  }

  @Test
  void aBodyThatCanBeSentOnlyOnceIsNeverRetriedAndTheFirstFailureSaysWhy() {
    Request put =
        Request.builder("PUT", java.net.URI.create("http://127.0.0.1/"))
            .body(Body.ofPublisher(s -> {}, 1, "text/plain"))
            .build();
    ScriptedChain busy = new ScriptedChain(put, n -> status(put, 503));
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> policy(RetryPolicy.builder(), 0.5).intercept(busy).join());
    assertInstanceOf(ServerErrorException.class, e.getCause(), "the first failure stands");
    assertEquals(1, busy.attempts);
    assertEquals(1, e.getCause().getSuppressed().length);
    assertTrue(
        e.getCause().getSuppressed()[0].getMessage().contains("can be sent only once"),
        e.getCause().getSuppressed()[0].getMessage());
    ScriptedChain refusedOnce = new ScriptedChain(put, n -> refused(put));
    assertThrows(
        CompletionException.class,
        () -> policy(RetryPolicy.builder(), 0.5).intercept(refusedOnce).join());
    assertEquals(1, refusedOnce.attempts, "not even when nothing reached the server");
  }

  @Test
  void whatIsNeverRetried() {
    RetryPolicy p = policy(RetryPolicy.builder(), 0.5);
    assertFalse(p.isRetryable(GET, new TlsException("bad cert", GET, "t", null)));
    assertFalse(p.isRetryable(GET, new UnsupportedFeatureException("no", GET, "t")));
    assertFalse(
        p.isRetryable(
            GET, new RequestTimeoutException(Duration.ofSeconds(1), GET, "t", false, null)));
    assertFalse(
        p.isRetryable(POST, new ResponseTimeoutException(Duration.ofSeconds(1), POST, "t", null)));
    assertFalse(p.isRetryable(POST, new MalformedResponseException("reset", POST, "t", null)));
    assertFalse(p.isRetryable(GET, new java.util.concurrent.CancellationException()));
    assertFalse(p.isRetryable(GET, HttpStatusException.of(Response.builder(GET, 404).build())));
    assertTrue(
        p.isRetryable(POST, new ConnectTimeoutException(Duration.ofSeconds(1), POST, "t", null)));
    assertTrue(p.isRetryable(GET, new StaleConnectionException("eof", GET, "t", null)));
    assertFalse(p.isRetryable(POST, new StaleConnectionException("eof", POST, "t", null)));
  }

  @Test
  void attemptsAreBoundedAndEarlierFailuresAreSuppressed() {
    ScriptedChain chain = new ScriptedChain(GET, n -> refused(GET));
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> policy(RetryPolicy.builder().maxAttempts(4), 0.5).intercept(chain).join());
    assertEquals(4, chain.attempts);
    assertEquals(3, e.getCause().getSuppressed().length);
  }

  @Test
  void retryAfterInSecondsOrAsADateReplacesTheBackoff() {
    ScriptedChain seconds =
        new ScriptedChain(GET, n -> n == 1 ? status(GET, 429, "Retry-After", "2") : ok(GET));
    policy(RetryPolicy.builder(), 0.5).intercept(seconds).join();
    ScriptedChain date =
        new ScriptedChain(
            GET,
            n ->
                n == 1
                    ? status(GET, 503, "Retry-After", "Thu, 01 Jan 2026 00:00:05 GMT")
                    : ok(GET));
    policy(RetryPolicy.builder(), 0.5).intercept(date).join();
    assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(5)), slept);
  }

  @Test
  void neverWaitsPastTheRequestTimeout() {
    ScriptedChain chain =
        new ScriptedChain(GET, n -> n == 1 ? status(GET, 503, "Retry-After", "30") : ok(GET));
    chain.timeLeft = Optional.of(Duration.ofSeconds(5));
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> policy(RetryPolicy.builder(), 0.5).intercept(chain).join());
    assertInstanceOf(ServerErrorException.class, e.getCause());
    assertEquals(1, chain.attempts);
    assertTrue(slept.isEmpty());
  }

  @Test
  void builderRefusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RetryPolicy.builder()
                .baseDelay(Duration.ofSeconds(5))
                .maxDelay(Duration.ofSeconds(1))
                .build());
    assertThrows(
        IllegalArgumentException.class,
        () -> RetryPolicy.builder().retryStatuses(java.util.Set.of(200)));
  }
}
