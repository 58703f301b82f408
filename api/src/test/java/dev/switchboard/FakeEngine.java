package dev.switchboard;

import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-memory engine for testing the api layer: each exchange follows a {@link Script} chosen by
 * the request, delivered from the engine's own "I/O" thread like a real library would.
 */
class FakeEngine implements TransportEngine {
  /** What one exchange does. */
  record Script(
      long delayMillis,
      int status,
      Headers headers,
      List<byte[]> chunks,
      TransportException failure,
      boolean signalSent,
      boolean hang,
      int stallAfter) {

    Script(
        long delayMillis,
        int status,
        Headers headers,
        List<byte[]> chunks,
        TransportException failure,
        boolean signalSent,
        boolean hang) {
      this(delayMillis, status, headers, chunks, failure, signalSent, hang, -1);
    }

    /** {@code chunks} as the body, in that many onBody calls. */
    static Script chunked(int status, Headers headers, List<byte[]> chunks) {
      return new Script(0, status, headers, chunks, null, true, false);
    }

    /** Delivers {@code n} chunks, then goes silent without ending the body. */
    Script stallingAfter(int n) {
      return new Script(delayMillis, status, headers, chunks, failure, signalSent, hang, n);
    }

    static Script ok(int status, String body) {
      return new Script(
          0,
          status,
          Headers.empty(),
          List.of(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          null,
          true,
          false);
    }

    static Script status(int status, Headers headers, byte[] body) {
      return new Script(0, status, headers, List.of(body), null, true, false);
    }

    static Script fail(TransportException e) {
      return new Script(0, 0, null, List.of(), e, false, false);
    }

    /** Writes the request and never answers. */
    static Script silent() {
      return new Script(0, 0, null, List.of(), null, true, true);
    }

    /** Never even reports the request as written (like a connect that hangs). */
    static Script connecting() {
      return new Script(0, 0, null, List.of(), null, false, true);
    }

    Script delayed(long millis) {
      return new Script(millis, status, headers, chunks, failure, signalSent, hang, stallAfter);
    }
  }

  final String name;
  final Set<Capability> capabilities;
  final ScheduledExecutorService io;
  volatile Function<ExchangeRequest, Script> script = r -> Script.ok(200, "ok");
  final List<ExchangeRequest> started = new CopyOnWriteArrayList<>();
  final AtomicInteger aborts = new AtomicInteger();

  /** onBody calls made, over all exchanges. */
  final AtomicInteger delivered = new AtomicInteger();

  final AtomicBoolean closed = new AtomicBoolean();

  /**
   * When set, the engine lends its I/O thread to completions as OkHttp's dispatcher threads are
   * lent: a completion handed over during an exchange runs on that thread once the exchange ended.
   */
  volatile boolean lendsThreads;

  /** When set, {@link #runAfterExchange} throws (an engine's bug). */
  volatile boolean lendingThrows;

  /** What happened on the I/O threads, in order: "ended" after an exchange, "lent" per task. */
  final List<String> ioEvents = new CopyOnWriteArrayList<>();

  private final ThreadLocal<List<Runnable>> lent = new ThreadLocal<>();

  /** When set, exchanges wait for it before answering: lets a test attach continuations first. */
  volatile java.util.concurrent.CountDownLatch gate;

  FakeEngine() {
    this("fake", EnumSet.of(Capability.GET_WITH_BODY));
  }

  FakeEngine(String name, Set<Capability> capabilities) {
    this.name = name;
    this.capabilities = capabilities;
    this.io =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "fake-io");
              t.setDaemon(true);
              return t;
            });
  }

  FakeEngine answering(Function<ExchangeRequest, Script> script) {
    this.script = script;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  @Override
  public Exchange start(ExchangeRequest request, ExchangeListener listener) {
    started.add(request);
    Script s = script.apply(request);
    Handle aborted = new Handle();
    io.schedule(
        () -> {
          if (!lendsThreads) {
            play(s, listener, aborted);
            return;
          }
          List<Runnable> tasks = new java.util.ArrayList<>();
          lent.set(tasks);
          try {
            play(s, listener, aborted);
          } finally {
            lent.remove();
            ioEvents.add("ended");
            for (Runnable task : tasks) {
              ioEvents.add("lent");
              task.run();
            }
          }
        },
        s.delayMillis(),
        TimeUnit.MILLISECONDS);
    return aborted;
  }

  /** The exchange's handle: abort, and demand counted like a real engine's. */
  final class Handle extends AtomicBoolean implements Exchange {
    private final java.util.concurrent.atomic.AtomicLong demand =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void request(long n) {
      demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      synchronized (this) {
        notifyAll();
      }
    }

    @Override
    public void abort() {
      if (compareAndSet(false, true)) {
        aborts.incrementAndGet();
      }
      synchronized (this) {
        notifyAll();
      }
    }

    /** Waits (up to 10 s) for a unit of demand; false when aborted or none came. */
    boolean awaitDemand() {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      synchronized (this) {
        while (demand.get() == 0 && !get()) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
          } catch (InterruptedException e) {
            return false;
          }
        }
      }
      if (get()) {
        return false;
      }
      demand.getAndUpdate(d -> d == Long.MAX_VALUE ? d : d - 1);
      return true;
    }
  }

  /** Where the api layer asked a breakdown of the "library" to be reported. */
  volatile java.util.function.Consumer<Throwable> breakdown;

  @Override
  public void onBreakdown(java.util.function.Consumer<Throwable> breakdown) {
    this.breakdown = breakdown;
  }

  @Override
  public boolean runAfterExchange(Runnable task) {
    if (lendingThrows) {
      throw new IllegalStateException("a bug in the engine");
    }
    List<Runnable> tasks = lent.get();
    if (tasks == null) {
      return false;
    }
    tasks.add(task);
    return true;
  }

  private void play(Script s, ExchangeListener listener, Handle aborted) {
    java.util.concurrent.CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
    }
    if (aborted.get()) {
      return;
    }
    if (s.failure() != null) {
      listener.onFailure(s.failure());
      return;
    }
    if (s.signalSent()) {
      listener.onRequestSent();
    }
    if (s.hang()) {
      return;
    }
    listener.onResponseHeaders(s.status(), s.headers());
    int i = 0;
    for (byte[] chunk : s.chunks()) {
      if (i++ == s.stallAfter()) {
        return;
      }
      if (aborted.get() || !aborted.awaitDemand()) {
        return;
      }
      delivered.incrementAndGet();
      listener.onBody(ByteBuffer.wrap(chunk));
    }
    listener.onComplete();
  }

  ExchangeRequest last() {
    return started.get(started.size() - 1);
  }

  @Override
  public void close() {
    closed.set(true);
    io.shutdownNow();
  }
}
