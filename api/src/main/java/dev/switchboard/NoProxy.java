package dev.switchboard;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The hosts that go direct although a proxy is set: parses the entries {@link
 * ProxyConfig#withNoProxy} takes and matches a target's host and port against them, without DNS (an
 * address entry matches only an address target).
 */
final class NoProxy {
  static final NoProxy NONE = new NoProxy(List.of(), List.of());

  private enum Kind {
    ALL,
    DOMAIN,
    PREFIX,
    ADDRESS,
    RANGE
  }

  private record Entry(Kind kind, String name, byte[] address, int bits, int port) {
    boolean matches(String host, byte[] hostAddress, int targetPort) {
      if (port != -1 && port != targetPort) {
        return false;
      }
      return switch (kind) {
        case ALL -> true;
        case DOMAIN -> host.equals(name) || host.endsWith("." + name);
        case PREFIX -> host.startsWith(name);
        case ADDRESS -> hostAddress != null && Arrays.equals(address, hostAddress);
        case RANGE -> hostAddress != null && inRange(hostAddress);
      };
    }

    private boolean inRange(byte[] a) {
      if (a.length != address.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != address[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (a[full] & mask) == (address[full] & mask);
    }
  }

  private final List<String> entries;
  private final List<Entry> parsed;

  private NoProxy(List<String> entries, List<Entry> parsed) {
    this.entries = List.copyOf(entries);
    this.parsed = List.copyOf(parsed);
  }

  List<String> entries() {
    return entries;
  }

  /** These entries and {@code more}. */
  NoProxy plus(List<String> more) {
    List<String> e = new ArrayList<>(entries);
    List<Entry> p = new ArrayList<>(parsed);
    for (String raw : more) {
      if (raw == null) {
        throw new NullPointerException("a no-proxy entry is null");
      }
      String entry = raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      p.add(parse(entry, raw));
      e.add(entry);
    }
    return new NoProxy(e, p);
  }

  boolean matches(String host, int port) {
    if (parsed.isEmpty()) {
      return false;
    }
    byte[] address = literal(host);
    for (Entry entry : parsed) {
      if (entry.matches(host, address, port)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code host} (lower case, no brackets) names this machine's loopback. */
  static boolean isLoopback(String host) {
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    byte[] a = literal(host);
    if (a == null) {
      return false;
    }
    if (a.length == 4) {
      return a[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[15] == 1;
  }

  private static Entry parse(String entry, String raw) {
    if (entry.equals("*")) {
      return new Entry(Kind.ALL, null, null, 0, -1);
    }
    String body = entry;
    int port = -1;
    if (body.startsWith("[")) { // [v6] or [v6]:port
      int close = body.indexOf(']');
      if (close < 0) {
        throw bad(raw);
      }
      if (close < body.length() - 1) {
        port = port(body.substring(close + 1), raw);
      }
      body = body.substring(1, close);
    } else if (body.indexOf(':') >= 0 && body.indexOf(':') == body.lastIndexOf(':')) {
      port = port(body.substring(body.indexOf(':')), raw); // name:port or v4:port
      body = body.substring(0, body.indexOf(':'));
    }
    int slash = body.indexOf('/');
    if (slash >= 0) {
      byte[] a = literal(body.substring(0, slash));
      int bits = bits(body.substring(slash + 1), raw);
      if (a == null || bits > a.length * 8) {
        throw bad(raw);
      }
      return new Entry(Kind.RANGE, null, a, bits, port);
    }
    byte[] a = literal(body);
    if (a != null) {
      return new Entry(Kind.ADDRESS, null, a, 0, port);
    }
    if (body.endsWith("*")) { // 192.168.* (http.nonProxyHosts)
      String prefix = body.substring(0, body.length() - 1);
      if (prefix.isEmpty() || prefix.contains("*")) {
        throw bad(raw);
      }
      return new Entry(Kind.PREFIX, prefix, null, 0, port);
    }
    String name = body.startsWith("*.") ? body.substring(2) : body;
    name = name.startsWith(".") ? name.substring(1) : name;
    if (name.isEmpty() || !name.matches("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")) {
      throw bad(raw);
    }
    return new Entry(Kind.DOMAIN, name, null, 0, port);
  }

  private static int port(String colonAndPort, String raw) {
    if (!colonAndPort.matches(":[0-9]{1,5}")) {
      throw bad(raw);
    }
    int p = Integer.parseInt(colonAndPort.substring(1));
    if (p < 1 || p > 65535) {
      throw bad(raw);
    }
    return p;
  }

  private static int bits(String s, String raw) {
    if (!s.matches("[0-9]{1,3}")) {
      throw bad(raw);
    }
    return Integer.parseInt(s);
  }

  private static IllegalArgumentException bad(String raw) {
    return new IllegalArgumentException(
        "no-proxy entry '"
            + raw
            + "' is not a host name (example.com, .example.com, *.example.com), an address"
            + " (10.1.2.3, ::1, [::1]), a range (10.0.0.0/8), a prefix (192.168.*), one of those"
            + " with :port, or *");
  }

  /** The bytes of an IPv4 or IPv6 literal, or {@code null} for anything else (never DNS). */
  static byte[] literal(String host) {
    if (host.isEmpty()) {
      return null;
    }
    if (host.indexOf(':') >= 0) {
      if (!host.matches("[0-9a-f:.]+")) {
        return null;
      }
      try {
        return InetAddress.getByName(host).getAddress(); // a literal: parsed, not looked up
      } catch (UnknownHostException e) {
        return null;
      }
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] a = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("[0-9]{1,3}")) {
        return null;
      }
      int v = Integer.parseInt(parts[i]);
      if (v > 255) {
        return null;
      }
      a[i] = (byte) v;
    }
    return a;
  }
}
