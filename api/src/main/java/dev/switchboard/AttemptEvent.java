package dev.switchboard;

import java.util.Objects;

/**
 * One attempt of a call, as its {@link EventListener} sees it: its number, why it was made, and the
 * request exactly as it goes to the engine (after interceptors, redirects, GET-body mode and header
 * defaults). The same object comes with every event of the attempt.
 */
public final class AttemptEvent {
  // where the attempt is, in the low bits of {@code bits}
  private static final int STARTING = 0; // inside attemptStart: setHeader allowed
  private static final int STARTED = 1; // its request has gone to the engine
  private static final int ENDED = 2; // its body's end or its failure was told
  private static final int PHASE = 3;
  private static final int REASON_SHIFT = 2;
  private static final int NUMBER_SHIFT = 5; // three bits of reason
  private static final Reason[] REASONS = Reason.values();

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
    STALE_CONNECTION,
    /**
     * The request went again with a fresh bearer token after a {@code 401} ({@link
     * Credentials#bearer}).
     */
    AUTHENTICATION
  }

  private final CallEvent call;
  private final long startNanos;
  private volatile Request request;
  // number << NUMBER_SHIFT | reason << REASON_SHIFT | phase: one field, so that an attempt costs a
  // listener 32 bytes; the phase changes under the call's event lock
  private volatile int bits;

  AttemptEvent(CallEvent call, int number, Reason reason, Request request, long startNanos) {
    this.call = call;
    this.bits = number << NUMBER_SHIFT | reason.ordinal() << REASON_SHIFT | STARTING;
    this.request = request;
    this.startNanos = startNanos;
  }

  /** The call this attempt belongs to. */
  public CallEvent call() {
    return call;
  }

  /** 1 for the call's first attempt, then 2, 3… in the order they started. */
  public int number() {
    return bits >>> NUMBER_SHIFT;
  }

  /** Why this attempt was made. */
  public Reason reason() {
    return REASONS[(bits >>> REASON_SHIFT) & 7];
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
    if ((bits & PHASE) != STARTING) {
      throw new IllegalStateException(
          "setHeader is for EventListener.attemptStart only; the request of attempt "
              + number()
              + " has gone to the engine");
    }
    Headers headers = request.headers().toBuilder().set(name, value).build();
    request = request.with(request.method(), headers);
  }

  /** Ends {@code attemptStart}: the request with the headers it set, if any. */
  synchronized Request started() {
    to(STARTED);
    return request;
  }

  /**
   * Marks the attempt over (its body's end or its failure was told); returns whether it was still
   * running. Under the call's event lock.
   */
  boolean end() {
    boolean running = !isOver();
    to(ENDED);
    return running;
  }

  /** Whether the attempt's end has been told. Under the call's event lock. */
  boolean isOver() {
    return (bits & PHASE) == ENDED;
  }

  private void to(int phase) {
    bits = bits & ~PHASE | phase;
  }

  @Override
  public String toString() {
    return "Attempt[" + number() + ", " + reason() + ", " + request.summary() + "]";
  }
}
