package dev.switchboard.jdk;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * Makes a {@link Transport} over an {@link HttpClient} the caller already has (with its proxy,
 * certificates or executor). The result behaves exactly like a discovered {@code jdk} transport.
 *
 * <p>The caller keeps owning the client: closing the transport leaves the client and its executor
 * running. Per option:
 *
 * <ul>
 *   <li>{@code httpVersion} is set on every request, whatever the client's default;
 *   <li>{@code connectTimeout} (and a request's own) is enforced by the transport, besides any the
 *       client has;
 *   <li>{@code maxConnectionsPerHost} and {@code maxConnections} are enforced by the transport;
 *   <li>{@code sslContext} must be {@code null} (the client's is used) or the client's own;
 *   <li>{@code proxy} must be {@code null}: the client's own proxy selector is used;
 *   <li>the client must not follow redirects ({@link HttpClient.Redirect#NEVER}) nor have an {@link
 *       java.net.Authenticator}: both make the JDK send requests by itself, which Switchboard
 *       transports never do ({@code TransportConfig.followRedirects} and an interceptor do it
 *       instead).
 * </ul>
 *
 * Anything else is rejected with {@link UnsupportedFeatureException}.
 */
public final class JdkTransports {
  private JdkTransports() {}

  /** Wraps {@code client} with the default configuration. */
  public static Transport wrap(HttpClient client) {
    return wrap(client, TransportConfig.defaults());
  }

  /**
   * Wraps {@code client} with {@code config}.
   *
   * @throws UnsupportedFeatureException when the client contradicts the configuration (see above)
   */
  public static Transport wrap(HttpClient client, TransportConfig config) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(config, "config");
    if (client.followRedirects() != HttpClient.Redirect.NEVER) {
      throw unsupported(
          "the HttpClient follows redirects ("
              + client.followRedirects()
              + "); build it with followRedirects(Redirect.NEVER) and set"
              + " TransportConfig.followRedirects(true) to have Switchboard follow them");
    }
    if (client.authenticator().isPresent()) {
      throw unsupported(
          "the HttpClient has an Authenticator, with which the JDK resends requests on 401;"
              + " build it without one and add the Authorization header in an Interceptor");
    }
    if (config.proxy() != null) {
      throw unsupported(
          "TransportConfig.proxy cannot be applied to an HttpClient you built; leave it unset and"
              + " build the HttpClient with proxy(config.proxy().proxySelector()), or let the"
              + " transport build its own client");
    }
    if (config.sslContext() != null && config.sslContext() != client.sslContext()) {
      throw unsupported(
          "TransportConfig.sslContext differs from the HttpClient's own, which cannot be changed;"
              + " leave sslContext unset or build the HttpClient with it");
    }
    return Transports.wrap(new JdkEngine(config, client), config);
  }

  private static UnsupportedFeatureException unsupported(String message) {
    return new UnsupportedFeatureException(message, null, JdkEngine.NAME);
  }
}
