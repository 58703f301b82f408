package dev.switchboard.okhttp;

import dev.switchboard.ProxyConfig;
import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Authenticator;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.Route;

/**
 * OkHttp's proxy authenticator for a {@link ProxyConfig}: answers a proxy's {@code 407} (and
 * OkHttp's preemptive call before a {@code CONNECT}) with the Basic credentials configured for that
 * proxy, once; gives up (OkHttp then fails a {@code CONNECT} with "Failed to authenticate with
 * proxy", or hands a forwarded request's {@code 407} over) when the proxy refused them or none are
 * configured. Set as OkHttp's {@code proxyAuthenticator} only: a server's {@code 401} goes to
 * OkHttp's {@code authenticator}, which stays {@code NONE}.
 */
final class ProxyCredentials implements Authenticator {
  /** OkHttp's exception when its proxy authenticator gave up on a {@code CONNECT}. */
  static final String GAVE_UP = "Failed to authenticate with proxy";

  private final ProxyConfig proxy;

  ProxyCredentials(ProxyConfig proxy) {
    this.proxy = proxy;
  }

  @Override
  public Request authenticate(Route route, Response response) {
    if (route == null
        || route.proxy().type() != Proxy.Type.HTTP
        || !(route.proxy().address() instanceof InetSocketAddress at)) {
      return null;
    }
    ProxyConfig.Server server = proxy.serverAt(at.getHostString(), at.getPort()).orElse(null);
    if (server == null || !server.hasCredentials()) {
      return null;
    }
    String credentials = server.basicAuthorization();
    if (credentials.equals(response.request().header("Proxy-Authorization"))) {
      return null; // refused once: the same credentials would be refused again
    }
    return response.request().newBuilder().header("Proxy-Authorization", credentials).build();
  }
}
