package dev.switchboard.tck.selftest;

import dev.switchboard.Request;
import dev.switchboard.RequestSigner;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import java.util.concurrent.CompletableFuture;

/**
 * Broken transports for the {@code auth} area, over the real {@code jdk} engine or transport: each
 * authenticates the way HTTP stacks and their wrappers have got wrong.
 */
final class BrokenAuth {
  private BrokenAuth() {}

  /** Signs in an interceptor, before GET-body mode, header defaults and redirects. */
  static Transport signsBeforeTheWire(TransportConfig c) {
    RequestSigner signer = c.signer();
    if (signer == null) {
      return Transports.create(BrokenTransports.jdkConfig(c));
    }
    return Transports.create(
        BrokenTransports.jdkConfig(
            c.toBuilder()
                .signer(null)
                .interceptor(
                    chain -> {
                      try {
                        return chain.proceed(signer.sign(chain.request()));
                      } catch (Exception e) {
                        return CompletableFuture.failedFuture(e);
                      }
                    })
                .build()));
  }

  /**
   * Remembers the first {@code Authorization} an engine sends and puts it on every later request (a
   * per-client authentication cache): a refreshed token never goes out, and credentials follow a
   * redirect to any host.
   */
  static final class CachesAuthorization extends ForwardingEngine {
    private volatile String cached;

    CachesAuthorization(TransportEngine delegate) {
      super(delegate);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener listener) {
      Request wire = r.request();
      String auth = wire.header("Authorization");
      if (cached == null && auth != null) {
        cached = auth;
      } else if (cached != null) {
        wire =
            wire.toBuilder().removeHeader("Authorization").header("Authorization", cached).build();
      }
      return delegate.start(
          new ExchangeRequest(wire, r.connectTimeout(), r.responseTimeout()), listener);
    }
  }

  /** A signer's (or a token supplier's) exception comes out as it is, not typed. */
  static Transport rawSignerFailures(TransportConfig c) {
    return BrokenProxy.onFailure(
        Transports.create(BrokenTransports.jdkConfig(c)),
        (request, f) ->
            CompletableFuture.failedFuture(
                f instanceof TransportException te
                        && te.getCause() != null
                        && !(te.getCause() instanceof TransportException)
                        && te.getMessage().startsWith("the request signer")
                    ? te.getCause()
                    : f));
  }

  /** Puts the request's Authorization value in every failure, as a debugging wrapper might. */
  static Transport leaksAuthorization(TransportConfig c) {
    return BrokenProxy.onFailure(
        Transports.create(BrokenTransports.jdkConfig(c)),
        (request, f) -> {
          if (f instanceof TransportException te && te.request() != null) {
            te.addSuppressed(
                new IllegalStateException(
                    "sent Authorization: " + te.request().header("Authorization")));
          }
          return CompletableFuture.failedFuture(f);
        });
  }
}
