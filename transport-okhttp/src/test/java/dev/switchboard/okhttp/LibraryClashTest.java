package dev.switchboard.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * An application whose tree brings OkHttp 4 (Retrofit, an older Spring Boot): {@code
 * com.squareup.okhttp3:okhttp} 4.12.0 ahead of our {@code okhttp-jvm} 5.x on the class path, in a
 * class loader of its own. {@code create} and {@code wrap} must refuse at once, naming the version
 * found, the one needed and the Maven fix, instead of a {@code NoSuchMethodError} at the first
 * request.
 */
class LibraryClashTest {
  @Test
  void okHttp4FirstOnTheClassPathIsRefusedAtCreateAndWrap() throws Exception {
    List<URL> path = new ArrayList<>();
    try (Stream<Path> jars = Files.list(Path.of("target", "okhttp4"))) {
      jars.sorted().forEach(j -> path.add(url(j)));
    }
    assertEquals(2, path.size(), "okhttp 4.12.0 and okio 3.6.0 copied by the pom: " + path);
    path.addAll(applicationClassPath());
    String[] outcome = run(path);
    for (String result : outcome) {
      System.out.println(result);
      assertTrue(result.startsWith(UnsupportedFeatureException.class.getName()), result);
      assertTrue(result.contains("OkHttp on the class path is 4.12.0"), result);
      assertTrue(result.contains("needs OkHttp 5"), result);
      assertTrue(result.contains("okhttp-jvm " + OkHttpVersionCheck.BUILT_WITH), result);
      assertTrue(result.contains("switchboard-bom"), result);
      assertTrue(result.contains("cause java.lang.NoSuchMethodException"), result);
    }
  }

  @Test
  void theSameClassPathWithoutOkHttp4Works() throws Exception {
    // the control: the isolated class path itself is sound, only OkHttp 4 makes the difference
    for (String result : run(applicationClassPath())) {
      assertEquals("created", result);
    }
  }

  private static String[] run(List<URL> path) throws Exception {
    try (URLClassLoader loader =
        new URLClassLoader(path.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      @SuppressWarnings("unchecked")
      Callable<String[]> probe =
          (Callable<String[]>)
              loader.loadClass(Probe.class.getName()).getConstructor().newInstance();
      return probe.call();
    }
  }

  /** This module's classes and what an application gets from it: no JUnit, no test jar. */
  private static List<URL> applicationClassPath() {
    List<URL> urls = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.endsWith("classes")
          || e.contains("switchboard-api")
          || e.contains("jackson-core")
          || e.contains("jackson-databind")
          || e.contains("jackson-annotations")
          || e.contains("okhttp-jvm")
          || e.contains("okio-jvm")
          || e.contains("kotlin-stdlib")) {
        urls.add(url(Path.of(e)));
      }
    }
    return urls;
  }

  private static URL url(Path p) {
    try {
      return p.toUri().toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs inside the isolated class loader: {@code create} and {@code wrap}, outcome as text. */
  public static final class Probe implements Callable<String[]> {
    /** Instantiated reflectively. */
    public Probe() {}

    @Override
    public String[] call() {
      return new String[] {
        attempt(() -> Transports.create(TransportConfig.builder().provider("okhttp").build())),
        attempt(() -> OkHttpTransports.wrap(new OkHttpClient())),
      };
    }

    private static String attempt(Callable<Transport> make) {
      try (Transport t = make.call()) {
        return "created";
      } catch (Exception e) {
        return e.getClass().getName()
            + ": "
            + e.getMessage()
            + " cause "
            + (e.getCause() == null ? null : e.getCause().getClass().getName());
      }
    }
  }
}
