package dev.switchboard.okhttp;

import dev.switchboard.UnsupportedFeatureException;

/**
 * Checks, before the first OkHttp call, that the OkHttp on the class path is the one this transport
 * is built for. An application that already depends on OkHttp 4 (Retrofit, an older Spring Boot)
 * gets {@code com.squareup.okhttp3:okhttp} 4.x next to our {@code okhttp-jvm} 5.x: two artifacts
 * Maven does not mediate, whose classes collide. Without this check the first request would fail
 * with a raw {@code NoSuchMethodError}; with it, {@code create} and {@code wrap} fail at once with
 * an {@link UnsupportedFeatureException} naming what was found, what is needed and the fix.
 */
final class OkHttpVersionCheck {
  /** The version this transport is built and tested with. */
  static final String BUILT_WITH = "5.5.1";

  private static volatile boolean passed;

  private OkHttpVersionCheck() {}

  /**
   * @throws UnsupportedFeatureException when OkHttp is missing, not 5.x, or lacks a method the
   *     transport calls
   */
  static void check() {
    if (passed) {
      return;
    }
    ClassLoader loader = OkHttpVersionCheck.class.getClassLoader();
    String found;
    Throwable missing = null;
    try {
      // read reflectively: a compile-time constant would be inlined as the version we built with
      found =
          String.valueOf(
              Class.forName("okhttp3.OkHttp", true, loader).getField("VERSION").get(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      found = "none or unreadable";
      missing = e;
    }
    if (missing == null) {
      try {
        Class.forName("okhttp3.Call", false, loader)
            .getMethod("addEventListener", Class.forName("okhttp3.EventListener", false, loader));
      } catch (ReflectiveOperationException | LinkageError e) {
        missing = e;
      }
    }
    if (missing == null && found.startsWith("5.")) {
      passed = true;
      return;
    }
    throw new UnsupportedFeatureException(
        message(found, missing), null, OkHttpEngine.NAME, missing);
  }

  static String message(String found, Throwable missing) {
    return "the okhttp transport needs OkHttp 5 (com.squareup.okhttp3:okhttp-jvm "
        + BUILT_WITH
        + " or a later 5.x), but the OkHttp on the class path is "
        + found
        + (missing instanceof NoSuchMethodException
            ? " (okhttp3.Call has no addEventListener)"
            : "")
        + "; another dependency (Retrofit, an older Spring Boot) probably brings"
        + " com.squareup.okhttp3:okhttp 4.x. Fix: import dev.switchboard:switchboard-bom in"
        + " <dependencyManagement> (it sets com.squareup.okhttp3:okhttp and okhttp-jvm to "
        + BUILT_WITH
        + "), or exclude com.squareup.okhttp3:okhttp from that dependency; see"
        + " mvn dependency:tree -Dincludes=com.squareup.okhttp3";
  }
}
