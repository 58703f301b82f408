package dev.switchboard;

import dev.switchboard.spi.TransportEngine;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The one implementation of {@link Transport}: the policy every engine gets, applied once.
 *
 * <p>Order, outermost first, and where each step lives:
 *
 * <ol>
 *   <li>the call: its future, the request deadline, completion on the callback executor ({@link
 *       Call}, {@link CompletionDispatch});
 *   <li>interceptors ({@link InterceptorChain});
 *   <li>redirects ({@link RedirectFollower}, {@link Redirects});
 *   <li>the one exchange: URI check, GET-body mode, User-Agent and Accept-Encoding ({@link
 *       WirePreparation}), a body sent only once when it cannot be resent ({@link Call#exchange});
 *   <li>the engine's exchange: response and read timeouts ({@link ExchangeState}, {@link
 *       SilenceWatch}), head and body limits, the stale-connection resend;
 *   <li>the body: read whole, decoded and status-mapped ({@link BufferedBody}), or streamed to the
 *       consumer within a window ({@link StreamedBody}, {@link Decoding}).
 * </ol>
 *
 * This class holds the lifecycle (calls in flight, {@link #close}) and the entry points.
 */
final class LayeredTransport implements Transport {
  private final Layer layer;

  LayeredTransport(TransportEngine engine, TransportConfig config) {
    try {
      CapabilityChecks.check(config, engine.name(), engine.capabilities());
    } catch (UnsupportedFeatureException e) {
      engine.close();
      throw e;
    }
    this.layer = new Layer(engine, config);
    engine.onBreakdown(this::brokeDown);
  }

  @Override
  public String name() {
    return layer.name;
  }

  @Override
  public Set<Capability> capabilities() {
    return layer.capabilities;
  }

  @Override
  public java.util.Optional<PoolStats> poolStats() {
    return java.util.Optional.ofNullable(layer.engine.poolStats());
  }

  @Override
  public String toString() {
    return "Transport[" + layer.name + "]";
  }

  @Override
  public boolean isTransportThread() {
    return layer.roles.isTransportThread();
  }

  // ---------------------------------------------------------------- sending

  @Override
  public CompletableFuture<Response> send(Request request) {
    TransportException refused = refuse(request);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    return start(request, layer.dispatch.callbacks(), false).result;
  }

  /**
   * Blocking: as {@link Calls#execute}, except that with the default callback executor the caller's
   * own thread runs its call's completion while it waits (one thread hand-off fewer); a supplied
   * callback executor is always used.
   */
  @Override
  public Response execute(Request request) {
    Calls.refuseOnTransportThread(this);
    if (!layer.dispatch.ownsCallbacks()
        || request == null
        || layer.closed
        || layer.breakdown != null) {
      return Calls.await(this, request, send(request), null);
    }
    CallerRuns here = new CallerRuns(layer.dispatch.callbacks());
    return Calls.await(this, request, start(request, here, false).result, here);
  }

  @Override
  public CompletableFuture<StreamingResponse> stream(Request request) {
    TransportException refused = refuse(request);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    Call call = start(request, layer.dispatch.callbacks(), true);
    CompletableFuture<StreamingResponse> out = new CompletableFuture<>();
    call.result.whenComplete(
        (r, e) -> {
          if (e != null) {
            out.completeExceptionally(e);
            return;
          }
          StreamingResponse s = streaming(call, r);
          if (!out.complete(s)) {
            s.close(); // the caller cancelled meanwhile
          }
        });
    out.whenComplete(
        (s, e) -> {
          if (out.isCancelled()) {
            call.result.cancel(false);
          }
        });
    return out;
  }

  /**
   * The stream a call's response becomes: the exchange's own body, or (when an interceptor made the
   * response) its bytes; a body the exchange opened that the response no longer carries is closed.
   */
  private StreamingResponse streaming(Call call, Response r) {
    StreamedBody body = r.streamed();
    StreamedBody opened = call.openBody;
    if (opened != null && opened != body) {
      call.openBody = body;
      opened.close();
    }
    if (body == null) {
      call.bodyEnded(null, r.status(), null);
      body = StreamedBody.of(r.bytes(), layer.dispatch.callbacks(), r.request(), layer.name);
    }
    return new StreamingResponse(r.request(), r.status(), r.headers(), r.transport(), body);
  }

  private TransportException refuse(Request request) {
    if (request == null) {
      return new TransportException("request is null", null, layer.name, false, null);
    }
    if (layer.closed) {
      return layer.closedException(request, false);
    }
    return layer.breakdown == null ? null : layer.breakdownException(request, false);
  }

  private Call start(Request request, Executor completions, boolean streaming) {
    Call call = new Call(layer, request, completions, streaming);
    call.events.callStart();
    call.result.whenComplete(call::ended);
    layer.inFlight.add(call);
    if (layer.closed) { // close() may have run between the check and add
      call.fail(layer.closedException(request, false));
      return call;
    }
    if (layer.breakdown != null) { // the same, for a breakdown
      call.fail(layer.breakdownException(request, false));
      return call;
    }
    call.startDeadline();
    CompletableFuture<Response> chained;
    try {
      chained = new InterceptorChain(layer, call, 0, request).proceed(request);
    } catch (RuntimeException e) {
      chained = CompletableFuture.failedFuture(e);
    }
    chained.whenComplete(
        (r, e) -> {
          if (e == null) {
            call.succeed(r);
          } else {
            call.fail(normalize(e, call.original));
          }
        });
    return call;
  }

  private TransportException normalize(Throwable e, Request request) {
    Throwable t = TransportException.unwrap(e);
    if (t instanceof TransportException te) {
      return te;
    }
    if (t instanceof CancellationException) {
      return new TransportException("the call was cancelled", request, layer.name, true, t);
    }
    return new TransportException(
        "an interceptor failed: " + t, request, layer.name, true, t); // only user code gets here
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * The engine's library stopped working for good: every call in flight fails now, every later one
   * at once, each with the failure that stopped it as cause, instead of waiting for an answer that
   * cannot come (only a deadline would end it). Reported once; ignored after {@link #close}.
   */
  private synchronized void brokeDown(Throwable cause) {
    if (layer.closed || layer.breakdown != null) {
      return;
    }
    layer.breakdown = cause == null ? new IllegalStateException("no cause given") : cause;
    for (Call call : List.copyOf(layer.inFlight)) {
      call.closeNow(layer.breakdownException(call.original, true));
    }
  }

  @Override
  public void close() {
    if (layer.closed) {
      return;
    }
    layer.closed = true;
    for (Call call : List.copyOf(layer.inFlight)) {
      if (call.result.isDone()) {
        // its caller has the answer, but the end may not be told yet (it is told on the thread
        // that completed the call, after the caller's own continuations): tell it now, so that
        // listeners may be flushed once close() returns (told once: the other teller finds it told)
        call.result.whenComplete(call::ended);
      }
      call.closeNow(layer.closedException(call.original, true));
    }
    try {
      layer.engine.close();
    } finally {
      layer.dispatch.shutdown();
    }
  }
}
