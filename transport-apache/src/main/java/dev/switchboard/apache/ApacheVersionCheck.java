package dev.switchboard.apache;

import dev.switchboard.UnsupportedFeatureException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Checks, before the first HttpClient call, that httpclient5 and httpcore5 on the class path are at
 * least the versions this transport needs: httpclient5 5.6 (older 5.x lack calls it makes, such as
 * {@code HttpAsyncClientBuilder.disableRequestPriority()} and {@code
 * RequestConfig.Builder.setProtocolUpgradeEnabled}, which 5.1 does not have) and the httpcore5 5.4
 * that 5.6 is built on. Another dependency can bring older ones (WireMock declares httpclient5
 * 5.5.1); without this check the first request would fail with a raw {@code NoSuchMethodError}.
 */
final class ApacheVersionCheck {
  static final String CLIENT_NEEDED = "5.6";
  static final String CORE_NEEDED = "5.4";
  static final String BUILT_WITH = "5.6.5";

  private static volatile boolean passed;

  private ApacheVersionCheck() {}

  /**
   * @throws UnsupportedFeatureException when httpclient5 or httpcore5 is older than needed
   */
  static void check() {
    if (passed) {
      return;
    }
    ClassLoader loader = ApacheVersionCheck.class.getClassLoader();
    String client = release(loader, "org/apache/hc/client5/version.properties");
    String core = release(loader, "org/apache/hc/core5/version.properties");
    Throwable missing = null;
    try {
      Class.forName("org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder", false, loader)
          .getMethod("disableRequestPriority");
      Class.forName("org.apache.hc.client5.http.config.RequestConfig$Builder", false, loader)
          .getMethod("setProtocolUpgradeEnabled", boolean.class);
    } catch (ReflectiveOperationException | LinkageError e) {
      missing = e;
    }
    if (missing == null && atLeast(client, CLIENT_NEEDED) && atLeast(core, CORE_NEEDED)) {
      passed = true;
      return;
    }
    throw new UnsupportedFeatureException(
        "the apache transport needs httpclient5 "
            + CLIENT_NEEDED
            + " or later with httpcore5 "
            + CORE_NEEDED
            + " or later (built and tested with httpclient5 "
            + BUILT_WITH
            + "), but found httpclient5 "
            + client
            + " and httpcore5 "
            + core
            + (missing != null ? " (" + missing + ")" : "")
            + "; another dependency brings older ones. Fix: import dev.switchboard:switchboard-bom"
            + " in <dependencyManagement> (it sets org.apache.httpcomponents.client5:httpclient5 to "
            + BUILT_WITH
            + " and httpcore5/httpcore5-h2 to match), or set those versions there yourself; see mvn"
            + " dependency:tree -Dincludes=org.apache.httpcomponents.client5,org.apache.httpcomponents.core5",
        null,
        ApacheEngine.NAME,
        missing);
  }

  /** The {@code info.release} HttpComponents writes into each jar, or "unknown". */
  private static String release(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("info.release", "unknown").trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * True when {@code version} is at least {@code needed}; an unreadable version is not held against
   * it.
   */
  static boolean atLeast(String version, String needed) {
    String[] have = version.split("[.-]");
    String[] want = needed.split("[.-]");
    for (int i = 0; i < want.length; i++) {
      int h;
      try {
        h = i < have.length ? Integer.parseInt(have[i]) : 0;
      } catch (NumberFormatException e) {
        return true; // unknown or unusual: the method check above decides
      }
      int w = Integer.parseInt(want[i]);
      if (h != w) {
        return h > w;
      }
    }
    return true;
  }
}
