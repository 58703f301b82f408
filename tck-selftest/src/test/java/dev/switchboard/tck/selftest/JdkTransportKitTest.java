package dev.switchboard.tck.selftest;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.jdk.JdkTransports;
import dev.switchboard.tck.TransportTck;
import java.net.http.HttpClient;

/** The whole kit against the real JDK transport: it must pass. */
class JdkTransportKitTest extends TransportTck {
  @Override
  protected Transport create(TransportConfig config) {
    return Transports.create(config.toBuilder().provider("jdk").build());
  }

  @Override
  protected Transport createWithUserClient(TransportConfig config) {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return JdkTransports.wrap(client, config);
  }
}
