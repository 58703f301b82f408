package dev.switchboard.examples.search;

import dev.switchboard.GetWithBody;
import dev.switchboard.TransportConfig;
import java.util.List;

/** What the tests share: the transports under test and how each is configured. */
final class Testing {
  /**
   * The transports this module depends on (see pom.xml); every test runs on each. The system
   * property {@code examples.transports} (comma-separated) narrows the run while developing.
   */
  static final List<String> TRANSPORTS =
      List.of(System.getProperty("examples.transports", "jdk,apache,okhttp").split(","));

  private Testing() {}

  /** OkHttp cannot send a GET with a body, so it sends the search as POST; the others natively. */
  static TransportConfig config(String transport) {
    TransportConfig.Builder b = TransportConfig.builder().provider(transport);
    b.getWithBody("okhttp".equals(transport) ? GetWithBody.AS_POST : GetWithBody.NATIVE);
    return b.build();
  }
}
