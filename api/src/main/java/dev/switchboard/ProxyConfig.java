package dev.switchboard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Which requests go through a proxy, and which proxy: one {@link Server} for {@code http://}
 * targets and one for {@code https://} targets (either may be absent: direct), and the hosts that
 * always go direct. Set with {@link TransportConfig.Builder#proxy(ProxyConfig)}; honoured by every
 * transport or rejected when the transport is created.
 *
 * <ul>
 *   <li>An {@link Type#HTTP} proxy gets {@code http://} requests in absolute form (a forward proxy)
 *       and carries {@code https://} ones through a {@code CONNECT} tunnel, so that TLS runs end to
 *       end between client and server.
 *   <li>A {@link Type#SOCKS} proxy (SOCKS5) carries the connection; only transports declaring
 *       {@link Capability#SOCKS_PROXY} take one.
 *   <li>Credentials are Basic, sent to the proxy only: in answer to its {@code 407} (or before, for
 *       a {@code CONNECT}, where the library does so), never to a server. A {@code 401} from a
 *       server is never answered by the transport; it reaches the caller. A proxy that still
 *       answers {@code 407} fails the call with {@link ProxyAuthenticationException}.
 *   <li>Loopback targets ({@code localhost}, {@code *.localhost}, {@code 127.0.0.0/8}, {@code ::1})
 *       go direct unless {@link #withLoopbackProxied()}, as with the JVM's own default {@code
 *       http.nonProxyHosts}.
 *   <li>{@link #withNoProxy(String...)} takes host names (a name matches itself and its subdomains;
 *       a leading {@code .} or {@code *.} means the same), addresses ({@code 10.1.2.3}, {@code
 *       ::1}, {@code [::1]}), ranges ({@code 10.0.0.0/8}), a trailing-{@code *} prefix ({@code
 *       192.168.*}), any of them with {@code :port}, and {@code *} for every host. Names are
 *       compared as written, without DNS: {@code 10.0.0.0/8} does not catch a name that resolves
 *       into it.
 * </ul>
 *
 * <p>Immutable; {@link #toString()} never shows a password.
 */
public final class ProxyConfig {
  /** What a proxy speaks. */
  public enum Type {
    /**
     * An HTTP proxy: forward requests for {@code http://}, {@code CONNECT} for {@code https://}.
     */
    HTTP,
    /** A SOCKS5 proxy. */
    SOCKS
  }

  /**
   * One proxy server: its type, host, port and optional Basic credentials. Immutable; the password
   * is shown nowhere ({@link #toString()} says only that there is one).
   */
  public static final class Server {
    private final Type type;
    private final String host;
    private final int port;
    private final String username;
    private final String password;

    private Server(Type type, String host, int port, String username, String password) {
      this.type = Objects.requireNonNull(type, "type");
      this.host = checkHost(host);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "proxy port " + port + " of " + host + " is not a TCP port: give 1 to 65535");
      }
      this.port = port;
      this.username = username;
      this.password = password;
    }

    /** An HTTP proxy at {@code host:port} (a name or an address, without scheme). */
    public static Server http(String host, int port) {
      return new Server(Type.HTTP, host, port, null, null);
    }

    /** A SOCKS5 proxy at {@code host:port}. */
    public static Server socks(String host, int port) {
      return new Server(Type.SOCKS, host, port, null, null);
    }

    /**
     * This server with Basic credentials.
     *
     * @throws IllegalArgumentException when the user name is empty or holds {@code :}, or either
     *     holds a control character (Basic cannot carry them)
     */
    public Server withCredentials(String username, String password) {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      if (username.isEmpty() || username.indexOf(':') >= 0 || hasControl(username)) {
        throw new IllegalArgumentException(
            "proxy user name for "
                + authority()
                + " must be non-empty, without ':' or control characters (Basic credentials)");
      }
      if (hasControl(password)) {
        throw new IllegalArgumentException(
            "the proxy password for " + authority() + " holds a control character");
      }
      return new Server(type, host, port, username, password);
    }

    /** What the proxy speaks. */
    public Type type() {
      return type;
    }

    /** Its host name or address, as given (an IPv6 address without brackets). */
    public String host() {
      return host;
    }

    /** Its port. */
    public int port() {
      return port;
    }

    /** {@code host:port}, with an IPv6 address in brackets. */
    public String authority() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Whether credentials are set. */
    public boolean hasCredentials() {
      return username != null;
    }

    /** The user name, or {@code null}. */
    public String username() {
      return username;
    }

    /**
     * The password, or {@code null}. A secret: for an engine's authenticator, never for a message.
     */
    public String password() {
      return password;
    }

    /**
     * The {@code Proxy-Authorization} value for these credentials ({@code Basic} over UTF-8), or
     * {@code null} without credentials. A secret, like {@link #password()}.
     */
    public String basicAuthorization() {
      if (username == null) {
        return null;
      }
      byte[] raw = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
      return "Basic " + Base64.getEncoder().encodeToString(raw);
    }

    /** This server as a {@link Proxy}, its address unresolved (the library resolves it). */
    public Proxy asJavaProxy() {
      return new Proxy(
          type == Type.HTTP ? Proxy.Type.HTTP : Proxy.Type.SOCKS,
          InetSocketAddress.createUnresolved(host, port));
    }

    /** Whether this server is at {@code host:port} (the host compared without case). */
    public boolean isAt(String host, int port) {
      return this.port == port && this.host.equalsIgnoreCase(stripBrackets(host));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Server s
          && type == s.type
          && host.equalsIgnoreCase(s.host)
          && port == s.port
          && Objects.equals(username, s.username)
          && Objects.equals(password, s.password);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, host.toLowerCase(Locale.ROOT), port, username);
    }

    @Override
    public String toString() {
      return type
          + " proxy "
          + authority()
          + (username == null ? "" : " (user " + username + ", password " + Redaction.MASK + ")");
    }
  }

  private final Server forHttp;
  private final Server forHttps;
  private final NoProxy noProxy;
  private final boolean loopbackProxied;

  private ProxyConfig(Server forHttp, Server forHttps, NoProxy noProxy, boolean loopbackProxied) {
    if (forHttp == null && forHttps == null) {
      throw new IllegalArgumentException(
          "a proxy configuration needs a proxy for http://, https:// or both; for none, set no"
              + " proxy");
    }
    this.forHttp = forHttp;
    this.forHttps = forHttps;
    this.noProxy = noProxy;
    this.loopbackProxied = loopbackProxied;
  }

  /** {@code server} for every request (both {@code http://} and {@code https://}). */
  public static ProxyConfig of(Server server) {
    Objects.requireNonNull(server, "server");
    return new ProxyConfig(server, server, NoProxy.NONE, false);
  }

  /** The HTTP proxy at {@code host:port} for every request. */
  public static ProxyConfig http(String host, int port) {
    return of(Server.http(host, port));
  }

  /** The SOCKS5 proxy at {@code host:port} for every request. */
  public static ProxyConfig socks(String host, int port) {
    return of(Server.socks(host, port));
  }

  /**
   * {@code forHttp} for {@code http://} requests and {@code forHttps} for {@code https://} ones;
   * either may be {@code null} (direct), not both.
   */
  public static ProxyConfig of(Server forHttp, Server forHttps) {
    return new ProxyConfig(forHttp, forHttps, NoProxy.NONE, false);
  }

  /**
   * The proxy this JVM and its environment name, or empty. JVM properties win over environment
   * variables (if any {@code *.proxyHost} is set, the environment is not read):
   *
   * <ul>
   *   <li>{@code http.proxyHost}/{@code http.proxyPort} (80) and {@code https.proxyHost}/{@code
   *       https.proxyPort} (443), with {@code http.nonProxyHosts} ({@code |}-separated, {@code *}
   *       at either end); {@code socksProxyHost}/{@code socksProxyPort} (1080) when neither is set.
   *       Credentials from {@code http.proxyUser}/{@code http.proxyPassword} and {@code
   *       https.proxyUser}/{@code https.proxyPassword}, where set (a common convention, not the
   *       JDK's).
   *   <li>Otherwise {@code http_proxy}, {@code https_proxy}, {@code all_proxy} (for both when the
   *       other is unset) and {@code no_proxy} ({@code ,}-separated), the lower-case name winning
   *       over the upper-case one. Values are URLs: {@code
   *       [http|socks5|socks5h://][user[:password]@] host[:port]}, user and password
   *       percent-decoded; the port defaults to 80 for {@code http}, 1080 for SOCKS.
   * </ul>
   *
   * @throws IllegalArgumentException naming the variable or property whose value cannot be used
   */
  public static Optional<ProxyConfig> fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperties());
  }

  /** {@link #fromEnvironment()} over the given variables and properties (for tests and tools). */
  public static Optional<ProxyConfig> fromEnvironment(Map<String, String> env, Properties props) {
    return ProxyEnvironment.read(env, props);
  }

  /**
   * This configuration with {@code hosts} going direct, added to those already set; see the class
   * description for the forms.
   *
   * @throws IllegalArgumentException naming an entry that is none of those forms
   */
  public ProxyConfig withNoProxy(String... hosts) {
    return withNoProxy(List.of(hosts));
  }

  /** {@link #withNoProxy(String...)} over a list. */
  public ProxyConfig withNoProxy(List<String> hosts) {
    return new ProxyConfig(forHttp, forHttps, noProxy.plus(hosts), loopbackProxied);
  }

  /** This configuration with the same Basic credentials on every proxy server it names. */
  public ProxyConfig withCredentials(String username, String password) {
    Server h = forHttp == null ? null : forHttp.withCredentials(username, password);
    Server s =
        forHttps == null
            ? null
            : forHttps.equals(forHttp) ? h : forHttps.withCredentials(username, password);
    return new ProxyConfig(h, s, noProxy, loopbackProxied);
  }

  /**
   * This configuration with loopback targets ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1})
   * sent through the proxy too, unless named in {@link #withNoProxy}.
   */
  public ProxyConfig withLoopbackProxied() {
    return new ProxyConfig(forHttp, forHttps, noProxy, true);
  }

  /** The server for {@code http://} requests, or {@code null} (direct). */
  public Server forHttp() {
    return forHttp;
  }

  /** The server for {@code https://} requests, or {@code null} (direct). */
  public Server forHttps() {
    return forHttps;
  }

  /** The no-proxy entries, normalized (lower case, brackets removed), in the order given. */
  public List<String> noProxy() {
    return noProxy.entries();
  }

  /** Whether loopback targets go through the proxy. */
  public boolean loopbackProxied() {
    return loopbackProxied;
  }

  /** The servers named, once each. */
  public List<Server> servers() {
    List<Server> all = new ArrayList<>(2);
    if (forHttp != null) {
      all.add(forHttp);
    }
    if (forHttps != null && !forHttps.equals(forHttp)) {
      all.add(forHttps);
    }
    return all;
  }

  /** Whether any server named is of {@code type}. */
  public boolean uses(Type type) {
    return servers().stream().anyMatch(s -> s.type() == type);
  }

  /**
   * The proxy a request to {@code target} goes through, or empty when it goes direct (its scheme
   * has no proxy, its host is in the no-proxy list, or it is loopback and loopback is not proxied).
   */
  public Optional<Server> select(URI target) {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    Server server =
        switch (scheme) {
          case "http" -> forHttp;
          case "https" -> forHttps;
          default -> null;
        };
    if (server == null || target.getHost() == null) {
      return Optional.empty();
    }
    String host = stripBrackets(target.getHost()).toLowerCase(Locale.ROOT);
    int port = target.getPort() != -1 ? target.getPort() : scheme.equals("https") ? 443 : 80;
    if (!loopbackProxied && NoProxy.isLoopback(host)) {
      return Optional.empty();
    }
    return noProxy.matches(host, port) ? Optional.empty() : Optional.of(server);
  }

  /** The server named at {@code host:port}, for an engine's proxy authenticator. */
  public Optional<Server> serverAt(String host, int port) {
    return servers().stream().filter(s -> s.isAt(host, port)).findFirst();
  }

  /**
   * A {@link ProxySelector} answering as {@link #select(URI)} does, for libraries that take one:
   * the server's {@link Server#asJavaProxy()}, or {@link Proxy#NO_PROXY}.
   */
  public ProxySelector proxySelector() {
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        return List.of(
            ProxyConfig.this.select(uri).map(Server::asJavaProxy).orElse(Proxy.NO_PROXY));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // nothing to learn: the configuration names one proxy per scheme
      }

      @Override
      public String toString() {
        return "ProxySelector[" + ProxyConfig.this + "]";
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyConfig p
        && Objects.equals(forHttp, p.forHttp)
        && Objects.equals(forHttps, p.forHttps)
        && noProxy.entries().equals(p.noProxy.entries())
        && loopbackProxied == p.loopbackProxied;
  }

  @Override
  public int hashCode() {
    return Objects.hash(forHttp, forHttps, noProxy.entries(), loopbackProxied);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ProxyConfig[");
    if (Objects.equals(forHttp, forHttps)) {
      sb.append("all: ").append(forHttp);
    } else {
      sb.append("http: ").append(forHttp == null ? "direct" : forHttp);
      sb.append(", https: ").append(forHttps == null ? "direct" : forHttps);
    }
    if (!noProxy.entries().isEmpty()) {
      sb.append(", no proxy: ").append(String.join(",", noProxy.entries()));
    }
    sb.append(loopbackProxied ? ", loopback proxied" : ", loopback direct");
    return sb.append(']').toString();
  }

  private static String checkHost(String host) {
    Objects.requireNonNull(host, "host");
    String h = stripBrackets(host.trim());
    if (h.isEmpty() || h.contains("/") || h.contains("@") || h.contains(" ")) {
      throw new IllegalArgumentException(
          "proxy host '"
              + host
              + "' is not a host name or address: give it without scheme, user or path"
              + " (e.g. ProxyConfig.http(\"proxy.example.com\", 3128))");
    }
    if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
      throw new IllegalArgumentException(
          "proxy host '" + host + "' holds a port: give the host and the port separately");
    }
    return h;
  }

  static String stripBrackets(String host) {
    return host.length() > 1 && host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1)
        : host;
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
