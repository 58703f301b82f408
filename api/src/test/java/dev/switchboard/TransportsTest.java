package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransportsTest {
  private static TransportProvider provider(String name, int priority) {
    return new TransportProvider() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int priority() {
        return priority;
      }

      @Override
      public Set<Capability> capabilities() {
        return Set.of();
      }

      @Override
      public TransportEngine create(TransportConfig config) {
        return new FakeEngine(name, Set.of());
      }
    };
  }

  private static final List<TransportProvider> THREE =
      List.of(provider("okhttp", 10), provider("jdk", 0), provider("apache", 10));

  private static String choose(
      List<TransportProvider> ps,
      String config,
      Map<String, String> props,
      Map<String, String> env) {
    TransportConfig c = TransportConfig.builder().provider(config).build();
    return Transports.choose(ps, c, props::get, env::get).name();
  }

  @Test
  void configWinsOverPropertyAndEnvironment() {
    assertEquals(
        "jdk",
        choose(
            THREE, "jdk", Map.of(Transports.PROPERTY, "okhttp"), Map.of(Transports.ENV, "apache")));
  }

  @Test
  void propertyWinsOverEnvironment() {
    assertEquals(
        "okhttp",
        choose(
            THREE, null, Map.of(Transports.PROPERTY, "okhttp"), Map.of(Transports.ENV, "apache")));
  }

  @Test
  void environmentIsUsedWhenNothingElseNamesOne() {
    assertEquals("jdk", choose(THREE, null, Map.of(), Map.of(Transports.ENV, "JDK")));
  }

  @Test
  void theOnlyProviderIsChosen() {
    assertEquals("jdk", choose(List.of(provider("jdk", -5)), null, Map.of(), Map.of()));
  }

  @Test
  void highestPriorityWinsAndTiesAreBrokenByName() {
    assertEquals("apache", choose(THREE, null, Map.of(), Map.of()));
    assertEquals("apache", choose(List.of(THREE.get(2), THREE.get(0)), null, Map.of(), Map.of()));
  }

  @Test
  void noProviderNamesTheArtifactsToAdd() {
    TransportException e =
        assertThrows(TransportException.class, () -> choose(List.of(), null, Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("switchboard-transport-jdk"), e.getMessage());
    assertTrue(e.getMessage().contains("switchboard-transport-apache"), e.getMessage());
    assertTrue(e.getMessage().contains("switchboard-transport-okhttp"), e.getMessage());
  }

  @Test
  void aMissingNamedProviderListsThosePresent() {
    TransportException e =
        assertThrows(
            TransportException.class,
            () -> choose(THREE, null, Map.of(Transports.PROPERTY, "netty"), Map.of()));
    assertTrue(e.getMessage().contains("'netty'"), e.getMessage());
    assertTrue(e.getMessage().contains("system property switchboard.transport"), e.getMessage());
    assertTrue(e.getMessage().contains("apache, okhttp, jdk"), e.getMessage());
  }

  @Test
  void serviceLoaderFindsTheRegisteredProvider() {
    assertEquals(List.of("fake"), Transports.providers().stream().map(p -> p.name()).toList());
    try (Transport t = Transports.create()) {
      assertEquals("fake", t.name());
      assertEquals(Set.of(Capability.GET_WITH_BODY), t.capabilities());
    }
  }

  @Test
  void anOptionTheProviderCannotHonourIsRejectedAtCreation() {
    TransportConfig c = TransportConfig.builder().httpVersion(HttpVersion.HTTP_2).build();
    UnsupportedFeatureException e =
        assertThrows(UnsupportedFeatureException.class, () -> Transports.create(c));
    assertTrue(e.getMessage().contains("HTTP/1.1 only"), e.getMessage());
  }
}
