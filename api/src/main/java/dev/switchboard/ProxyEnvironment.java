package dev.switchboard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Reads the proxy a JVM and its environment name; the rules are {@link
 * ProxyConfig#fromEnvironment()}'s.
 */
final class ProxyEnvironment {
  private ProxyEnvironment() {}

  static Optional<ProxyConfig> read(Map<String, String> env, Properties props) {
    Optional<ProxyConfig> fromProps = fromProperties(props);
    return fromProps.isPresent() ? fromProps : fromVariables(env);
  }

  private static Optional<ProxyConfig> fromProperties(Properties props) {
    ProxyConfig.Server http = propertyServer(props, "http", 80);
    ProxyConfig.Server https = propertyServer(props, "https", 443);
    ProxyConfig config;
    if (http != null || https != null) {
      config = ProxyConfig.of(http, https);
    } else {
      String socks = blankToNull(props.getProperty("socksProxyHost"));
      if (socks == null) {
        return Optional.empty();
      }
      config = ProxyConfig.socks(socks, port(props, "socksProxyPort", 1080));
    }
    String nonProxy = blankToNull(props.getProperty("http.nonProxyHosts"));
    if (nonProxy != null) {
      config = withEntries(config, nonProxy.split("\\|"), "http.nonProxyHosts");
    }
    return Optional.of(config);
  }

  private static ProxyConfig.Server propertyServer(Properties props, String scheme, int port) {
    String host = blankToNull(props.getProperty(scheme + ".proxyHost"));
    if (host == null) {
      return null;
    }
    ProxyConfig.Server s;
    try {
      s = ProxyConfig.Server.http(host, port(props, scheme + ".proxyPort", port));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(scheme + ".proxyHost: " + e.getMessage(), e);
    }
    String user = blankToNull(props.getProperty(scheme + ".proxyUser"));
    if (user != null) {
      String password = props.getProperty(scheme + ".proxyPassword", "");
      try {
        s = s.withCredentials(user, password);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(scheme + ".proxyUser: " + e.getMessage(), e);
      }
    }
    return s;
  }

  private static int port(Properties props, String key, int fallback) {
    String v = blankToNull(props.getProperty(key));
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "JVM property " + key + "='" + v + "' is not a port number", e);
    }
  }

  private static Optional<ProxyConfig> fromVariables(Map<String, String> env) {
    String all = variable(env, "all_proxy");
    ProxyConfig.Server http = url(env, "http_proxy", all);
    ProxyConfig.Server https = url(env, "https_proxy", all);
    if (http == null && https == null) {
      return Optional.empty();
    }
    ProxyConfig config = ProxyConfig.of(http, https);
    String noProxy = variable(env, "no_proxy");
    if (noProxy != null) {
      config = withEntries(config, noProxy.split(","), "no_proxy");
    }
    return Optional.of(config);
  }

  /** The lower-case variable, else the upper-case one; blank counts as unset. */
  private static String variable(Map<String, String> env, String lower) {
    String v = blankToNull(env.get(lower));
    return v != null ? v : blankToNull(env.get(lower.toUpperCase(Locale.ROOT)));
  }

  private static ProxyConfig.Server url(Map<String, String> env, String name, String fallback) {
    String v = variable(env, name);
    String source = name;
    if (v == null) {
      v = fallback;
      source = "all_proxy";
    }
    if (v == null) {
      return null;
    }
    try {
      return parseUrl(v.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "proxy variable "
              + source
              + " cannot be used: "
              + e.getMessage()
              + " (expected [http|socks5|socks5h://][user[:password]@]host[:port])",
          e);
    }
  }

  /** {@code [scheme://][user[:password]@]host[:port][/]}. */
  static ProxyConfig.Server parseUrl(String value) {
    String rest = value;
    String scheme = "http";
    int sep = rest.indexOf("://");
    if (sep >= 0) {
      scheme = rest.substring(0, sep).toLowerCase(Locale.ROOT);
      rest = rest.substring(sep + 3);
    }
    boolean socks;
    switch (scheme) {
      case "http" -> socks = false;
      case "socks5", "socks5h" -> socks = true;
      case "https" ->
          throw new IllegalArgumentException(
              "a proxy spoken to over TLS (https://) is not supported; use http://");
      default -> throw new IllegalArgumentException("unknown proxy scheme '" + scheme + "'");
    }
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (rest.contains("/") || rest.contains("?") || rest.contains("#")) {
      throw new IllegalArgumentException("a proxy URL has no path, query or fragment");
    }
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = info.indexOf(':');
      user = decode(colon >= 0 ? info.substring(0, colon) : info);
      password = colon >= 0 ? decode(info.substring(colon + 1)) : "";
    }
    String host;
    int port = socks ? 1080 : 80;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '[' in the host");
      }
      host = rest.substring(1, close);
      if (close + 1 < rest.length()) {
        port = parsePort(rest.substring(close + 1));
      }
    } else {
      int colon = rest.lastIndexOf(':');
      host = colon >= 0 ? rest.substring(0, colon) : rest;
      if (colon >= 0) {
        port = parsePort(rest.substring(colon));
      }
    }
    ProxyConfig.Server s =
        socks ? ProxyConfig.Server.socks(host, port) : ProxyConfig.Server.http(host, port);
    return user == null ? s : s.withCredentials(user, password);
  }

  private static int parsePort(String colonAndPort) {
    if (!colonAndPort.matches(":[0-9]{1,5}")) {
      throw new IllegalArgumentException("'" + colonAndPort + "' is not ':' and a port");
    }
    return Integer.parseInt(colonAndPort.substring(1));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static ProxyConfig withEntries(ProxyConfig config, String[] raw, String source) {
    List<String> entries = new ArrayList<>();
    for (String r : raw) {
      if (!r.isBlank()) {
        entries.add(r.trim());
      }
    }
    try {
      return config.withNoProxy(entries);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
