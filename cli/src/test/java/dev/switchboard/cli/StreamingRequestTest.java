package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code request --data @file}, {@code --data @-} and {@code --output FILE}: 50 MiB up and down,
 * byte for byte, on every bundled transport, against a server on 127.0.0.1 that digests what it
 * receives and generates what it sends (neither side holds the bytes).
 */
@Timeout(120)
class StreamingRequestTest {
  static final long SIZE = 50L * 1024 * 1024;
  static final String SIZE_DIGEST = digest(new Pattern(SIZE));

  static HttpServer server;
  static ExecutorService executor;
  static final AtomicInteger hits = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/", StreamingRequestTest::handle);
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    executor.shutdownNow();
  }

  static List<String> transports() {
    return RequestCommandTest.bundledTransports();
  }

  static String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * /sink: answers "length sha256 framing" of the body received; /blob/N: N pattern bytes with a
   * Content-Length; /chunked/N: the same without one; anything else 404.
   */
  private static void handle(HttpExchange ex) throws IOException {
    hits.incrementAndGet();
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/sink")) {
        MessageDigest md = sha256();
        long n = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = ex.getRequestBody()) {
          for (int r; (r = in.read(buffer)) >= 0; ) {
            md.update(buffer, 0, r);
            n += r;
          }
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        String framing = length != null ? "length=" + length : "chunked";
        byte[] answer =
            (n + " " + HexFormat.of().formatHex(md.digest()) + " " + framing)
                .getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, answer.length);
        ex.getResponseBody().write(answer);
      } else if (path.startsWith("/blob/") || path.startsWith("/chunked/")) {
        long n = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
        ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, path.startsWith("/blob/") ? n : 0);
        try (OutputStream out = ex.getResponseBody()) {
          new Pattern(n).transferTo(out);
        }
      } else {
        ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
        byte[] answer = "{\"error\":\"no such thing\"}".getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(404, answer.length);
        ex.getResponseBody().write(answer);
      }
    } catch (IOException ignored) {
      // the client went away
    }
  }

  @ParameterizedTest
  @MethodSource("transports")
  void dataFromAFileStreamsEveryByteWithItsLength(String transport, @TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("upload.bin");
    try (OutputStream out = Files.newOutputStream(file)) {
      new Pattern(SIZE).transferTo(out);
    }

    Cli.Run run =
        Cli.run("request", "PUT", url("/sink"), "--data", "@" + file, "--transport", transport);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).endsWith("\n\n" + SIZE + " " + SIZE_DIGEST + " length=" + SIZE + "\n");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void dataFromStandardInputStreamsChunked(String transport) throws IOException {
    Main.useStdin(new Pattern(SIZE));
    Cli.Run run;
    try {
      run = Cli.run("request", "POST", url("/sink"), "--data", "@-", "--transport", transport);
    } finally {
      Main.useStdin(System.in);
    }

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).endsWith("\n\n" + SIZE + " " + SIZE_DIGEST + " chunked\n");
  }

  @ParameterizedTest
  @MethodSource("transports")
  void outputStreamsTheBodyToAFileWithoutProgressWhenNotATerminal(
      String transport, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("download.bin");
    Cli.Run run =
        Cli.run(
            "request",
            "GET",
            url("/blob/" + SIZE),
            "--output",
            file.toString(),
            "--transport",
            transport);

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err()).as("no progress when standard error is not a terminal").isEmpty();
    assertThat(run.out())
        .startsWith("200 OK  (")
        .contains(" to the headers via " + transport + ")\n")
        .containsIgnoringCase("content-length: " + SIZE + "\n")
        .contains("\n\n" + SIZE + " bytes written to " + file + " in ");
    assertThat(Files.size(file)).isEqualTo(SIZE);
    assertThat(digest(Files.newInputStream(file))).isEqualTo(SIZE_DIGEST);
    assertThat(Files.exists(dir.resolve("download.bin.part"))).isFalse();

    // a length that is not known beforehand
    Path chunked = dir.resolve("chunked.bin");
    run =
        Cli.run(
            "request",
            "GET",
            url("/chunked/" + (SIZE / 5)),
            "-o",
            chunked.toString(),
            "--transport",
            transport);
    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(digest(Files.newInputStream(chunked))).isEqualTo(digest(new Pattern(SIZE / 5)));
  }

  @Test
  void progressIsDrawnOnStandardErrorWhenItIsATerminal(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("download.bin");
    Main.interactive(true);
    Cli.Run run;
    try {
      run =
          Cli.run(
              "request",
              "GET",
              url("/blob/" + SIZE),
              "--output",
              file.toString(),
              "--transport",
              "jdk");
    } finally {
      Main.interactive(false);
    }

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.err())
        .startsWith("\r")
        .contains(" / 50.0 MiB [")
        .as("the bar is cleared at the end")
        .endsWith("\r" + " ".repeat(79) + "\r");
    assertThat(run.out()).doesNotContain("\r").contains(SIZE + " bytes written to ");
    assertThat(digest(Files.newInputStream(file))).isEqualTo(SIZE_DIGEST);
  }

  @Test
  void anOutputFileThatCannotBeWrittenIsATypedErrorAndNoRequest(@TempDir Path dir)
      throws IOException {
    int before = hits.get();
    Path missing = dir.resolve("no/such/dir/out.bin");

    Cli.Run run =
        Cli.run(
            "request",
            "GET",
            url("/blob/10"),
            "--output",
            missing.toString(),
            "--transport",
            "jdk");

    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.err())
        .startsWith("error: OutputFileException: cannot write " + missing + ": no such directory")
        .hasLineCount(1);
    assertThat(hits.get()).as("nothing was requested").isEqualTo(before);

    run =
        Cli.run(
            "request", "GET", url("/blob/10"), "--output", dir.toString(), "--transport", "jdk");
    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.err())
        .startsWith("error: OutputFileException: cannot write " + dir + ": it is a directory");
  }

  @Test
  void aFailedDownloadLeavesTheFileAsItWas(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("kept.txt");
    Files.writeString(file, "before");

    Cli.Run run =
        Cli.run(
            "request", "GET", url("/missing"), "--output", file.toString(), "--transport", "jdk");

    assertThat(run.status()).isEqualTo(Main.FAILED);
    assertThat(run.err()).startsWith("error: NotFoundException: HTTP 404").hasLineCount(1);
    assertThat(Files.readString(file)).isEqualTo("before");
    try (var listing = Files.list(dir)) {
      assertThat(listing.toList()).containsExactly(file);
    }
  }

  @Test
  void jsonDataFromAFileIsCheckedAsItIsRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"a\": [1, 2}");
    int before = hits.get();

    Cli.Run run =
        Cli.run(
            "request", "POST", url("/sink"), "--json", "--data", "@" + file, "--transport", "jdk");

    assertThat(run.status()).isEqualTo(Main.USAGE);
    assertThat(run.err()).contains("--data is not valid JSON");
    assertThat(hits.get()).isEqualTo(before);
  }

  // ---------------------------------------------------------------- helpers

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String digest(InputStream in) {
    MessageDigest md = sha256();
    byte[] buffer = new byte[64 * 1024];
    try (in) {
      for (int r; (r = in.read(buffer)) >= 0; ) {
        md.update(buffer, 0, r);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** {@code n} bytes of a pattern that does not repeat with any short period, generated. */
  static final class Pattern extends InputStream {
    private final long size;
    private long position;

    Pattern(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      if (position >= size) {
        return -1;
      }
      return at(position++) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = at(position + i);
      }
      position += n;
      return n;
    }

    private static byte at(long i) {
      return (byte) (i * 31 + (i >>> 13) + (i >>> 23));
    }
  }
}
