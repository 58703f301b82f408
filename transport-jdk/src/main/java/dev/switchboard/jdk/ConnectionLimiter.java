package dev.switchboard.jdk;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Caps exchanges in flight per host and in all, without blocking a thread: an exchange over the
 * limit waits in a FIFO queue and starts when another one ends. The JDK client has no pool limit;
 * over HTTP/1.1 it uses one connection per exchange in flight, so this caps connections too.
 */
final class ConnectionLimiter {
  private final int perHost;
  private final int total;
  private final Map<Origin, Integer> active = new HashMap<>();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int activeTotal;

  /** Where connections go: scheme, lower-case host and port (the default one filled in). */
  record Origin(String scheme, String host, int port) {
    static Origin of(URI uri) {
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT); // the same string when lower case
      int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
      return new Origin(scheme, uri.getHost().toLowerCase(Locale.ROOT), port);
    }

    @Override
    public String toString() {
      return scheme + "://" + host + ":" + port;
    }
  }

  /** An exchange that needs a slot: {@link #start()} runs once it has one. */
  abstract static class Waiter {
    final Origin host;

    Waiter(Origin host) {
      this.host = host;
    }

    /** Starts the exchange, now holding a slot; called at most once. */
    abstract void start();
  }

  ConnectionLimiter(int perHost, int total) {
    this.perHost = perHost;
    this.total = total;
  }

  /** Runs {@code w.start()} now if a slot is free, otherwise once one frees up. */
  void acquire(Waiter w) {
    synchronized (this) {
      if (!tryTake(w.host)) {
        queue.add(w);
        return;
      }
    }
    w.start();
  }

  /** Whether {@code w} waits in the queue (has not started). */
  synchronized boolean isQueued(Waiter w) {
    return queue.contains(w);
  }

  /** Takes {@code w} out of the queue; false when it already started. */
  synchronized boolean withdraw(Waiter w) {
    return queue.remove(w);
  }

  /** Frees the slot of an exchange that ended and starts the next one that fits. */
  void release(Origin host) {
    Waiter next = null;
    synchronized (this) {
      activeTotal--;
      active.computeIfPresent(host, (k, n) -> n <= 1 ? null : n - 1);
      for (Iterator<Waiter> it = queue.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (tryTake(w.host)) {
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
      next.start();
    }
  }

  private boolean tryTake(Origin host) {
    int n = active.getOrDefault(host, 0);
    if (n >= perHost || activeTotal >= total) {
      return false;
    }
    active.put(host, n + 1);
    activeTotal++;
    return true;
  }
}
