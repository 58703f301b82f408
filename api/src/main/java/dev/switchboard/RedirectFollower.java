package dev.switchboard;

import java.util.concurrent.CompletableFuture;

/**
 * Follows redirects when the configuration asks for it ({@link Redirects} decides the next
 * request): at most {@link TransportConfig#maxRedirects()} hops, never resending a body that can be
 * sent only once.
 */
final class RedirectFollower {
  private RedirectFollower() {}

  static CompletableFuture<Response> follow(Layer layer, Call call, Request request, int hops) {
    if (!layer.config.followRedirects()) {
      return call.exchange(request, hops > 0);
    }
    return call.exchange(request, hops > 0)
        .thenCompose(
            response -> {
              String location = response.header("Location");
              if (!Redirects.isRedirect(response.status()) || location == null) {
                return CompletableFuture.completedFuture(response);
              }
              if (hops >= layer.config.maxRedirects()) {
                return CompletableFuture.failedFuture(
                    new TransportException(
                        "more than "
                            + layer.config.maxRedirects()
                            + " redirects; the last pointed to "
                            + location,
                        call.original,
                        layer.name,
                        true,
                        null));
              }
              Request next;
              try {
                next = Redirects.next(request, response.status(), location);
              } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(
                    new MalformedResponseException(
                        "redirect to an unusable Location '" + location + "'",
                        request,
                        layer.name,
                        e));
              }
              if (!next.body().isRepeatable()) {
                return CompletableFuture.failedFuture(
                    new TransportException(
                        "the redirect ("
                            + response.status()
                            + ") to "
                            + location
                            + " was not followed: it must resend the request body, which comes"
                            + " from "
                            + next.body().describe()
                            + " and can be sent only once; use Body.ofFile or Body.ofInputStream"
                            + " for a body that can be resent",
                        request,
                        layer.name,
                        true,
                        null));
              }
              return follow(layer, call, next, hops + 1);
            });
  }
}
