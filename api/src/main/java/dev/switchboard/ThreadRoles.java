package dev.switchboard;

/**
 * Which threads are a transport's own: its callback threads (where completions run) and the threads
 * its engine calls back on (I/O threads). {@link Transport#execute} refuses to block on either.
 */
final class ThreadRoles {
  private final ThreadLocal<Boolean> callback = new ThreadLocal<>();
  private final ThreadLocal<Boolean> io = new ThreadLocal<>();

  /** Whether the current thread runs a completion now (or is an owned callback thread). */
  boolean onCallbackThread() {
    return callback.get() != null;
  }

  /** Whether the current thread is a callback or an I/O thread of this transport. */
  boolean isTransportThread() {
    return callback.get() != null || io.get() != null;
  }

  /** Marks the current thread a callback thread for as long as it lives (the owned pool's). */
  void markCallbackThread() {
    callback.set(Boolean.TRUE);
  }

  /** Marks the current thread a callback thread; returns false when it already was one. */
  boolean enterCallback() {
    if (callback.get() != null) {
      return false;
    }
    callback.set(Boolean.TRUE);
    return true;
  }

  /** Undoes {@link #enterCallback()}. */
  void leaveCallback() {
    callback.set(null); // set, not remove: keeps the thread's entry, no churn
  }

  /** Marks the current thread an I/O thread, unless it is a callback thread. */
  void markIoThread() {
    if (callback.get() == null && io.get() == null) {
      io.set(Boolean.TRUE);
    }
  }
}
