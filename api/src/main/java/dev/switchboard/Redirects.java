package dev.switchboard;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/** How Switchboard follows a redirect (RFC 9110 section 15.4), when asked to. */
final class Redirects {
  private Redirects() {}

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * The request to send next: 303 (and 301/302 after anything but GET or HEAD) becomes a GET
   * without body; 307 and 308 keep method and body. Credentials are dropped when the origin
   * changes.
   */
  static Request next(Request previous, int status, String location) {
    URI target = previous.uri().resolve(URI.create(location.strip()));
    Request.Builder b = previous.toBuilder().uri(target);
    String method = previous.method().toUpperCase(Locale.ROOT);
    boolean toGet =
        status == 303 && !method.equals("HEAD")
            || (status == 301 || status == 302) && !method.equals("GET") && !method.equals("HEAD");
    if (toGet) {
      b.method("GET")
          .body(Body.empty())
          .removeHeader("Content-Type")
          .removeHeader("Content-Length");
    }
    if (!sameOrigin(previous.uri(), target)) {
      b.removeHeader("Authorization").removeHeader("Proxy-Authorization").removeHeader("Cookie");
    }
    return b.build();
  }

  static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(Objects.toString(b.getHost(), ""))
        && port(a) == port(b);
  }

  static int port(URI u) {
    if (u.getPort() != -1) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }
}
