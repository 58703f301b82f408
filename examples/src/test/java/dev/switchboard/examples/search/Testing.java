package dev.switchboard.examples.search;

import dev.switchboard.Body;
import dev.switchboard.GetWithBody;
import dev.switchboard.Request;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/** What the tests share: the transports under test and how each is configured. */
final class Testing {
  /**
   * The transports this module depends on (see pom.xml); every test runs on each. The system
   * property {@code examples.transports} (comma-separated) narrows the run while developing.
   */
  static final List<String> TRANSPORTS =
      List.of(System.getProperty("examples.transports", "jdk,apache,okhttp").split(","));

  /** Per transport, the method that last carried a {@code _search} on the wire. */
  static final Map<String, String> searchMethodOnTheWire = new ConcurrentHashMap<>();

  /** Per transport, the body that last carried a {@code _bulk} on the wire. */
  static final Map<String, Body> bulkBodyOnTheWire = new ConcurrentHashMap<>();

  private Testing() {}

  /**
   * Skips (never passes) a test while {@code transport}'s engine cannot send a body that is not in
   * memory: until the engines' #19 work lands, they fail such a request before connecting, with an
   * {@link IllegalStateException} from {@code Body.bytes()}. Any other outcome runs the test. The
   * probe goes to a port of 127.0.0.1 where nothing listens.
   */
  static void assumeEngineStreamsRequestBodies(String transport) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    try (Transport t = Transports.create(config(transport))) {
      Request probe =
          Request.builder("PUT", "http://127.0.0.1:" + port + "/")
              .body(Body.ofInputStream(() -> new ByteArrayInputStream(new byte[1]), 1, null))
              .build();
      Throwable failure = null;
      try {
        t.execute(probe);
      } catch (RuntimeException e) {
        failure = e;
      }
      for (Throwable c = failure; c != null; c = c.getCause()) {
        Assumptions.assumeFalse(
            c instanceof IllegalStateException
                && String.valueOf(c.getMessage()).contains("has no byte array"),
            "the " + transport + " engine does not stream request bodies yet (#19): " + c);
      }
    }
  }

  /**
   * OkHttp cannot send a GET with a body, so it sends the search as POST; the others natively. An
   * interceptor notes the method each search went out with (a response carries the request as it
   * was sent).
   */
  static TransportConfig config(String transport) {
    return TransportConfig.builder()
        .provider(transport)
        .getWithBody("okhttp".equals(transport) ? GetWithBody.AS_POST : GetWithBody.NATIVE)
        .interceptor(
            chain ->
                chain
                    .proceed(chain.request())
                    .thenApply(
                        r -> {
                          if (r.request().uri().getPath().endsWith("/_search")) {
                            searchMethodOnTheWire.put(transport, r.request().method());
                          }
                          if (r.request().uri().getPath().endsWith("/_bulk")) {
                            bulkBodyOnTheWire.put(transport, r.request().body());
                          }
                          return r;
                        }))
        .build();
  }
}
