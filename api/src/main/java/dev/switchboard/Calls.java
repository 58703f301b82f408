package dev.switchboard;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What every {@link Transport} builds on {@link Transport#send}: blocking {@code execute}, and the
 * fan-outs. Written once here so that decorators (a cluster, a user's own) behave exactly like the
 * transports Switchboard makes.
 */
final class Calls {
  private Calls() {}

  static Response execute(Transport transport, Request request) {
    refuseOnTransportThread(transport);
    return await(transport, request, transport.send(request), null);
  }

  /** Refuses a blocking call on one of the transport's own threads, where it could deadlock. */
  static void refuseOnTransportThread(Transport transport) {
    if (transport.isTransportThread()) {
      throw new IllegalStateException(
          "execute() was called on a thread of the '"
              + transport.name()
              + "' transport ("
              + Thread.currentThread().getName()
              + "); blocking here could deadlock: compose on send(...) instead");
    }
  }

  /**
   * Waits for {@code f} and unwraps its failure; when {@code here} is given, the waiting thread
   * runs the call's completion tasks itself meanwhile.
   */
  static <T> T await(
      Transport transport, Request request, CompletableFuture<T> f, CallerRuns here) {
    try {
      if (here != null) {
        here.runUntilDone(f);
      }
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = TransportException.unwrap(e);
      if (cause instanceof TransportException te) {
        throw te;
      }
      if (cause instanceof CancellationException ce) {
        throw ce;
      }
      throw new TransportException(
          "the call failed: " + cause, request, transport.name(), true, cause);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new TransportException(
          "interrupted while waiting for the response; the exchange was aborted",
          request,
          transport.name(),
          true,
          e);
    }
  }

  static CompletableFuture<List<Response>> sendAll(Transport transport, List<Request> requests) {
    List<CompletableFuture<Response>> futures = new ArrayList<>(requests.size());
    for (Request r : requests) {
      futures.add(transport.send(r));
    }
    CompletableFuture<List<Response>> all = new CompletableFuture<>();
    for (CompletableFuture<Response> f : futures) {
      f.whenComplete(
          (r, e) -> {
            if (e != null && all.completeExceptionally(TransportException.unwrap(e))) {
              futures.forEach(other -> other.cancel(true));
            }
          });
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .thenRun(
            () -> {
              List<Response> out = new ArrayList<>(futures.size());
              futures.forEach(f -> out.add(f.join()));
              all.complete(List.copyOf(out));
            });
    all.whenComplete(
        (r, e) -> {
          if (all.isCancelled()) {
            futures.forEach(f -> f.cancel(true));
          }
        });
    return all;
  }

  static CompletableFuture<List<Outcome>> sendAllSettled(
      Transport transport, List<Request> requests) {
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(requests.size());
    for (Request r : requests) {
      outcomes.add(
          transport
              .send(r)
              .handle(
                  (resp, e) ->
                      e == null
                          ? Outcome.success(r, resp)
                          : Outcome.failure(r, TransportException.unwrap(e))));
    }
    return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0]))
        .thenApply(v -> outcomes.stream().map(CompletableFuture::join).toList());
  }
}
