package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestCommandTest {
  static final String T = "jdk";
  static LocalServer server;

  @BeforeAll
  static void start() throws IOException {
    server = new LocalServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void getPrintsStatusHeadersPrettyJsonAndTime() {
    Cli.Run run = Cli.run("request", "GET", server.url("/json"), "--transport", T);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).matches("(?s)200 OK  \\(\\d+(\\.\\d)? m?s via jdk\\)\n.*");
    assertThat(run.out()).containsIgnoringCase("content-type: application/json");
    assertThat(run.out()).contains("{\n  \"status\" : \"green\",\n  \"nodes\" : [ 1, 2 ]\n}");
    assertThat(run.err()).isEmpty();
  }

  static List<String> bundledTransports() {
    return TransportNames.present().stream().filter(n -> !n.equals(BrokenProvider.NAME)).toList();
  }

  @ParameterizedTest
  @MethodSource("bundledTransports")
  void everyTransportOnTheClassPathCanBeChosen(String transport) {
    Cli.Run run =
        Cli.run("request", "PUT", server.url("/echo"), "--data", "x", "--transport", transport);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("200 OK  (").contains(" via " + transport + ")\n");
    assertThat(run.out()).endsWith("\n\nx\n");
  }

  @Test
  void textBodyIsPrintedAsIs() {
    Cli.Run run = Cli.run("request", "get", server.url("/text"), "--transport", T);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).endsWith("\n\nhello, world\n");
  }

  @Test
  void jsonDataIsSentWithItsContentTypeAndHeaders() {
    Cli.Run run =
        Cli.run(
            "request",
            "POST",
            server.url("/echo"),
            "--json",
            "--data",
            "{\"query\":{\"match_all\":{}}}",
            "-H",
            "X-Test: one two",
            "--transport",
            T);

    assertThat(run.status()).as(run.err()).isZero();
    LocalServer.Seen seen = last("/echo");
    assertThat(seen.method()).isEqualTo("POST");
    assertThat(seen.contentType()).isEqualTo("application/json");
    assertThat(seen.header()).isEqualTo("one two");
    assertThat(new String(seen.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"query\":{\"match_all\":{}}}");
    assertThat(run.out()).contains("\"match_all\" : { }");
  }

  @Test
  void getWithABodyFromAFileSendsEveryByte(@TempDir Path dir)
      throws IOException { // the file streams now
    Path file = dir.resolve("query.json");
    Files.writeString(file, "{\"size\":0}");

    Cli.Run run =
        Cli.run(
            "request",
            "GET",
            server.url("/echo"),
            "--data",
            "@" + file,
            "-H",
            "Content-Type: application/json",
            "--transport",
            T);

    assertThat(run.status()).as(run.err()).isZero();
    LocalServer.Seen seen = last("/echo");
    assertThat(seen.method()).isEqualTo("GET");
    assertThat(seen.contentType()).isEqualTo("application/json");
    assertThat(new String(seen.body(), StandardCharsets.UTF_8)).isEqualTo("{\"size\":0}");
  }

  @Test
  void statusErrorIsOneTypedLineAndExitOne() {
    Cli.Run run = Cli.run("request", "GET", server.url("/missing"), "--transport", T);

    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .startsWith("error: NotFoundException: HTTP 404 Not Found: {\"error\":\"no such index\"}")
        .contains("GET " + server.url("/missing"))
        .hasLineCount(1);
  }

  @Test
  void refusedConnectionIsOneTypedLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Cli.Run run = Cli.run("request", "GET", "http://127.0.0.1:" + port + "/", "--transport", T);

    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.err()).startsWith("error: ConnectionException: ").hasLineCount(1);
  }

  @Test
  void timeoutIsOneTypedLine() {
    long start = System.nanoTime();
    Cli.Run run =
        Cli.run("request", "GET", server.url("/hang"), "--timeout", "300ms", "--transport", T);

    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.err()).matches("error: \\w+TimeoutException: .*timeout of 300ms passed.*\n");
    // the server answers after 30 s: wide for a loaded machine, and far below that
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(15_000);
  }

  @Test
  void helpIsShownWithExitZero() {
    Cli.Run run = Cli.run("request", "--help");

    assertThat(run.status()).isZero();
    assertThat(run.out())
        .contains("Usage: switchboard request")
        .contains("--connect-timeout=D")
        .contains("-H, --header=HEADER");
  }

  private static LocalServer.Seen last(String path) {
    return server.seen.stream()
        .filter(s -> s.path().equals(path))
        .reduce((a, b) -> b)
        .orElseThrow();
  }
}
