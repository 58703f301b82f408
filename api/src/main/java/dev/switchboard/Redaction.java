package dev.switchboard;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** Removes credentials from what ends up in messages and logs. */
final class Redaction {
  static final String MASK = "<redacted>";
  static final Set<String> SENSITIVE =
      Set.of("authorization", "proxy-authorization", "cookie", "set-cookie");

  private Redaction() {}

  static boolean isSensitiveHeader(String name) {
    return SENSITIVE.contains(name.toLowerCase(Locale.ROOT));
  }

  /** The value to show of header {@code name}: the mask for a header in {@code redacted}. */
  static String value(String name, String value, Set<String> redacted) {
    return redacted.contains(name.toLowerCase(Locale.ROOT)) ? MASK : value;
  }

  /** Returns the URI as text with any user-info replaced by the mask. */
  static String uri(URI uri) {
    if (uri == null) {
      return "null";
    }
    String raw = uri.getRawUserInfo();
    if (raw == null) {
      return uri.toString();
    }
    String s = uri.toString();
    return s.replace(raw + "@", MASK + "@");
  }
}
