package dev.switchboard;

import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One {@code send} or {@code stream}: the user's future, the request deadline, the exchange
 * currently in flight. For a stream the call lasts until its body has ended or was closed, so that
 * the deadline, the read timeout and {@code close()} of the transport still reach it.
 */
final class Call {
  final Layer layer;
  final Request original;
  final Executor completions;
  final boolean streaming;
  final CompletableFuture<Response> result = new CompletableFuture<>();
  final CallEvents events;
  final Duration requestTimeout;
  final long startNanos;
  volatile ExchangeState current;
  volatile StreamedBody openBody; // a stream's body handed out by an exchange, until it ends
  private volatile Timers.Timer deadlineTimer;
  private volatile String credential; // this call's value of the configured credentials
  private volatile boolean credentialRefreshed; // a bearer token is asked again once per call

  Call(Layer layer, Request original, Executor completions, boolean streaming) {
    this.layer = layer;
    this.original = original;
    this.completions = completions;
    this.streaming = streaming;
    this.requestTimeout =
        original.requestTimeout() != null
            ? original.requestTimeout()
            : layer.config.requestTimeout();
    this.startNanos = System.nanoTime();
    this.events = CallEvents.of(this);
  }

  void startDeadline() {
    if (requestTimeout != null) {
      deadlineTimer = Timers.schedule(this::deadlinePassed, requestTimeout.toNanos());
    }
  }

  Optional<Duration> timeLeft() {
    if (requestTimeout == null) {
      return Optional.empty();
    }
    long left = startNanos + requestTimeout.toNanos() - System.nanoTime();
    return Optional.of(Duration.ofNanos(Math.max(0, left)));
  }

  private void deadlinePassed() {
    ExchangeState st = current;
    boolean sent = st != null && st.requestSent;
    RequestTimeoutException e =
        new RequestTimeoutException(requestTimeout, original, layer.name, sent, null);
    if (st != null) {
      st.fail(e, true);
    }
    fail(e);
  }

  void succeed(Response r) {
    if (layer.roles.onCallbackThread()) {
      result.complete(r);
    } else {
      layer.dispatch.dispatch(
          completions, new Completion.Settle<>(layer.roles, result, r, null), !streaming);
    }
  }

  void fail(Throwable e) {
    if (result.isDone()) {
      return;
    }
    if (layer.roles.onCallbackThread()) {
      result.completeExceptionally(e);
    } else {
      layer.dispatch.dispatch(
          completions, new Completion.Settle<>(layer.roles, result, null, e), !streaming);
    }
  }

  /**
   * The user's future is done (success, failure or cancel): stop what is still running. A stream
   * that succeeded keeps running until its body ends ({@link #bodyEnded}).
   */
  void ended(Response response, Throwable failure) {
    if (streaming && failure == null) {
      return;
    }
    ExchangeState st = current;
    if (st != null && result.isCancelled()) {
      st.fail(
          new TransportException("the call was cancelled", original, layer.name, true, null), true);
    } else if (st != null && result.isCompletedExceptionally()) {
      st.fail(new TransportException("the call has ended", original, layer.name, true, null), true);
    }
    if (failure == null) {
      events.callEnd(response.status());
    } else {
      Throwable t = TransportException.unwrap(failure);
      events.callFailed(
          t instanceof TransportException te
              ? te
              : new TransportException("the call was cancelled", original, layer.name, true, t));
    }
    release(); // last: a call no longer in flight has had its end told (see LayeredTransport.close)
  }

  /**
   * A stream's body ended, failed ({@code failure}) or was closed: the call is over, unless {@code
   * body} is not the one its caller got (an interceptor answered with another).
   */
  void bodyEnded(StreamedBody body, int status, TransportException failure) {
    if (body != null && body != openBody) {
      return;
    }
    openBody = null;
    release();
    if (failure == null) {
      events.callEnd(status);
    } else {
      events.callFailed(failure);
    }
  }

  /** Stops the deadline and leaves the transport's calls in flight. */
  private void release() {
    Timers.Timer t = deadlineTimer;
    if (t != null) {
      t.cancel();
    }
    layer.inFlight.remove(this);
  }

  /** The transport is closing: fail the call, and a stream's body if it is being read. */
  void closeNow(TransportException e) {
    fail(e);
    ExchangeState st = current;
    if (st != null) {
      st.fail(e, true);
    }
  }

