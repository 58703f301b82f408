package dev.switchboard.examples.search;

import dev.switchboard.Body;
import dev.switchboard.GetWithBody;
import dev.switchboard.TransportConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
