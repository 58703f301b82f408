package dev.switchboard.okhttp;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.tck.TransportTck;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;

/** The whole conformance kit against the {@code okhttp} transport. */
class OkHttpTransportTckTest extends TransportTck {
  private final List<OkHttpClient> userClients = new CopyOnWriteArrayList<>();

  @Override
  protected Transport create(TransportConfig config) {
    return Transports.create(config.toBuilder().provider("okhttp").build());
  }

  /** A client as an application would build it: its own timeouts, OkHttp's default limits. */
  @Override
  protected Transport createWithUserClient(TransportConfig config) {
    OkHttpClient user =
        new OkHttpClient.Builder()
            .connectTimeout(30, TimeUnit.SECONDS)
            .readTimeout(30, TimeUnit.SECONDS)
            .build();
    userClients.add(user);
    return OkHttpTransports.wrap(user, config);
  }

  /** The application owns its clients: it closes them. */
  @AfterAll
  void closeUserClients() {
    for (OkHttpClient c : userClients) {
      c.dispatcher().executorService().shutdown();
      c.connectionPool().evictAll();
    }
  }
}