  /**
   * A new exchange, which may start only while the call is running: the call's first, or a {@code
   * redirect}, or else a retry (an interceptor proceeded again).
   */
  CompletableFuture<Response> exchange(Request request, boolean redirect) {
    CompletableFuture<Response> f =
        attempt(request, redirect ? AttemptEvent.Reason.REDIRECT : AttemptEvent.Reason.RETRY);
    if (!layer.authentication.refreshesAfter401(this, request)) {
      return f;
    }
    return f.handle(
            (r, e) -> {
              Throwable failure = e instanceof CompletionException ce ? ce.getCause() : e;
              boolean unauthorized =
                  failure instanceof HttpStatusException h
                      ? h.status() == 401
                      : r != null && r.status() == 401 && !streaming;
              if (unauthorized && !credentialRefreshed && request.body().isRepeatable()) {
                credentialRefreshed = true;
                credential = null; // the supplier is asked again
                return attempt(request, AttemptEvent.Reason.AUTHENTICATION);
              }
              return e == null
                  ? CompletableFuture.completedFuture(r)
                  : CompletableFuture.<Response>failedFuture(failure);
            })
        .thenCompose(x -> x);
  }

  /** This call's value for {@code c}: asked once, and again after {@link #exchange}'s 401. */
  String credential(Credentials c) {
    String v = credential;
    if (v == null) {
      v = c.value();
      credential = v;
    }
    return v;
  }

  private CompletableFuture<Response> attempt(Request request, AttemptEvent.Reason reason) {
    if (result.isDone()) {
      return CompletableFuture.failedFuture(
          new CancellationException("the call ended before this exchange started"));
    }
    Request prepared;
    Request wire;
    try {
      prepared = layer.preparation.prepare(request);
      wire = layer.authentication.apply(this, prepared);
    } catch (TransportException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!wire.body().claimSend()) {
      return CompletableFuture.failedFuture(
          new TransportException(
              "the request body comes from "
                  + wire.body().describe()
                  + ", which can be sent only once, and it was sent already; it is not sent again"
                  + " (an interceptor proceeded twice) — use Body.ofFile or Body.ofInputStream for"
                  + " a body that can be resent",
              wire,
              layer.name,
              false,
              null));
    }
    AttemptEvent attempt = events.attemptStart(wire, reason);
    if (attempt != null) {
      wire = attempt.request();
    }
    ExchangeState st = new ExchangeState(layer, this, wire, new CompletableFuture<>(), 0, attempt);
    st.prepared = prepared;
    launch(st);
    return st.future;
  }

  /**
   * The one resend Switchboard makes on its own: {@code failed} met a stale pooled connection, so
   * its request goes once more, on the connection the library gives next (the stale one is gone
   * from its pool), completing the same future.
   */
  void resend(ExchangeState failed) {
    Request wire = failed.wire;
    if (failed.prepared != null && !layer.authentication.isOff()) {
      try {
        wire = layer.authentication.apply(this, failed.prepared); // signed anew
      } catch (TransportException e) {
        failed.future.completeExceptionally(e);
        return;
      }
    }
    AttemptEvent attempt = events.attemptStart(wire, AttemptEvent.Reason.STALE_CONNECTION);
    if (attempt != null) {
      wire = attempt.request();
    }
    ExchangeState st =
        new ExchangeState(layer, this, wire, failed.future, failed.attempt + 1, attempt);
    st.prepared = failed.prepared;
    launch(st);
  }

  private void launch(ExchangeState st) {
    Request wire = st.wire;
    current = st;
    TransportConfig config = layer.config;
    Duration connect =
        wire.connectTimeout() != null ? wire.connectTimeout() : config.connectTimeout();
    st.connectTimeout = connect;
    st.responseTimeout =
        wire.responseTimeout() != null ? wire.responseTimeout() : config.responseTimeout();
    st.readTimeout = wire.readTimeout() != null ? wire.readTimeout() : config.readTimeout();
    Exchange handle;
    st.startingThread = Thread.currentThread();
    try {
      handle = layer.engine.start(new ExchangeRequest(wire, connect, st.responseTimeout), st);
    } catch (TransportException e) {
      st.onFailure(e);
      return;
    } catch (RuntimeException e) {
      st.onFailure(
          new TransportException(
              "the " + layer.name + " engine failed to start the exchange: " + e,
              wire,
              layer.name,
              false,
              e));
      return;
    } finally {
      st.startingThread = null;
    }
    st.attach(handle);
    if (result.isDone() && (!streaming || result.isCompletedExceptionally())) {
      st.fail(new TransportException("the call has ended", original, layer.name, true, null), true);
    }
  }
}
