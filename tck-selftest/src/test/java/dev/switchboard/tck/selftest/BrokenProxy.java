package dev.switchboard.tck.selftest;

import dev.switchboard.ConnectionException;
import dev.switchboard.HttpStatusException;
import dev.switchboard.ProxyAuthenticationException;
import dev.switchboard.ProxyConfig;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Broken transports for the {@code proxy} area, over the real {@code jdk} transport: each
 * mishandles the configured proxy the way HTTP stacks and their wrappers have.
 */
final class BrokenProxy {
  private BrokenProxy() {}

  private static Transport jdk(TransportConfig c) {
    return Transports.create(BrokenTransports.jdkConfig(c));
  }

  /** The same servers without the no-proxy list, loopback proxied: everything goes through. */
  static Transport ignoresNoProxy(TransportConfig c) {
    ProxyConfig p = c.proxy();
    if (p == null) {
      return jdk(c);
    }
    return jdk(
        c.toBuilder()
            .proxy(ProxyConfig.of(p.forHttp(), p.forHttps()).withLoopbackProxied())
            .build());
  }

  /** The same proxy, its credentials never given. */
  static Transport dropsCredentials(TransportConfig c) {
    ProxyConfig p = c.proxy();
    if (p == null) {
      return jdk(c);
    }
    ProxyConfig bare =
        ProxyConfig.of(bare(p.forHttp()), bare(p.forHttps())).withNoProxy(p.noProxy());
    return jdk(
        c.toBuilder().proxy(p.loopbackProxied() ? bare.withLoopbackProxied() : bare).build());
  }

  private static ProxyConfig.Server bare(ProxyConfig.Server s) {
    if (s == null) {
      return null;
    }
    return s.type() == ProxyConfig.Type.SOCKS
        ? ProxyConfig.Server.socks(s.host(), s.port())
        : ProxyConfig.Server.http(s.host(), s.port());
  }

  /** A proxy's refusal reaches the caller as a plain connection failure, its type lost. */
  static Transport refusalUntyped(TransportConfig c) {
    return mapped(
        jdk(c),
        e ->
            e instanceof ProxyAuthenticationException
                ? new ConnectionException("connection failed", e.request(), e.transport(), e)
                : e);
  }

  /** Answers a server's 401 with the proxy's credentials, as a shared authenticator would. */
  static Transport answersServer401(TransportConfig c) {
    ProxyConfig.Server s = c.proxy() == null ? null : c.proxy().forHttp();
    Transport t = jdk(c);
    return onFailure(
        t,
        (request, f) -> {
          if (f instanceof HttpStatusException h
              && h.status() == 401
              && s != null
              && s.hasCredentials()) {
            String basic =
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(
                            (s.username() + ":" + s.password()).getBytes(StandardCharsets.UTF_8));
            return t.send(request.toBuilder().header("Authorization", basic).build());
          }
          return CompletableFuture.failedFuture(f);
        });
  }

  /**
   * Keeps every failure as it is, with the proxy's user and password added to it (as a suppressed
   * exception that says what was sent, as a debugging wrapper might).
   */
  static Transport leaksCredentials(TransportConfig c) {
    ProxyConfig p = c.proxy();
    ProxyConfig.Server s = p == null ? null : p.forHttp();
    if (s == null || !s.hasCredentials()) {
      return jdk(c);
    }
    return mapped(
        jdk(c),
        e -> {
          e.addSuppressed(
              new IllegalStateException(
                  "sent with proxy credentials " + s.username() + ":" + s.password()));
          return e;
        });
  }

  /** A connection failure says "connection refused" without naming the proxy it was to. */
  static Transport hidesProxy(TransportConfig c) {
    return mapped(
        jdk(c),
        e ->
            e instanceof ConnectionException && !(e instanceof ProxyAuthenticationException)
                ? new ConnectionException(
                    "connection refused", e.request(), e.transport(), e.getCause())
                : e);
  }

  /** A failure through a misbehaving proxy comes out as the library's raw IOException. */
  static Transport untypedFailures(TransportConfig c) {
    return onFailure(
        jdk(c),
        (request, f) -> CompletableFuture.failedFuture(new IOException("proxy failure", f)));
  }

  /** Waits for a proxy's CONNECT answer as long as the library does: ten minutes. */
  static Transport connectUnbounded(TransportConfig c) {
    return jdk(c.toBuilder().connectTimeout(Duration.ofMinutes(10)).build());
  }

  /** {@code t}, every TransportException a send fails with mapped by {@code map}. */
  private static Transport mapped(Transport t, UnaryOperator<TransportException> map) {
    return onFailure(
        t,
        (request, f) ->
            CompletableFuture.failedFuture(f instanceof TransportException te ? map.apply(te) : f));
  }

  /**
   * {@code t}, a failed send handed to {@code handler} (with the exception, unwrapped); shared by
   * the broken transports that mishandle failures.
   */
  static Transport onFailure(
      Transport t, BiFunction<Request, Throwable, CompletableFuture<Response>> handler) {
    return new ForwardingTransport(t) {
      @Override
      public CompletableFuture<Response> send(Request request) {
        return delegate
            .send(request)
            .handle(
                (r, e) -> {
                  if (e == null) {
                    return CompletableFuture.completedFuture(r);
                  }
                  Throwable f = e instanceof CompletionException ce ? ce.getCause() : e;
                  return handler.apply(request, f);
                })
            .thenCompose(f -> f);
      }
    };
  }
}
