package dev.switchboard.apache;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Notices that our own client's I/O reactor stopped while the transport is open, and reports it as
 * the engine's breakdown ({@link dev.switchboard.spi.TransportEngine#onBreakdown}).
 *
 * <p>HC5 runs each event loop on one thread for the client's life and catches {@code Exception}s
 * there, not {@code Error}s: an {@code OutOfMemoryError} (or a {@code StackOverflowError}) thrown
 * on it ends the thread. HC5 then closes that loop's connections, but goes on handing new
 * connections to it, which are never opened: a request waiting for one waits for ever, since no
 * timeout of the api layer runs before a request is sent and HC5's connect timeout runs on the dead
 * loop (measured with HC5 5.6 and one I/O thread: the three requests queued behind the one whose
 * loop died had not ended 40 s later; with two threads, every other new connection).
 *
 * <p>Every thread of the client comes from {@link #threads}: the event loops, which live until the
 * client is closed, and the thread that starts them. An event loop that ends before {@link
 * #closing()}, or any of them ended by a {@code Throwable}, reports the breakdown, once, with that
 * {@code Throwable} (or an {@code IllegalStateException} naming the thread, when HC5 caught an
 * {@code Exception} that stopped its loop), and shuts the client down on a thread of its own (the
 * dying one must not wait for itself), which closes its other connections and threads. The api
 * layer fails what is in flight and refuses what comes later.
 */
final class ReactorWatch {
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicInteger threads = new AtomicInteger();
  private volatile boolean closing;
  private Consumer<Throwable> breakdown; // under this
  private Throwable early; // a breakdown before anyone listened; under this
  private volatile Runnable shutdown = () -> {};

  /** Daemon threads named {@code prefix + n}, each watched. */
  ThreadFactory threads(String prefix) {
    return r -> {
      Thread t = new Thread(() -> run(r), prefix + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void run(Runnable r) {
    // an event loop lives until the client closes; the thread that starts them may end earlier in
    // some version (not 5.6), so only a Throwable ending it counts
    boolean loop = r.getClass().getSimpleName().equals("IOReactorWorker");
    Throwable died = null;
    try {
      r.run();
    } catch (Throwable t) {
      died = t;
      throw t;
    } finally {
      if (!closing && (died != null || loop)) {
        ended(died);
      }
    }
  }

  /** How to shut the client down after a breakdown. */
  void shutdownWith(Runnable shutdown) {
    this.shutdown = shutdown;
  }

  /** Where the breakdown goes; one that came before is reported at once. */
  void onBreakdown(Consumer<Throwable> breakdown) {
    Throwable before;
    synchronized (this) {
      this.breakdown = breakdown;
      before = early;
    }
    if (before != null) {
      breakdown.accept(before);
    }
  }

  /** The engine is closing: threads that end from now on are expected to. */
  void closing() {
    closing = true;
  }

  private void ended(Throwable died) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    Throwable cause =
        died != null
            ? died
            : new IllegalStateException(
                "the Apache client's thread " + Thread.currentThread().getName() + " ended");
    Consumer<Throwable> to;
    synchronized (this) {
      to = breakdown;
      if (to == null) {
        early = cause;
      }
    }
    if (to != null) {
      to.accept(cause);
    }
    Thread t = new Thread(shutdown, "switchboard-apache-breakdown");
    t.setDaemon(true);
    t.start();
  }
}
