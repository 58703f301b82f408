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
    return s == null ? null : ProxyConfig.Server.http(s.host(), s.port());
  }

  /** A proxy's refusal reaches the caller as a plain connection failure, its type lost. */
  static Transport refusalUntyped(TransportConfig c) {
    return new Mapped(
        jdk(c),
        e ->
            e instanceof ProxyAuthenticationException
                ? new ConnectionException("connection failed", e.request(), e.transport(), e)
                : e);
  }

  /** Answers a server's 401 with the proxy's credentials, as a shared authenticator would. */
  static Transport answersServer401(TransportConfig c) {
    ProxyConfig p = c.proxy();
    Transport t = jdk(c);
    return new ForwardingTransport(t) {
      @Override
      public CompletableFuture<Response> send(Request request) {
        return delegate
            .send(request)
            .handle(
                (r, e) -> {
                  Throwable f = e instanceof CompletionException ce ? ce.getCause() : e;
                  ProxyConfig.Server s = p == null ? null : p.forHttp();
                  if (f instanceof HttpStatusException h
                      && h.status() == 401
                      && s != null
                      && s.hasCredentials()) {
                    String basic =
                        "Basic "
                            + Base64.getEncoder()
                                .encodeToString(
                                    (s.username() + ":" + s.password())
                                        .getBytes(StandardCharsets.UTF_8));
                    return delegate.send(
                        request.toBuilder().header("Authorization", basic).build());
                  }
                  return e == null
                      ? CompletableFuture.completedFuture(r)
                      : CompletableFuture.<Response>failedFuture(f);
                })
            .thenCompose(f -> f);
      }
    };
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
    return new Mapped(
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
    return new Mapped(
        jdk(c),
        e ->
            e instanceof ConnectionException && !(e instanceof ProxyAuthenticationException)
                ? new ConnectionException(
                    "connection refused", e.request(), e.transport(), e.getCause())
                : e);
  }

  /** A failure through a misbehaving proxy comes out as the library's raw IOException. */
  static Transport untypedFailures(TransportConfig c) {
    Transport t = jdk(c);
    return new ForwardingTransport(t) {
      @Override
      public CompletableFuture<Response> send(Request request) {
        return delegate
            .send(request)
            .handle(
                (r, e) ->
                    e == null
                        ? CompletableFuture.completedFuture(r)
                        : CompletableFuture.<Response>failedFuture(
                            new IOException("proxy failure", e)))
            .thenCompose(f -> f);
      }
    };
  }

  /** Waits for a proxy's CONNECT answer as long as the library does: ten minutes. */
  static Transport connectUnbounded(TransportConfig c) {
    return jdk(c.toBuilder().connectTimeout(Duration.ofMinutes(10)).build());
  }

  /** Maps every TransportException a send fails with. */
  private static final class Mapped extends ForwardingTransport {
    private final java.util.function.UnaryOperator<TransportException> map;

    Mapped(Transport delegate, java.util.function.UnaryOperator<TransportException> map) {
      super(delegate);
      this.map = map;
    }

    @Override
    public CompletableFuture<Response> send(Request request) {
      return delegate
          .send(request)
          .handle(
              (r, e) -> {
                Throwable f = e instanceof CompletionException ce ? ce.getCause() : e;
                if (f == null) {
                  return CompletableFuture.completedFuture(r);
                }
                return CompletableFuture.<Response>failedFuture(
                    f instanceof TransportException te ? map.apply(te) : f);
              })
          .thenCompose(f -> f);
    }
  }
}
