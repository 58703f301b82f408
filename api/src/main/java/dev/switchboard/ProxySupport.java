package dev.switchboard;

import java.util.Set;

/**
 * Whether a transport can honour a configuration's {@link ProxyConfig}: checked when the transport
 * is created, so that a proxy it cannot use is refused then, naming the alternative, instead of
 * being ignored (requests going direct) or failing at the first request.
 */
final class ProxySupport {
  private ProxySupport() {}

  /**
   * @throws UnsupportedFeatureException when {@code config}'s proxy needs a capability the {@code
   *     name}d transport lacks
   */
  static void check(TransportConfig config, String name, Set<Capability> capabilities) {
    ProxyConfig proxy = config.proxy();
    if (proxy == null) {
      return;
    }
    for (ProxyConfig.Server s : proxy.servers()) {
      if (s.type() == ProxyConfig.Type.SOCKS && s.hasCredentials()) {
        throw refused(
            name,
            "cannot give credentials to a SOCKS proxy ("
                + s
                + "): no transport can, per transport; use an HTTP proxy with credentials");
      }
    }
    if (proxy.uses(ProxyConfig.Type.SOCKS) && !capabilities.contains(Capability.SOCKS_PROXY)) {
      throw refused(
          name,
          "cannot go through a SOCKS proxy; use an HTTP proxy, or a transport with SOCKS_PROXY"
              + " (okhttp)");
    }
    ProxyConfig.Server tunnel = proxy.forHttps();
    if (tunnel != null
        && tunnel.type() == ProxyConfig.Type.HTTP
        && tunnel.hasCredentials()
        && !capabilities.contains(Capability.PROXY_TUNNEL_CREDENTIALS)) {
      throw refused(
          name,
          "cannot answer a proxy's 407 to a CONNECT (an https:// request through an HTTP proxy)"
              + " with Basic credentials; use a transport with PROXY_TUNNEL_CREDENTIALS: okhttp,"
              + " apache, or jdk on a JVM started with -Djdk.http.auth.tunneling.disabledSchemes="
              + " (the JDK disables Basic for tunnels by default), or give credentials only to"
              + " the proxy for http://");
    }
  }

  private static UnsupportedFeatureException refused(String name, String what) {
    return new UnsupportedFeatureException("the " + name + " transport " + what, null, name);
  }
}
