package dev.switchboard.jdk;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.tck.TransportTck;
import java.net.http.HttpClient;
import java.time.Duration;

/** The whole conformance kit against the {@code jdk} transport. */
class JdkTransportTckTest extends TransportTck {
  @Override
  protected Transport create(TransportConfig config) {
    return Transports.create(config.toBuilder().provider("jdk").build());
  }

  @Override
  protected Transport createWithUserClient(TransportConfig config) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(30));
    if (config.sslContext() != null) {
      b.sslContext(config.sslContext());
    }
    return JdkTransports.wrap(b.build(), config);
  }
}
