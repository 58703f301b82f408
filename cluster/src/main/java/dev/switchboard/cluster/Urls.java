package dev.switchboard.cluster;

import java.net.URI;

/** Joins a node's base URL and a request's relative URI. */
final class Urls {
  private Urls() {}

  /** Whether {@code uri} names a scheme or a host, so that it cannot be resolved against a node. */
  static boolean isAbsolute(URI uri) {
    return uri.getScheme() != null || uri.getRawAuthority() != null;
  }

  /**
   * The URL of {@code relative} on the node at {@code base}: the base's path prefix, then the
   * relative path (a leading {@code /} does not discard the prefix), then the relative query as
   * given, percent-encoding untouched. A fragment is dropped: it is never sent.
   */
  static URI resolve(URI base, URI relative) {
    StringBuilder sb = new StringBuilder(64);
    sb.append(base.getScheme()).append("://").append(base.getRawAuthority());
    String prefix = base.getRawPath() == null ? "" : base.getRawPath();
    String path = relative.getRawPath() == null ? "" : relative.getRawPath();
    if (path.isEmpty()) {
      sb.append(prefix.isEmpty() ? "/" : prefix);
    } else {
      sb.append(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
      if (!path.startsWith("/")) {
        sb.append('/');
      }
      sb.append(path);
    }
    if (relative.getRawQuery() != null) {
      sb.append('?').append(relative.getRawQuery());
    }
    return URI.create(sb.toString());
  }

  /** The URI as text with any user-info replaced by {@code <redacted>}. */
  static String redact(URI uri) {
    String raw = uri.getRawUserInfo();
    String s = uri.toString();
    return raw == null ? s : s.replace(raw + "@", "<redacted>@");
  }
}
