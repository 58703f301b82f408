package dev.switchboard;

import java.util.List;
import java.util.Objects;

/**
 * Told of what each call on a transport does, the same events in the same order whatever engine
 * sits underneath; set with {@link TransportConfig.Builder#eventListener}. Every method has an
 * empty default: override the ones you need.
 *
 * <p><b>Order.</b> For each call: {@link #callStart}, then for each attempt (the first send, and
 * every send the call makes again: {@link AttemptEvent.Reason}) {@link #attemptStart}, then {@link
 * #connectionAcquired} (only on transports with {@link Capability#CONNECTION_EVENTS}), {@link
 * #requestSent}, {@link #responseHeaders} and {@link #responseBodyEnd} as far as the attempt got,
 * or {@link #attemptFailed} where it stopped; last exactly one of {@link #callEnd} or {@link
 * #callFailed}. Nothing of an attempt comes after its {@code responseBodyEnd} or {@code
 * attemptFailed}, and nothing of a call after its end. A redirect or a retry is a new attempt of
 * the same call; the attempt before it ended with its response ({@code responseBodyEnd}) or its
 * failure. {@code requestSent} comes at the latest just before {@code responseHeaders} (not every
 * library tells when the last byte went out). For a streaming call ({@link Transport#stream}),
 * {@code responseBodyEnd} means the whole body has been received, and the call ends when its
 * consumer has read it to the end or closed it: closing it early is an end, not a failure.
 *
 * <p><b>Threads.</b> The events of one call are delivered one at a time, each seeing what the
 * earlier ones did, but on whatever thread the event happened: the caller's, a callback thread, or
 * the library's I/O thread. So a listener must be quick and must never block; events of different
 * calls come concurrently. A call's end ({@link #callEnd}, {@link #callFailed}) is told on the
 * thread that completes the call, once the future is complete: it may come just after the caller
 * has its answer (a continuation, or a thread waiting in {@code join}, may run first). {@link
 * Transport#close()} tells every end still pending before it returns.
 *
 * <p><b>Failures.</b> Nothing a listener throws reaches the call: the exception is logged (at
 * WARNING the first time per transport, at DEBUG after that) and the call goes on as if the
 * listener had returned. Per-call state belongs in the call: {@link CallEvent#put}/{@link
 * CallEvent#get}.
 *
 * <p>Implementations must be thread-safe. With no listener (and the wire log off) a call carries no
 * event machinery at all.
 */
public interface EventListener {
  /**
   * A call was started by {@code send}, {@code stream} or their blocking forms; before its first
   * interceptor runs.
   */
  default void callStart(CallEvent call) {}

  /**
   * An attempt is about to go to the engine, with its request as prepared for the wire ({@link
   * AttemptEvent#request()}); the listener may add headers to it here ({@link
   * AttemptEvent#setHeader}).
   */
  default void attemptStart(AttemptEvent attempt) {}

  /**
   * The attempt has a connection: a new one, or one {@code reused} from the pool. Only on
   * transports with {@link Capability#CONNECTION_EVENTS}.
   */
  default void connectionAcquired(AttemptEvent attempt, boolean reused) {}

  /** The attempt's request (head and body) has been written. */
  default void requestSent(AttemptEvent attempt) {}

  /** The attempt's response head arrived (any status, before it is mapped to an exception). */
  default void responseHeaders(AttemptEvent attempt, int status, Headers headers) {}

  /**
   * The attempt's response body has been received whole: {@code bytes} as they came on the wire
   * (before decoding).
   */
  default void responseBodyEnd(AttemptEvent attempt, long bytes) {}

  /**
   * The attempt ended without a whole response: {@code failure} is what ended it (the call may go
   * on with another attempt).
   */
  default void attemptFailed(AttemptEvent attempt, TransportException failure) {}

  /**
   * The call ended with a response of {@code status} its caller accepted (for a stream: its body
   * was read to the end or closed).
   */
  default void callEnd(CallEvent call, int status) {}

  /**
   * The call failed with {@code failure}, the exception its caller gets (an error status is one:
   * {@link HttpStatusException}).
   */
  default void callFailed(CallEvent call, TransportException failure) {}

  /**
   * A listener that tells each of {@code listeners} every event, in the order given; one that
   * throws does not keep the event from the others.
   */
  static EventListener all(EventListener... listeners) {
    List<EventListener> list = List.of(listeners);
    list.forEach(l -> Objects.requireNonNull(l, "listener"));
    return list.size() == 1 ? list.get(0) : new EventFanOut(list);
  }
}
