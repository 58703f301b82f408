package dev.switchboard.jdk;

import java.lang.ref.WeakReference;
import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices that the selector thread of one of our own JDK clients ended while the client is in use,
 * and reports it as the engine's breakdown ({@link
 * dev.switchboard.spi.TransportEngine#onBreakdown}).
 *
 * <p>The JDK client runs all its I/O, and its connect timeout, on one selector thread per client.
 * Measured on JDK 17: once that thread has been ended by an {@code Error}, the client neither fails
 * nor finishes anything — the exchange in flight and every later one had not ended 10 s later, and
 * nothing would end them but the api layer's deadlines (a request not yet sent has none by
 * default).
 *
 * <p>The thread is found by the name the JDK gives it, {@code HttpClient-<id>-SelectorManager}, the
 * id taken from the client's {@code toString()} (JDK 11 to 25); where it is not found, the client
 * is not watched. A watching thread ({@code switchboard-jdk-selector-watch}) waits for it to end:
 * when it ends while the client is still cached ({@code retired} unset) and the engine open, the
 * breakdown is reported. The watcher holds neither the client (a client dropped before JDK 21 ends
 * only when collected) nor the engine (weakly held: a transport never closed must still go), and
 * ends with the selector thread or when interrupted by the engine's close.
 */
final class SelectorWatch {
  private SelectorWatch() {}

  /** What the watcher asks of the engine; held weakly. */
  interface Owner {
    /** Whether the engine is closed. */
    boolean closed();

    /** Reports the breakdown (at most once: the api layer ignores a second). */
    void brokeDown(Throwable cause);
  }

  /**
   * Starts watching {@code client}'s selector thread; returns the watcher, or {@code null} when the
   * thread was not found.
   */
  static Thread watch(HttpClient client, AtomicBoolean retired, Owner owner) {
    Thread selector = selectorOf(client);
    if (selector == null) {
      return null;
    }
    WeakReference<Owner> engine = new WeakReference<>(owner);
    String name = selector.getName();
    Thread watcher =
        new Thread(
            () -> {
              try {
                selector.join();
              } catch (InterruptedException e) {
                return; // the engine closed
              }
              Owner o = engine.get();
              if (o != null && !o.closed() && !retired.get()) {
                o.brokeDown(
                    new IllegalStateException(
                        "the JDK HttpClient's selector thread " + name + " ended"));
              }
            },
            "switchboard-jdk-selector-watch");
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  /** The client's selector thread, found by its name, or {@code null}. */
  static Thread selectorOf(HttpClient client) {
    String s = client.toString(); // jdk.internal.net.http.HttpClientImpl@1b6d3586(1)
    int open = s.lastIndexOf('(');
    if (open < 0 || !s.endsWith(")")) {
      return null;
    }
    String name = "HttpClient-" + s.substring(open + 1, s.length() - 1) + "-SelectorManager";
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] all = new Thread[root.activeCount() * 2 + 16];
    int n = root.enumerate(all, true); // names only: no stack is walked
    for (int i = 0; i < n; i++) {
      if (all[i].getName().equals(name) && all[i].isAlive()) {
        return all[i];
      }
    }
    return null;
  }
}
