package com.example.acme;

import dev.switchboard.Capability;
import dev.switchboard.TransportConfig;
import dev.switchboard.jdk.JdkTransportProvider;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.Set;

/** A third party's transport, "acme": the JDK engine under another name. */
public final class AcmeTransportProvider implements TransportProvider {
  private final TransportProvider jdk = new JdkTransportProvider();

  @Override
  public String name() {
    return "acme";
  }

  @Override
  public Set<Capability> capabilities() {
    return jdk.capabilities();
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    TransportEngine engine = jdk.create(config);
    return new TransportEngine() {
      @Override
      public String name() {
        return "acme";
      }

      @Override
      public Set<Capability> capabilities() {
        return engine.capabilities();
      }

      @Override
      public Exchange start(ExchangeRequest request, ExchangeListener listener) {
        return engine.start(request, listener);
      }

      @Override
      public void close() {
        engine.close();
      }
    };
  }
}
