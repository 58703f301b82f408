package dev.switchboard.jdk;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Caps exchanges in flight per host and in all, without blocking a thread: an exchange over the
 * limit waits in a FIFO queue and starts when another one ends. The JDK client has no pool limit;
 * over HTTP/1.1 it uses one connection per exchange in flight, so this caps connections too.
 */
final class ConnectionLimiter {
  private final int perHost;
  private final int total;
  private final Map<String, Integer> active = new HashMap<>();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int activeTotal;

  /** One exchange waiting for a slot. */
  record Waiter(String host, Runnable start) {}

  ConnectionLimiter(int perHost, int total) {
    this.perHost = perHost;
    this.total = total;
  }

  /** Runs {@code w.start()} now if a slot is free, otherwise once one frees up. */
  void acquire(Waiter w) {
    synchronized (this) {
      if (!tryTake(w.host())) {
        queue.add(w);
        return;
      }
    }
    w.start().run();
  }

  /** Takes {@code w} out of the queue; false when it already started. */
  synchronized boolean withdraw(Waiter w) {
    return queue.remove(w);
  }

  /** Frees the slot of an exchange that ended and starts the next one that fits. */
  void release(String host) {
    Waiter next = null;
    synchronized (this) {
      activeTotal--;
      active.computeIfPresent(host, (k, n) -> n <= 1 ? null : n - 1);
      for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (tryTake(w.host())) {
          it.remove();
          next = w;
          break;
        }
        if (activeTotal >= total) {
          break;
        }
      }
    }
    if (next != null) {
      next.start().run();
    }
  }

  private boolean tryTake(String host) {
    int n = active.getOrDefault(host, 0);
    if (n >= perHost || activeTotal >= total) {
      return false;
    }
    active.put(host, n + 1);
    activeTotal++;
    return true;
  }
}
