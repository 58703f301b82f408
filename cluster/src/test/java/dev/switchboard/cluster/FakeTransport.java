package dev.switchboard.cluster;

import dev.switchboard.Capability;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An inner transport for unit tests: each node (by port) answers as its scripted behaviour says, at
 * once, on the calling thread. Records every request sent.
 */
final class FakeTransport implements Transport {
  /** A monotonic clock the test moves by hand. */
  static final class Clock {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    long now() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  final Clock clock;
  final List<Request> sent = Collections.synchronizedList(new ArrayList<>());
  final List<CompletableFuture<Response>> pending = Collections.synchronizedList(new ArrayList<>());
  final AtomicBoolean closed = new AtomicBoolean();
  final ThreadLocal<Boolean> ownThread = new ThreadLocal<>();
  private final Map<Integer, Function<Request, CompletableFuture<Response>>> behaviour =
      new ConcurrentHashMap<>();

  FakeTransport(Clock clock) {
    this.clock = clock;
  }

  /** Node {@code port} answers as {@code b} from now on. */
  FakeTransport on(int port, Function<Request, CompletableFuture<Response>> b) {
    behaviour.put(port, b);
    return this;
  }

  static String url(int port) {
    return "http://127.0.0.1:" + port + "/";
  }

  /** How many requests went to {@code port}. */
  long count(int port) {
    synchronized (sent) {
      return sent.stream().filter(r -> r.uri().getPort() == port).count();
    }
  }

  /** The ports requests went to, in order. */
  List<Integer> ports() {
    synchronized (sent) {
      return sent.stream().map(r -> r.uri().getPort()).toList();
    }
  }

  // ---------------------------------------------------------------- behaviours

  static Function<Request, CompletableFuture<Response>> ok() {
    return status(200);
  }

  static Function<Request, CompletableFuture<Response>> status(int status) {
    return r -> {
      Response resp = Response.builder(r, status).transport("fake").build();
      return r.accepts(status)
          ? CompletableFuture.completedFuture(resp)
          : CompletableFuture.failedFuture(HttpStatusException.of(resp));
    };
  }

  static Function<Request, CompletableFuture<Response>> refused() {
    return r ->
        CompletableFuture.failedFuture(
            new ConnectionException("connection refused", r, "fake", null));
  }

  static Function<Request, CompletableFuture<Response>> connectTimeout() {
    return r ->
        CompletableFuture.failedFuture(
            new ConnectTimeoutException(Duration.ofSeconds(10), r, "fake", null));
  }

  static Function<Request, CompletableFuture<Response>> fails(
      Function<Request, TransportException> e) {
    return r -> CompletableFuture.failedFuture(e.apply(r));
  }

  /** Never completes by itself; the future is kept in {@link #pending}. */
  Function<Request, CompletableFuture<Response>> hangs() {
    return r -> {
      CompletableFuture<Response> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    };
  }

  /** Lets {@code d} pass on the clock, then behaves as {@code then}. */
  Function<Request, CompletableFuture<Response>> takes(
      Duration d, Function<Request, CompletableFuture<Response>> then) {
    return r -> {
      clock.advance(d);
      return then.apply(r);
    };
  }

  // ---------------------------------------------------------------- Transport

  @Override
  public CompletableFuture<Response> send(Request request) {
    if (request == null) {
      return CompletableFuture.failedFuture(
          new TransportException("request is null", null, "fake", false, null));
    }
    sent.add(request);
    var b = behaviour.get(request.uri().getPort());
    if (b == null) {
      return CompletableFuture.failedFuture(
          new ConnectionException("no such node", request, "fake", null));
    }
    return b.apply(request);
  }

  @Override
  public boolean isTransportThread() {
    return ownThread.get() != null;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.GET_WITH_BODY);
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
