package dev.switchboard;

import java.util.Set;

/**
 * Whether a transport can honour a configuration's {@link ProxyConfig} (and its pool's {@link
 * TransportConfig#maxIdleTime()}): checked when the transport is created, so that what it cannot do
 * is refused then, naming the alternative, instead of being ignored (requests going direct,
 * connections kept) or failing at the first request.
 */
final class CapabilityChecks {
  private CapabilityChecks() {}

  /**
   * @throws UnsupportedFeatureException when {@code config}'s proxy needs a capability the {@code
   *     name}d transport lacks
   */
  static void check(TransportConfig config, String name, Set<Capability> capabilities) {
    if (config.maxIdleTime() != null && !capabilities.contains(Capability.MAX_IDLE_TIME)) {
      throw refused(
          name,
          "cannot close pooled connections after maxIdleTime; leave it unset (the library's"
              + " default), or use a transport with MAX_IDLE_TIME (okhttp, apache)"
              + (name.equals("jdk")
                  ? "; the JDK's keep-alive is JVM-wide: -Djdk.httpclient.keepalive.timeout=<s>"
                  : ""));
    }
    if (config.connectionTimeToLive() != null
        && !capabilities.contains(Capability.CONNECTION_TIME_TO_LIVE)) {
      throw refused(
          name,
          "cannot retire connections after connectionTimeToLive (its library has no such limit);"
              + " leave it unset, set a shorter maxIdleTime where that is the aim, or use a"
              + " transport with CONNECTION_TIME_TO_LIVE (apache)");
    }
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
