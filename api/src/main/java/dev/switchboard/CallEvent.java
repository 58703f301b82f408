package dev.switchboard;

import java.util.Objects;

/**
 * One call, as its {@link EventListener} sees it: the request the caller gave, the transport, when
 * it started, and room for the listener's own state for this call ({@link #put}, {@link #get}), so
 * that a listener needs no map of calls. The same object comes with every event of the call.
 *
 * <p>Made by Switchboard only (no public constructor): the object that delivers a call's events is
 * its {@code CallEvent} too, so that a listener costs a call one object less.
 */
public class CallEvent {
  private static final Object[] NO_STATE = {};
  // the request, the transport and the start are the call's own: a listener's cost is this object
  final Call call;
  private Object[] state = NO_STATE; // key, value, key, value...
  private volatile int attempts;

  CallEvent(Call call) {
    this.call = call;
  }

  /** The request as the caller gave it (before interceptors, redirects and wire preparation). */
  public final Request request() {
    return call.original;
  }

  /** The name of the transport the call runs on ({@code jdk}, {@code okhttp}, {@code apache}…). */
  public final String transport() {
    return call.layer.name;
  }

  /** {@link System#nanoTime()} when the call started. */
  public final long startNanos() {
    return call.startNanos;
  }

  /** The attempts started so far. */
  public final int attempts() {
    return attempts;
  }

  /** The caller's tag of this type on the call's request ({@link Request#tag}), or {@code null}. */
  public final <T> T tag(Class<T> type) {
    return call.original.tag(type);
  }

  /**
   * Keeps {@code value} for this call under {@code key} (a class of the listener's own, so that two
   * listeners never collide); {@code null} removes it.
   */
  public final synchronized <T> void put(Class<T> key, T value) {
    Objects.requireNonNull(key, "key");
    for (int i = 0; i < state.length; i += 2) {
      if (state[i] == key) {
        state[i + 1] = value;
        return;
      }
    }
    if (value != null) {
      Object[] grown = java.util.Arrays.copyOf(state, state.length + 2);
      grown[state.length] = key;
      grown[state.length + 1] = value;
      state = grown;
    }
  }

  /** What {@link #put} kept under {@code key}, or {@code null}. */
  public final synchronized <T> T get(Class<T> key) {
    for (int i = 0; i < state.length; i += 2) {
      if (state[i] == key) {
        return key.cast(state[i + 1]);
      }
    }
    return null;
  }

  int nextAttempt() {
    return ++attempts; // under the call's event lock
  }

  @Override
  public final String toString() {
    return "Call[" + call.original.summary() + " on " + call.layer.name + "]";
  }
}
