package dev.switchboard.jdk;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * Whether the JDK client carries a proxy's Basic credentials on a {@code CONNECT}. The transport
 * gives them up front, as a {@code Proxy-Authorization} header on the request ({@link
 * JdkRequests}), never through an {@link java.net.Authenticator}: with one, the JDK answers a
 * server's Basic {@code 401} by itself (or fails with "No credentials provided" when it gets none)
 * and drops such a header. The JDK copies the header onto its {@code CONNECT} unless {@code
 * jdk.http.auth.tunneling.disabledSchemes} names Basic, as its {@code net.properties} does by
 * default (JDK 8u111 on); it reads that once, when its client first loads, so set it at JVM start.
 */
final class TunnelCredentials {
  private static final String DISABLED = "jdk.http.auth.tunneling.disabledSchemes";

  private TunnelCredentials() {}

  /** Whether Basic credentials reach a {@code CONNECT} on this JVM. */
  static boolean basicAllowed() {
    String disabled = System.getProperty(DISABLED);
    if (disabled == null) {
      disabled = netProperty(DISABLED);
    }
    if (disabled == null) {
      return true;
    }
    for (String scheme : disabled.split(",")) {
      if (scheme.trim().toLowerCase(Locale.ROOT).equals("basic")) {
        return false;
      }
    }
    return true;
  }

  private static String netProperty(String key) {
    Path file = Path.of(System.getProperty("java.home"), "conf", "net.properties");
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException | RuntimeException e) {
      return "Basic"; // the JDK's default, when its file cannot be read
    }
    return p.getProperty(key);
  }
}
