package dev.switchboard.cli;

import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.Set;

/**
 * A deliberately broken transport ({@code --transport broken}) for the test of {@code check}'s exit
 * status: the JDK transport, except that it silently drops every request body.
 */
public final class BrokenProvider implements TransportProvider {
  static final String NAME = "broken";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -100;
  }

  @Override
  public Set<Capability> capabilities() {
    return jdk().capabilities();
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    return new BodyDropping(jdk().create(config));
  }

  private static TransportProvider jdk() {
    return Transports.providers().stream()
        .filter(p -> p.name().equals("jdk"))
        .findFirst()
        .orElseThrow();
  }

  private record BodyDropping(TransportEngine delegate) implements TransportEngine {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
      return delegate.capabilities();
    }

    @Override
    public Exchange start(ExchangeRequest exchange, ExchangeListener listener) {
      ExchangeRequest withoutBody =
          new ExchangeRequest(
              exchange.request().toBuilder()
                  .body(Body.empty())
                  .removeHeader("Content-Type")
                  .build(),
              exchange.connectTimeout(),
              exchange.responseTimeout());
      return delegate.start(withoutBody, listener);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
