package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The choice among several providers, none named, is logged once at DEBUG through System.Logger
 * (here its default backend, java.util.logging, where DEBUG is FINE).
 */
class TransportsChoiceLogTest {
  private final Logger jul = Logger.getLogger(Transports.class.getName());
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (records) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Level level;

  @BeforeEach
  void capture() {
    level = jul.getLevel();
    jul.setLevel(Level.FINE);
    jul.addHandler(handler);
  }

  @AfterEach
  void release() {
    jul.removeHandler(handler);
    jul.setLevel(level);
  }

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

  private static String choose(List<TransportProvider> ps, String named) {
    TransportConfig c = TransportConfig.builder().provider(named).build();
    return Transports.choose(ps, c, k -> null, k -> null).name();
  }

  private List<String> messages() {
    synchronized (records) {
      return records.stream()
          .map(r -> new java.text.MessageFormat(r.getMessage()).format(r.getParameters()))
          .toList();
    }
  }

  @Test
  void severalUnnamedIsLoggedOnceWithTheChosenAndTheOthers() {
    List<TransportProvider> ps =
        List.of(provider("log-b", 0), provider("log-c", 5), provider("log-a", 0));
    assertEquals("log-c", choose(ps, null));
    assertEquals("log-c", choose(ps, null));
    List<String> m = messages();
    assertEquals(1, m.size(), m.toString());
    assertEquals(Level.FINE, records.get(0).getLevel());
    String line = m.get(0);
    assertTrue(line.contains("chose transport 'log-c'"), line);
    assertTrue(line.contains("log-c (priority 5), log-a (priority 0), log-b (priority 0)"), line);
    assertTrue(line.contains("TransportConfig.provider(name)"), line);
    assertTrue(line.contains("-D" + Transports.PROPERTY + "=name"), line);
  }

  @Test
  void aNamedProviderOrASingleOneIsNotLogged() {
    List<TransportProvider> ps = List.of(provider("quiet-a", 0), provider("quiet-b", 0));
    assertEquals("quiet-b", choose(ps, "quiet-b"));
    assertEquals("quiet-a", choose(List.of(provider("quiet-a", 0)), null));
    assertEquals(List.of(), messages());
  }

  @Test
  void providersAreInTheOrderCreatePrefersThem() {
    List<TransportProvider> ps =
        new ArrayList<>(List.of(provider("okhttp", 0), provider("jdk", 0), provider("apache", 0)));
    ps.sort(Transports.ORDER);
    assertEquals("apache", ps.get(0).name());
    assertEquals("jdk", ps.get(1).name());
    assertEquals("okhttp", ps.get(2).name());
  }
}
