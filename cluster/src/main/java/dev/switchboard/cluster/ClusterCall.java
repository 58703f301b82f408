package dev.switchboard.cluster;

import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import dev.switchboard.TransportTimeoutException;
import dev.switchboard.UnsupportedFeatureException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One {@link ClusterTransport#send} or {@link ClusterTransport#stream}: its attempts, one after
 * another, under one deadline. {@code T} is what an attempt gives: a buffered {@link Response}, or
 * a {@link StreamingResponse} (then the call ends at the response headers; the body belongs to the
 * caller, and a streamed answer the call does not return is closed).
 *
 * <p>Attempts never overlap: the next starts from the completion of the previous, so the fields
 * below are handed from thread to thread through the completion of a future.
 */
final class ClusterCall<T> {
  /** How an attempt is sent, and what the call needs to know of its answer. */
  interface Mode<T> {
    /** Sends one attempt through the inner transport. */
    CompletableFuture<T> send(Transport inner, Request request);

    /** The answer's status code. */
    int status(T answer);

    /** The answer as the listener and a 502/503/504 failure see it. */
    Response head(T answer);

    /** Releases an answer the call does not return. */
    void discard(T answer);
  }

  /** Buffered: {@link Transport#send}. */
  static final Mode<Response> BUFFERED =
      new Mode<>() {
        @Override
        public CompletableFuture<Response> send(Transport inner, Request request) {
          return inner.send(request);
        }

        @Override
        public int status(Response answer) {
          return answer.status();
        }

        @Override
        public Response head(Response answer) {
          return answer;
        }

        @Override
        public void discard(Response answer) {}
      };

  /** Streamed: {@link Transport#stream}; the head is the status and headers, its body empty. */
  static final Mode<StreamingResponse> STREAMED =
      new Mode<>() {
        @Override
        public CompletableFuture<StreamingResponse> send(Transport inner, Request request) {
          return inner.stream(request);
        }

        @Override
        public int status(StreamingResponse answer) {
          return answer.status();
        }

        @Override
        public Response head(StreamingResponse answer) {
          return Response.builder(answer.request(), answer.status())
              .headers(answer.headers())
              .transport(answer.transport())
              .build();
        }

        @Override
        public void discard(StreamingResponse answer) {
          answer.close();
        }
      };

  final ClusterTransport cluster;
  final Request original;
  final CompletableFuture<T> result = new CompletableFuture<>();
  private final Mode<T> mode;
  private final Duration timeout;
  private final long deadline;
  private final List<NodeHealth> tried = new ArrayList<>(2);
  private final List<TransportException> failures = new ArrayList<>();
  private volatile CompletableFuture<T> inFlight;
  private volatile boolean anySent;
  private int attempts;

  ClusterCall(ClusterTransport cluster, Request original, Mode<T> mode) {
    this.cluster = cluster;
    this.original = original;
    this.mode = mode;
    this.timeout = cluster.timeoutOf(original);
    this.deadline = timeout == null ? 0 : cluster.now() + timeout.toNanos();
    result.whenComplete(
        (r, e) -> {
          CompletableFuture<T> f = inFlight;
          if (f != null && result.isCancelled()) {
            f.cancel(true);
          }
        });
  }

  void start() {
    next();
  }

  /** Ends the call because the cluster closed: the attempt in flight is cancelled. */
  void close(TransportException e) {
    if (result.completeExceptionally(e)) {
      CompletableFuture<T> f = inFlight;
      if (f != null) {
        f.cancel(true);
      }
    }
  }

  private void next() {
    if (result.isDone()) {
      return;
    }
    if (cluster.isClosed()) {
      close(cluster.closedException(original, anySent));
      return;
    }
    Duration left = null;
    if (timeout != null) {
      long remaining = deadline - cluster.now();
      if (remaining <= 0) {
        deadlinePassed();
        return;
      }
      left = Duration.ofNanos(remaining);
    }
    ClusterTransport.Choice choice;
    Request sent;
    try {
      choice = cluster.select(tried, original);
      Request.Builder b =
          original.toBuilder().uri(Urls.resolve(choice.node().node.url(), original.uri()));
      if (left != null) {
        b.requestTimeout(left);
      }
      sent = b.build();
    } catch (TransportException e) {
      fail(e);
      return;
    } catch (RuntimeException e) {
      fail(
          new TransportException("cannot choose a node: " + e, original, cluster.name(), false, e));
      return;
    }
    NodeHealth node = choice.node();
    NodeHealth.State seen = choice.seen();
    tried.add(node);
    attempts++;
    Attempt attempt = new Attempt(original, node.node, attempts, sent);
    Duration sliceOfDeadline = left;
    cluster.attemptStarted(attempt);
    CompletableFuture<T> f;
    try {
      f = mode.send(cluster.inner(), sent);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    if (f == null) {
      f =
          CompletableFuture.failedFuture(
              new TransportException(
                  "the inner transport returned null", sent, cluster.name(), false, null));
    }
    inFlight = f;
    if (result.isDone()) { // cancelled or closed while this attempt was starting
      f.cancel(true);
      f.thenAccept(this::discard); // an answer that came all the same is released
      return;
    }
    f.whenComplete((r, e) -> ended(attempt, node, seen, sliceOfDeadline, r, e));
  }

  private void ended(
      Attempt attempt,
      NodeHealth node,
      NodeHealth.State seen,
      Duration sliceOfDeadline,
      T response,
      Throwable error) {
    if (result.isDone()) {
      if (response != null) { // cancelled or closed: the answer is released, never leaked
        discard(response);
      }
      return;
    }
    try {
      handle(attempt, node, seen, sliceOfDeadline, response, error);
    } catch (
        RuntimeException bug) { // in a user's predicate or selector: never leave the call hanging
      cluster.completing(
          () ->
              result.completeExceptionally(
                  new TransportException(
                      "the cluster failed to handle the outcome of attempt "
                          + attempt.number()
                          + ": "
                          + bug,
                      original,
                      cluster.name(),
                      anySent,
                      bug)));
    }
  }

  private void handle(
      Attempt attempt,
      NodeHealth node,
      NodeHealth.State seen,
      Duration sliceOfDeadline,
      T response,
      Throwable error) {
    if (error == null) {
      answered(attempt, node, seen, response);
      return;
    }
    TransportException e = asTransportException(attempt, TransportException.unwrap(error));
    anySent |= e.requestSent();
    if (e instanceof ConnectionException || e instanceof ConnectTimeoutException) {
      cluster.markFailed(node, seen);
      moveOnOrFail(attempt, e, true);
    } else if (e instanceof HttpStatusException hse) {
      if (isNodeUnavailable(hse.status())) {
        cluster.markFailed(node, seen);
        moveOnOrFail(attempt, e, cluster.isRetrySafe(original));
      } else {
        cluster.markAnswered(node);
        moveOnOrFail(attempt, e, false);
      }
    } else if (e instanceof RequestTimeoutException rte
        && sliceOfDeadline != null
        && (sliceOfDeadline.equals(rte.timeout()) || deadline - cluster.now() <= 0)) {
      failures.add(e);
      cluster.attemptEnded(attempt, null, e, false);
      deadlinePassed();
    } else if (e instanceof TransportTimeoutException) {
      moveOnOrFail(
          attempt,
          e,
          cluster.retryOnTimeout() && (!e.requestSent() || cluster.isRetrySafe(original)));
    } else if (e instanceof UnsupportedFeatureException) {
      moveOnOrFail(attempt, e, false);
    } else {
      moveOnOrFail(attempt, e, !e.requestSent());
    }
  }

  /** A response the request accepts: success, unless the node said it cannot serve. */
  private void answered(Attempt attempt, NodeHealth node, NodeHealth.State seen, T answer) {
    anySent = true;
    int status = mode.status(answer);
    Response head = mode.head(answer);
    if (!isNodeUnavailable(status)) {
      cluster.markAnswered(node);
      cluster.attemptEnded(attempt, head, null, false);
      succeed(answer);
      return;
    }
    cluster.markFailed(node, seen);
    switch (decide(cluster.isRetrySafe(original))) {
      case MOVE_ON -> {
        failures.add(HttpStatusException.of(head));
        cluster.attemptEnded(attempt, head, null, true);
        discard(answer);
        next();
      }
      case DEADLINE -> {
        failures.add(HttpStatusException.of(head));
        cluster.attemptEnded(attempt, head, null, false);
        discard(answer);
        deadlinePassed();
      }
      case STOP -> {
        cluster.attemptEnded(attempt, head, null, false);
        succeed(answer);
      }
    }
  }

  /** Returns {@code answer}; one that arrives after the call ended (closed) is released. */
  private void succeed(T answer) {
    cluster.completing(
        () -> {
          if (!result.complete(answer)) {
            discard(answer);
          }
        });
  }

  private void discard(T answer) {
    try {
      mode.discard(answer);
    } catch (RuntimeException ignored) {
      // releasing an answer nobody reads never fails the call
    }
  }

  private void moveOnOrFail(Attempt attempt, TransportException e, boolean safeToMoveOn) {
    Next decision = decide(safeToMoveOn);
    cluster.attemptEnded(attempt, null, e, decision == Next.MOVE_ON);
    switch (decision) {
      case MOVE_ON -> {
        failures.add(e);
        next();
      }
      case DEADLINE -> {
        failures.add(e);
        deadlinePassed();
      }
      case STOP -> fail(e);
    }
  }

  private enum Next {
    MOVE_ON,
    DEADLINE,
    STOP
  }

  /**
   * After a failed attempt: move on when that is safe and attempts remain; end with the call's
   * timeout when only the deadline stands in the way; else stop with the attempt's outcome.
   */
  private Next decide(boolean safe) {
    if (!safe || attempts >= cluster.maxAttempts() || cluster.isClosed()) {
      return Next.STOP;
    }
    if (!original.body().isRepeatable()) {
      oneSendOnly();
      return Next.STOP;
    }
    if (timeout != null && deadline - cluster.now() <= 0) {
      return Next.DEADLINE;
    }
    return Next.MOVE_ON;
  }

  /**
   * A body that can be sent only once (a {@link dev.switchboard.Body#ofPublisher}) was handed to
   * the inner transport, which takes it even when the connection then fails: it is never moved to
   * another node. Says so on the failure the call ends with.
   */
  private void oneSendOnly() {
    failures.add(
        new TransportException(
            "not moved to another node: the request body can be sent only once ("
                + "Body.ofPublisher); use Body.ofFile or Body.ofInputStream for a body that can be"
                + " resent",
            original,
            cluster.name(),
            anySent,
            null));
  }

  /** Fails the call with {@code last}, the earlier attempts' failures suppressed on it. */
  private void fail(TransportException last) {
    for (TransportException earlier : failures) {
      if (earlier != last) {
        last.addSuppressed(earlier);
      }
    }
    cluster.completing(() -> result.completeExceptionally(last));
  }

  /** The call's deadline passed: one timeout for the whole call, every attempt suppressed on it. */
  private void deadlinePassed() {
    RequestTimeoutException e =
        new RequestTimeoutException(timeout, original, cluster.name(), anySent, null);
    for (TransportException earlier : failures) {
      e.addSuppressed(earlier);
    }
    cluster.completing(() -> result.completeExceptionally(e));
  }

  private TransportException asTransportException(Attempt attempt, Throwable t) {
    if (t instanceof TransportException te) {
      return te;
    }
    if (t instanceof CancellationException) {
      return new TransportException(
          "the attempt was cancelled by the inner transport",
          attempt.sent(),
          cluster.name(),
          true,
          t);
    }
    return new TransportException(
        "the inner transport failed: " + t, attempt.sent(), cluster.name(), true, t);
  }

  /** 502, 503 and 504: the node (or its proxy) cannot serve now; another node may. */
  static boolean isNodeUnavailable(int status) {
    return status == 502 || status == 503 || status == 504;
  }
}
