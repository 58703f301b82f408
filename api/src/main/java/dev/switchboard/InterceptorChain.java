package dev.switchboard;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The interceptors of one call, outermost first; the last one proceeds into the redirect follower.
 * One step per interceptor, each handing the next the request it proceeds with.
 */
final class InterceptorChain implements Interceptor.Chain {
  private final Layer layer;
  private final Call call;
  private final int index;
  private final Request request;

  InterceptorChain(Layer layer, Call call, int index, Request request) {
    this.layer = layer;
    this.call = call;
    this.index = index;
    this.request = request;
  }

  @Override
  public Request request() {
    return request;
  }

  @Override
  public String transport() {
    return layer.name;
  }

  @Override
  public Optional<Duration> timeLeft() {
    return call.timeLeft();
  }

  @Override
  public CompletableFuture<Response> proceed(Request next) {
    if (next == null) {
      return CompletableFuture.failedFuture(
          new TransportException(
              "an interceptor proceeded with null", request, layer.name, false, null));
    }
    List<Interceptor> interceptors = layer.config.interceptors();
    if (index >= interceptors.size()) {
      return RedirectFollower.follow(layer, call, next, 0);
    }
    Interceptor interceptor = interceptors.get(index);
    try {
      CompletableFuture<Response> f =
          interceptor.intercept(new InterceptorChain(layer, call, index + 1, next));
      if (f == null) {
        return CompletableFuture.failedFuture(
            new TransportException(
                "interceptor " + interceptor + " returned null", next, layer.name, false, null));
      }
      return f;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
