package dev.switchboard;

/**
 * The proxy demanded credentials ({@code 407 Proxy Authentication Required}) and did not take the
 * ones configured, or none were: nothing reached the server, so {@link #requestSent()} is {@code
 * false}. The message names the proxy and says which of the two it was, never the credentials; a
 * {@code 401} from a server is an {@link HttpStatusException}, never this.
 */
public class ProxyAuthenticationException extends ConnectionException {
  private final ProxyConfig.Server proxy;

  /**
   * Creates an exception for {@code proxy}; see {@link TransportException} for the other arguments.
   */
  public ProxyAuthenticationException(
      ProxyConfig.Server proxy, Request request, String transport, Throwable cause) {
    super(message(proxy), request, transport, cause);
    this.proxy = proxy;
  }

  /** The proxy that refused (its {@code toString()} shows no password). */
  public ProxyConfig.Server proxy() {
    return proxy;
  }

  private static String message(ProxyConfig.Server proxy) {
    return "the proxy "
        + proxy.authority()
        + " demands credentials (407 Proxy Authentication Required)"
        + (proxy.hasCredentials()
            ? " and refused those configured for user " + proxy.username()
            : " and none are configured for it: set them with ProxyConfig.withCredentials");
  }
}
