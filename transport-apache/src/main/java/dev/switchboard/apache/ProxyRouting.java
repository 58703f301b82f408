package dev.switchboard.apache;

import dev.switchboard.ProxyConfig;
import java.util.List;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.Credentials;
import org.apache.hc.client5.http.auth.CredentialsProvider;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.routing.SystemDefaultRoutePlanner;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * A {@link ProxyConfig} on an HC5 client: routes from its {@link ProxyConfig#proxySelector()} (an
 * HTTP proxy: forward requests, {@code CONNECT} tunnels for TLS), the configured Basic credentials
 * for a proxy's {@code 407} and for nothing else — HC5's target authentication strategy selects no
 * scheme, so a server's {@code 401} is never answered and reaches the caller.
 */
final class ProxyRouting {
  private ProxyRouting() {}

  static HttpAsyncClientBuilder apply(HttpAsyncClientBuilder builder, ProxyConfig proxy) {
    return builder
        .setRoutePlanner(new SystemDefaultRoutePlanner(proxy.proxySelector()))
        .setDefaultCredentialsProvider(new ProxyCredentials(proxy))
        .setTargetAuthenticationStrategy((type, challenges, context) -> List.of());
  }

  /** Whether HC5's authentication must be on: only for a proxy that has credentials. */
  static boolean needsAuthentication(ProxyConfig proxy) {
    return proxy != null && proxy.servers().stream().anyMatch(ProxyConfig.Server::hasCredentials);
  }

  /** The configured credentials for a proxy's scope; none for any other. */
  private static final class ProxyCredentials implements CredentialsProvider {
    private final ProxyConfig proxy;

    ProxyCredentials(ProxyConfig proxy) {
      this.proxy = proxy;
    }

    @Override
    public Credentials getCredentials(AuthScope scope, HttpContext context) {
      if (scope.getHost() == null) {
        return null;
      }
      return proxy
          .serverAt(scope.getHost(), scope.getPort())
          .filter(ProxyConfig.Server::hasCredentials)
          .map(s -> new UsernamePasswordCredentials(s.username(), s.password().toCharArray()))
          .orElse(null);
    }
  }
}
