package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.junit.jupiter.api.Test;

/**
 * An application whose tree resolved httpclient5/httpcore5 to 5.1.3 (Maven's nearest wins), in a
 * class loader of its own: {@code create}, {@code configure} and {@code wrap} must refuse at once,
 * naming the versions found, the ones needed and the Maven fix.
 */
class LibraryClashTest {
  @Test
  void httpClient51IsRefusedAtCreateConfigureAndWrap() throws Exception {
    List<URL> path = new ArrayList<>();
    try (Stream<Path> jars = Files.list(Path.of("target", "httpclient5-5.1"))) {
      jars.sorted().forEach(j -> path.add(url(j)));
    }
    assertEquals(3, path.size(), "httpclient5, httpcore5, httpcore5-h2 5.1.3 copied by the pom");
    path.addAll(applicationClassPath(false));
    for (String result : run(path)) {
      System.out.println(result);
      assertTrue(result.startsWith(UnsupportedFeatureException.class.getName()), result);
      assertTrue(result.contains("needs httpclient5 5.6 or later"), result);
      assertTrue(result.contains("found httpclient5 5.1.3 and httpcore5 5.1.3"), result);
      assertTrue(result.contains("switchboard-bom"), result);
    }
  }

  @Test
  void theSameClassPathWithTheCurrentHttpClientWorks() throws Exception {
    for (String result : run(applicationClassPath(true))) {
      assertEquals("created", result);
    }
  }

  @Test
  void versionsCompare() {
    assertTrue(ApacheVersionCheck.atLeast("5.6.5", "5.6"));
    assertTrue(ApacheVersionCheck.atLeast("5.10", "5.6"));
    assertTrue(ApacheVersionCheck.atLeast("6.0-alpha1", "5.6"));
    assertFalse(ApacheVersionCheck.atLeast("5.5.1", "5.6"));
    assertFalse(ApacheVersionCheck.atLeast("4.5.14", "5.4"));
    assertTrue(ApacheVersionCheck.atLeast("unknown", "5.6")); // the method check decides then
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

  /** This module's classes and what an application gets from it, HttpComponents optional. */
  private static List<URL> applicationClassPath(boolean withHttpComponents) {
    List<URL> urls = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.endsWith("classes")
          || e.contains("switchboard-api")
          || e.contains("jackson-core")
          || e.contains("jackson-databind")
          || e.contains("jackson-annotations")
          || e.contains("slf4j-api")
          || (withHttpComponents && (e.contains("httpclient5") || e.contains("httpcore5")))) {
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

  /** Runs inside the isolated class loader: each entry point, outcome as text. */
  public static final class Probe implements Callable<String[]> {
    /** Instantiated reflectively. */
    public Probe() {}

    @Override
    public String[] call() {
      return new String[] {
        attempt(() -> Transports.create(TransportConfig.builder().provider("apache").build())),
        attempt(
            () -> {
              ApacheTransports.configure(HttpAsyncClients.custom());
              return null;
            }),
        attempt(
            () ->
                ApacheTransports.wrap(
                    HttpAsyncClients.createDefault(), TransportConfig.defaults())),
      };
    }

    private static String attempt(Callable<Transport> make) {
      try (Transport t = make.call()) {
        return "created";
      } catch (Exception e) {
        return e.getClass().getName() + ": " + e.getMessage();
      }
    }
  }
}
