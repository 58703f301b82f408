package dev.switchboard;

import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.EnumSet;
import java.util.Set;

/** Registered through META-INF/services in the test class path, to test discovery for real. */
public final class FakeProvider implements TransportProvider {
  @Override
  public String name() {
    return "fake";
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.GET_WITH_BODY);
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    if (config.httpVersion() == HttpVersion.HTTP_2) {
      throw new UnsupportedFeatureException(
          "the fake transport speaks HTTP/1.1 only", null, name());
    }
    return new FakeEngine();
  }
}
