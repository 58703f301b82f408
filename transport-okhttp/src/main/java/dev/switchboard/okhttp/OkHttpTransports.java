package dev.switchboard.okhttp;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * Makes {@link Transport}s over OkHttp, in particular over an {@link OkHttpClient} the application
 * already has.
 *
 * <p>A wrapped client keeps its interceptors and network interceptors, certificates ({@code
 * sslSocketFactory}, {@code certificatePinner}, {@code hostnameVerifier}), connection pool, DNS,
 * proxy, cookie jar and event listener (its proxy settings are replaced when {@code config} names a
 * {@link dev.switchboard.ProxyConfig}). Switchboard derives a client from it ({@link
 * OkHttpClient#newBuilder()}, which shares the pool) and overrides only what its contract requires:
 * no retries on connection failure, no redirects (Switchboard follows them itself when asked), no
 * transparent gzip and no OkHttp {@code User-Agent}; the connect timeout, HTTP version and (when
 * set) {@code SSLContext} of {@code config}; OkHttp's read, write and call timeouts off
 * (Switchboard runs the response and request timeouts); and a Dispatcher of its own, limited to
 * {@code config.maxConnectionsPerHost()} and {@code config.maxConnections()}, so the result behaves
 * exactly like a discovered transport. The user's client is not modified, and closing the transport
 * leaves its pool running: the application owns it.
 */
public final class OkHttpTransports {
  private OkHttpTransports() {}

  /**
   * A transport over a client of its own, made from {@code config}.
   *
   * @throws dev.switchboard.UnsupportedFeatureException when the OkHttp on the class path is not
   *     5.x (say 4.x, brought by Retrofit): the message names the version found and the fix
   */
  public static Transport create(TransportConfig config) {
    OkHttpVersionCheck.check();
    return Transports.wrap(OkHttpEngine.create(Objects.requireNonNull(config, "config")), config);
  }

  /** A transport over {@code client} with the default configuration. */
  public static Transport wrap(OkHttpClient client) {
    return wrap(client, TransportConfig.defaults());
  }

  /**
   * A transport over {@code client} with {@code config}; see the class description.
   *
   * @throws dev.switchboard.UnsupportedFeatureException when the OkHttp on the class path is not
   *     5.x (say 4.x, brought by Retrofit): the message names the version found and the fix
   */
  public static Transport wrap(OkHttpClient client, TransportConfig config) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(config, "config");
    OkHttpVersionCheck.check();
    if (config.maxIdleTime() != null) {
      throw new dev.switchboard.UnsupportedFeatureException(
          "TransportConfig.maxIdleTime cannot be applied to an OkHttpClient you built (its"
              + " connection pool is yours); leave it unset and give the client a"
              + " ConnectionPool(maxIdle, keepAliveDuration, unit)",
          null,
          OkHttpEngine.NAME);
    }
    return Transports.wrap(OkHttpEngine.wrap(client, config), config);
  }
}
