package dev.switchboard.examples.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchboard.ConnectionException;
import dev.switchboard.Transport;
import dev.switchboard.Transports;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node that answered and then stopped gives a {@link ConnectionException} on every transport. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StoppedNodeTest {
  @Test
  void aStoppedNodeIsAConnectionExceptionOnEveryTransport() throws InterruptedException {
    Map<String, Transport> transports = new LinkedHashMap<>();
    try {
      for (String name : Testing.TRANSPORTS) {
        transports.put(name, Transports.create(Testing.config(name)));
      }
      Map<String, SearchClient> clients = new LinkedHashMap<>();
      try (EmbeddedOpenSearch node = EmbeddedOpenSearch.start()) {
        transports.forEach((name, t) -> clients.put(name, new SearchClient(t, node.uri())));
        // every transport now holds a live keep-alive connection to the node
        clients.forEach(
            (name, c) -> assertEquals("green", SearchClient.await(c.health()).status(), name));
      }
      Thread.sleep(200); // let the clients see the node's connections close
      clients.forEach(
          (name, c) -> {
            ConnectionException e =
                assertThrows(ConnectionException.class, () -> SearchClient.await(c.health()), name);
            assertEquals(name, e.transport());
            assertFalse(e.requestSent(), name);
          });
    } finally {
      transports.values().forEach(Transport::close);
    }
  }
}
