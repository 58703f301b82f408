package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user who has no SLF4J provider sees on stderr: the {@code apache} transport runs in a
 * child JVM whose class path is what an application depending on it gets (the transport, the api,
 * Jackson, httpclient5/httpcore5 and slf4j-api, no SLF4J provider), so the real stderr is checked.
 */
class QuietLoggingTest {
  @TempDir Path dir;

  @Test
  void noSlf4jLineOnStderrAndHttpClientLogReachesSystemLogger() throws Exception {
    Child child = run();
    assertEquals(0, child.exit, child.toString());
    assertTrue(child.stdout.contains("status 200"), child.toString());
    assertFalse(child.stderr.contains("SLF4J"), child.toString());
    // HttpClient's DEBUG records arrived at System.Logger (java.util.logging here): routed, not
    // lost
    assertTrue(child.stdout.matches("(?s).*hc records [1-9][0-9]*.*"), child.toString());
  }

  @Test
  void withTheFallbackTurnedOffSlf4jWarnsAsItAlwaysDid() throws Exception {
    // proves the test above can fail: the same run, SLF4J left alone, prints its warning
    Child child = run("-D" + QuietSlf4j.OPT_OUT + "=false");
    assertEquals(0, child.exit, child.toString());
    assertTrue(child.stderr.contains("SLF4J"), child.toString());
    assertTrue(child.stdout.contains("hc records 0"), child.toString());
  }

  private Child run(String... jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(jvmOptions));
    command.add("-cp");
    command.add(applicationClassPath());
    command.add(Main.class.getName());
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the child JVM did not finish in 120 s");
    }
    return new Child(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** This module's classes and its compile-scope dependencies: no test-scope jar. */
  private static String applicationClassPath() {
    String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
    String path =
        Arrays.stream(entries)
            .filter(
                e ->
                    e.endsWith("classes")
                        || e.endsWith("test-classes")
                        || e.contains("switchboard-api")
                        || e.contains("jackson-")
                        || e.contains("httpclient5")
                        || e.contains("httpcore5")
                        || e.contains("slf4j-api"))
            .filter(e -> !e.contains("jackson-dataformat") && !e.contains("jackson-datatype"))
            .collect(Collectors.joining(File.pathSeparator));
    assertTrue(path.contains("slf4j-api-2."), "slf4j-api 2.x expected on " + path);
    assertFalse(path.contains("wiremock"), path);
    return path;
  }

  private record Child(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** The application in the child JVM: one request through the discovered apache transport. */
  public static final class Main {
    private Main() {}

    /** Sends one GET to a server of its own and prints the status. */
    public static void main(String[] args) throws Exception {
      AtomicInteger hcRecords = new AtomicInteger();
      Logger hc = Logger.getLogger("org.apache.hc");
      hc.setLevel(Level.FINE);
      hc.setUseParentHandlers(false); // the records are counted, not printed
      hc.addHandler(
          new Handler() {
            @Override
            public void publish(LogRecord record) {
              hcRecords.incrementAndGet();
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          });
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      try (Transport transport =
          Transports.create(TransportConfig.builder().provider("apache").build())) {
        Response response =
            transport.execute(
                Request.get("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
        System.out.println("status " + response.status());
      } finally {
        server.stop(0);
      }
      System.out.println("hc records " + hcRecords.get());
    }
  }
}
