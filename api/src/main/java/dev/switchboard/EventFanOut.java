package dev.switchboard;

import java.util.List;
import java.util.function.Consumer;

/**
 * {@link EventListener#all}: each event to every listener in order; a listener that throws does not
 * keep the event from the rest, and the first exception is thrown on once all have had it.
 */
final class EventFanOut implements EventListener {
  private final List<EventListener> listeners;

  EventFanOut(List<EventListener> listeners) {
    this.listeners = listeners;
  }

  private void each(Consumer<EventListener> event) {
    Throwable first = null;
    for (EventListener l : listeners) {
      try {
        event.accept(l);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw EventFanOut.<RuntimeException>unchecked(first);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T unchecked(Throwable t) throws T {
    throw (T) t;
  }

  @Override
  public void callStart(CallEvent call) {
    each(l -> l.callStart(call));
  }

  @Override
  public void attemptStart(AttemptEvent attempt) {
    each(l -> l.attemptStart(attempt));
  }

  @Override
  public void connectionAcquired(AttemptEvent attempt, boolean reused) {
    each(l -> l.connectionAcquired(attempt, reused));
  }

  @Override
  public void requestSent(AttemptEvent attempt) {
    each(l -> l.requestSent(attempt));
  }

  @Override
  public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
    each(l -> l.responseHeaders(attempt, status, headers));
  }

  @Override
  public void responseBodyEnd(AttemptEvent attempt, long bytes) {
    each(l -> l.responseBodyEnd(attempt, bytes));
  }

  @Override
  public void attemptFailed(AttemptEvent attempt, TransportException failure) {
    each(l -> l.attemptFailed(attempt, failure));
  }

  @Override
  public void callEnd(CallEvent call, int status) {
    each(l -> l.callEnd(call, status));
  }

  @Override
  public void callFailed(CallEvent call, TransportException failure) {
    each(l -> l.callFailed(call, failure));
  }

  @Override
  public String toString() {
    return "EventListener.all" + listeners;
  }
}
