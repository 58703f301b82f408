package dev.switchboard.okhttp;

import dev.switchboard.Capability;
import dev.switchboard.TransportConfig;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.Set;

/**
 * Registers the {@code okhttp} transport with {@link java.util.ServiceLoader}: OkHttp 5, with
 * {@link Capability#HTTP_2} (over TLS, by ALPN) and {@link Capability#CUSTOM_SSL_CONTEXT}. It has
 * no {@link Capability#GET_WITH_BODY}: OkHttp cannot send a GET with a body, so use {@link
 * dev.switchboard.GetWithBody#AS_POST} with it.
 *
 * <p>To wrap an {@code OkHttpClient} you already have, use {@link OkHttpTransports#wrap}.
 */
public final class OkHttpTransportProvider implements TransportProvider {
  /** Creates the provider; cheap, starts nothing. */
  public OkHttpTransportProvider() {}

  @Override
  public String name() {
    return OkHttpEngine.NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return OkHttpEngine.CAPABILITIES;
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    OkHttpVersionCheck.check();
    return OkHttpEngine.create(config);
  }
}
