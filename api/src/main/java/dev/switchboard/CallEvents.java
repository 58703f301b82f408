package dev.switchboard;

import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The events of one call on their way to the transport's {@link EventListener} (and the wire log):
 * one at a time, none of an attempt after that attempt's end, none after the call's end, and
 * nothing a listener throws let back into the call. A call with no listener and the wire log off
 * gets {@link #OFF}, which does nothing.
 */
final class CallEvents extends CallEvent {
  static final System.Logger LOG = System.getLogger("dev.switchboard");

  /** No listener: every event returns at once. */
  static final CallEvents OFF = new CallEvents();

  private final EventListener listener;
  private boolean ended;

  private CallEvents() {
    super(null);
    this.listener = null;
  }

  private CallEvents(EventListener listener, Call call) {
    super(call);
    this.listener = listener;
  }

  /**
   * The events of {@code call}, or {@link #OFF}. Made in the call's constructor: reads only its
   * layer, request and start, which are set before.
   */
  static CallEvents of(Call call) {
    Layer layer = call.layer;
    EventListener user = layer.config.eventListener();
    boolean log = LOG.isLoggable(Level.DEBUG);
    if (user == null && !log) {
      return OFF;
    }
    EventListener l =
        !log ? user : user == null ? layer.wireLog : new EventFanOut(List.of(layer.wireLog, user));
    return new CallEvents(l, call);
  }

  synchronized void callStart() {
    if (listener == null) {
      return;
    }
    try {
      listener.callStart(this);
    } catch (Throwable t) {
      listenerFailed("callStart", t);
    }
  }

  /**
   * A new attempt with {@code wire} ({@code reason} unless it is the call's first): told to the
   * listener, which may add headers; returns the attempt, whose {@link AttemptEvent#request()} is
   * then what goes to the engine ({@code null} when events are off).
   */
  synchronized AttemptEvent attemptStart(Request wire, AttemptEvent.Reason reason) {
    if (listener == null || ended) {
      return null;
    }
    int number = nextAttempt();
    AttemptEvent.Reason why = number == 1 ? AttemptEvent.Reason.INITIAL : reason;
    AttemptEvent a = new AttemptEvent(this, number, why, wire, System.nanoTime());
    try {
      listener.attemptStart(a);
    } catch (Throwable t) {
      listenerFailed("attemptStart", t);
    }
    a.started();
    return a;
  }

  synchronized void connectionAcquired(AttemptEvent a, boolean reused) {
    if (a == null || ended || a.isOver()) {
      return;
    }
    try {
      listener.connectionAcquired(a, reused);
    } catch (Throwable t) {
      listenerFailed("connectionAcquired", t);
    }
  }

  synchronized void requestSent(AttemptEvent a) {
    if (a == null || ended || a.isOver()) {
      return;
    }
    try {
      listener.requestSent(a);
    } catch (Throwable t) {
      listenerFailed("requestSent", t);
    }
  }

  synchronized void responseHeaders(AttemptEvent a, int status, Headers headers) {
    if (a == null || ended || a.isOver()) {
      return;
    }
    try {
      listener.responseHeaders(a, status, headers);
    } catch (Throwable t) {
      listenerFailed("responseHeaders", t);
    }
  }

  synchronized void responseBodyEnd(AttemptEvent a, long bytes) {
    if (a == null || ended || !a.end()) {
      return;
    }
    try {
      listener.responseBodyEnd(a, bytes);
    } catch (Throwable t) {
      listenerFailed("responseBodyEnd", t);
    }
  }

  synchronized void attemptFailed(AttemptEvent a, TransportException failure) {
    if (a == null || ended || !a.end()) {
      return;
    }
    try {
      listener.attemptFailed(a, failure);
    } catch (Throwable t) {
      listenerFailed("attemptFailed", t);
    }
  }

  synchronized void callEnd(int status) {
    if (listener == null || ended) {
      return;
    }
    ended = true;
    try {
      listener.callEnd(this, status);
    } catch (Throwable t) {
      listenerFailed("callEnd", t);
    }
  }

  synchronized void callFailed(TransportException failure) {
    if (listener == null || ended) {
      return;
    }
    ended = true;
    try {
      listener.callFailed(this, failure);
    } catch (Throwable t) {
      listenerFailed("callFailed", t);
    }
  }

  private void listenerFailed(String event, Throwable t) {
    if (t instanceof VirtualMachineError e) {
      throw e;
    }
    Layer layer = call.layer;
    Level level = layer.listenerWarned.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
    if (LOG.isLoggable(level)) {
      LOG.log(
          level,
          "the event listener of the "
              + layer.name
              + " transport threw from "
              + event
              + " for "
              + request().summary()
              + "; the call goes on as if it had returned"
              + (level == Level.WARNING ? " (later failures are logged at DEBUG)" : ""),
          t);
    }
  }
}
