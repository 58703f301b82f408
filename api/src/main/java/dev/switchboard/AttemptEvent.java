package dev.switchboard;

import java.util.Objects;

/**
 * One attempt of a call, as its {@link EventListener} sees it: its number, why it was made, and the
 * request exactly as it goes to the engine (after interceptors, redirects, GET-body mode and header
 * defaults). The same object comes with every event of the attempt.
 */
public final class AttemptEvent {
  private static final Headers.Builder STARTED = Headers.builder();
  private static final Headers.Builder ENDED = Headers.builder();

  /** Why an attempt was made. */
  public enum Reason {
    /** The call's first send. */
    INITIAL,
    /** An interceptor proceeded again after an earlier attempt ({@link RetryPolicy}, say). */
    RETRY,
    /** A redirect was followed ({@link TransportConfig#followRedirects()}). */
    REDIRECT,
    /**
     * The request went again on a new connection because a pooled one was stale ({@link
     * TransportConfig#retryStaleConnections()}).
     */
    STALE_CONNECTION
  }

  private final CallEvent call;
  private final int number;
  private final Reason reason;
  private final long startNanos;
  private volatile Request request;
  // headers set during attemptStart; STARTED once it has returned, ENDED once the attempt has
  private Headers.Builder added;

  AttemptEvent(CallEvent call, int number, Reason reason, Request request, long startNanos) {
    this.call = call;
    this.number = number;
    this.reason = reason;
    this.request = request;
    this.startNanos = startNanos;
  }

  /** The call this attempt belongs to. */
  public CallEvent call() {
    return call;
  }

  /** 1 for the call's first attempt, then 2, 3… in the order they started. */
  public int number() {
    return number;
  }

  /** Why this attempt was made. */
  public Reason reason() {
    return reason;
  }

  /** The request as it goes to the engine, with any header set by {@link #setHeader}. */
  public Request request() {
    return request;
  }

  /** {@link System#nanoTime()} when the attempt started. */
  public long startNanos() {
    return startNanos;
  }

  /**
   * Sets a header on the request this attempt sends (a {@code traceparent}, say), replacing any of
   * that name. Only inside {@link EventListener#attemptStart}.
   *
   * @throws IllegalStateException after {@code attemptStart} has returned
   * @throws IllegalArgumentException when the name or value is not one HTTP can carry
   */
  public synchronized void setHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (added == STARTED || added == ENDED) {
      throw new IllegalStateException(
          "setHeader is for EventListener.attemptStart only; the request of attempt "
              + number
              + " has gone to the engine");
    }
    if (added == null) {
      added = Headers.builder();
    }
    added.set(name, value);
  }

  /** Ends {@code attemptStart}: the request with the headers it set, if any. */
  synchronized Request started() {
    Headers.Builder set = added;
    added = STARTED;
    if (set != null) {
      Headers.Builder h = request.headers().toBuilder();
      Headers extra = set.build();
      for (int i = 0; i < extra.size(); i++) {
        h.set(extra.name(i), extra.value(i));
      }
      request = request.with(request.method(), h.build());
    }
    return request;
  }

  /**
   * Marks the attempt over (its body's end or its failure was told); returns whether it was still
   * running. Under the call's event lock.
   */
  boolean end() {
    boolean running = added != ENDED;
    added = ENDED;
    return running;
  }

  /** Whether the attempt's end has been told. Under the call's event lock. */
  boolean isOver() {
    return added == ENDED;
  }

  @Override
  public String toString() {
    return "Attempt[" + number + ", " + reason + ", " + request.summary() + "]";
  }
}
