package dev.switchboard.tck;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.switchboard.DecodeException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ResponseTooLargeException;
import dev.switchboard.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Area {@code decoding}. */
final class DecodingChecks {
  /** A record, as users decode into. */
  public record Hit(String id, double score) {}

  /** A plain bean, as users decode into. */
  public static final class Doc {
    private String title;
    private int year;

    /** For Jackson. */
    public Doc() {}

    public String getTitle() {
      return title;
    }

    public void setTitle(String title) {
      this.title = title;
    }

    public int getYear() {
      return year;
    }

    public void setYear(int year) {
      this.year = year;
    }
  }

  private final TckContext ctx;

  DecodingChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private Response serve(String path, byte[] body, String... headers) {
    var resp = aResponse().withStatus(200).withBody(body);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      resp = resp.withHeader(headers[i], headers[i + 1]);
    }
    ctx.wireMock().stubFor(get(urlPathEqualTo(path)).willReturn(resp));
    return ok(ctx.transport().send(Request.get(ctx.wm(path))));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static byte[] deflate(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
      d.write(data);
    }
    return out.toByteArray();
  }

  void jsonMap() {
    Response r =
        serve(
            "/map",
            utf8(
                "{\"name\":\"kit\",\"n\":3,\"nested\":{\"a\":[1,2]},\"t\":\"\u00e9\ud83d\ude80\"}"),
            "Content-Type",
            "application/json");
    @SuppressWarnings("unchecked")
    Map<String, Object> m = r.json(Map.class);
    assertEquals("kit", m.get("name"));
    assertEquals(3, m.get("n"));
    assertEquals(Map.of("a", List.of(1, 2)), m.get("nested"));
    assertEquals("\u00e9\ud83d\ude80", m.get("t"));
  }

  void jsonRecordAndPojo() {
    Response r =
        serve(
            "/record",
            utf8("{\"id\":\"doc-1\",\"score\":1.5}"),
            "Content-Type",
            "application/json");
    assertEquals(new Hit("doc-1", 1.5), r.json(Hit.class));
    Response p =
        serve(
            "/pojo",
            utf8("{\"title\":\"Dune\",\"year\":1965}"),
            "Content-Type",
            "application/json");
    Doc d = p.json(Doc.class);
    assertEquals("Dune", d.getTitle());
    assertEquals(1965, d.getYear());
  }

  void jsonGenericList() {
    Response r =
        serve(
            "/list",
            utf8("[{\"id\":\"a\",\"score\":1.5},{\"id\":\"b\",\"score\":0.25}]"),
            "Content-Type",
            "application/json");
    List<Hit> hits = r.json(new TypeReference<List<Hit>>() {}.getType());
    assertEquals(List.of(new Hit("a", 1.5), new Hit("b", 0.25)), hits);
  }

  void charsets() {
    String latin = "caf\u00e9 \u00f1 \u00fc \u00a9";
    Response r1 =
        serve(
            "/latin1",
            latin.getBytes(StandardCharsets.ISO_8859_1),
            "Content-Type",
            "text/plain; charset=ISO-8859-1");
    assertEquals(latin, r1.text(), "ISO-8859-1 text");
    String wide = "Gr\u00fc\u00dfe \ud83d\ude80 \u4e2d";
    Response r2 =
        serve(
            "/utf16",
            wide.getBytes(StandardCharsets.UTF_16),
            "Content-Type",
            "text/plain; charset=UTF-16");
    assertEquals(wide, r2.text(), "UTF-16 text");
    Response r3 = serve("/utf8", utf8(wide), "Content-Type", "text/plain");
    assertEquals(wide, r3.text(), "UTF-8 is the default");
    Response r4 = serve("/none", utf8(wide));
    assertEquals(wide, r4.text(), "UTF-8 without any Content-Type");
    assertEquals(Charset.forName("UTF-16"), r2.charset());
  }

  private static final byte[] TEXT =
      utf8("{\"msg\":\"" + "compressible text \u00e9 ".repeat(2000) + "\"}");

  void gzipDecoded() throws Exception {
    Response r =
        serve("/gzip", gzip(TEXT), "Content-Type", "application/json", "Content-Encoding", "gzip");
    assertArrayEquals(TEXT, r.bytes(), "gzip body decoded");
    assertNull(r.header("Content-Encoding"), "the decoded response still claims Content-Encoding");
    String cl = r.header("Content-Length");
    assertTrue(
        cl == null || cl.equals(String.valueOf(TEXT.length)),
        "Content-Length of the decoded response: " + cl);
  }

  void deflateDecoded() throws Exception {
    Response r =
        serve(
            "/deflate",
            deflate(TEXT),
            "Content-Type",
            "application/json",
            "Content-Encoding",
            "deflate");
    assertArrayEquals(TEXT, r.bytes(), "deflate body decoded");
    assertNull(r.header("Content-Encoding"), "the decoded response still claims Content-Encoding");
  }

  void compressionOffLeavesBody() throws Exception {
    byte[] gz = gzip(TEXT);
    RawServer server =
        ctx.raw(
            (req, conn) ->
                conn.respond(
                    200, gz, "Content-Type", "application/json", "Content-Encoding", "gzip"));
    Transport t = ctx.transport(b -> b.compression(false));
    Response r = ok(t.send(Request.get(server.uri("/gz"))));
    assertNull(server.lastRequest().header("Accept-Encoding"), "Accept-Encoding sent");
    assertArrayEquals(gz, r.bytes(), "with compression off the body is left as it came");
    assertEquals("gzip", r.header("Content-Encoding"), "and keeps its Content-Encoding");
  }

  void invalidJson() {
    Response r =
        serve("/broken", utf8("{\"broken\": tru, \"x\": ["), "Content-Type", "application/json");
    DecodeException e = assertThrows(DecodeException.class, () -> r.json(Map.class));
    assertEquals(200, e.status());
    assertTrue(e.snippet().contains("broken"), "snippet: " + e.snippet());
    assertTrue(e.getMessage().contains("200"), "message names the status: " + e.getMessage());
    assertEquals("{\"broken\": tru, \"x\": [", r.text(), "the raw body stays readable");
    assertEquals("{\"broken\": tru, \"x\": [", e.response().text());
  }

  private RawServer bigBody(boolean declareLength, long total) throws Exception {
    return ctx.raw(
        (req, conn) -> {
          byte[] block = new byte[64 * 1024];
          Arrays.fill(block, (byte) 'x');
          try {
            if (declareLength) {
              conn.head(200, "Content-Type", "text/plain", "Content-Length", String.valueOf(total));
              for (long sent = 0; sent < total; sent += block.length) {
                conn.out.write(block);
              }
            } else {
              conn.head(200, "Content-Type", "text/plain", "Transfer-Encoding", "chunked");
              String size = Integer.toHexString(block.length) + "\r\n";
              for (long sent = 0; sent < total; sent += block.length) {
                conn.out.write(size.getBytes(StandardCharsets.ISO_8859_1));
                conn.out.write(block);
                conn.out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
              }
              conn.out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            conn.out.flush();
          } catch (IOException clientGone) {
            conn.clientGone();
          }
        });
  }

  private void tooLarge(boolean declared) throws Exception {
    long total = 48L * 1024 * 1024;
    RawServer server = bigBody(declared, total);
    Transport t = ctx.transport(b -> b.maxResponseBytes(256 * 1024));
    long start = System.nanoTime();
    ResponseTooLargeException e =
        TckContext.failure(
            t.send(Request.get(server.uri("/big"))),
            ResponseTooLargeException.class,
            Duration.ofSeconds(20));
    assertEquals(256 * 1024, e.limit());
    assertTrue(
        server.awaitClosedByClient(1, Duration.ofSeconds(5)),
        "the server did not see the connection closed after the limit was passed");
    long written = server.bytesWritten();
    assertTrue(
        written < total / 2,
        "the server could write "
            + written / (1024 * 1024)
            + " MiB of a 48 MiB body: the transport kept reading past maxResponseBytes"
            + " (took "
            + TckContext.since(start)
            + " ms)");
  }

  void tooLargeDeclared() throws Exception {
    tooLarge(true);
  }

  void tooLargeStreamed() throws Exception {
    tooLarge(false);
  }

  void tooLargeAfterDecoding() throws Exception {
    byte[] zeros = new byte[8 * 1024 * 1024];
    byte[] bomb = gzip(zeros);
    RawServer server =
        ctx.raw(
            (req, conn) ->
                conn.respond(200, bomb, "Content-Type", "text/plain", "Content-Encoding", "gzip"));
    Transport t = ctx.transport(b -> b.maxResponseBytes(1024 * 1024));
    TckContext.failure(t.send(Request.get(server.uri("/bomb"))), ResponseTooLargeException.class);
  }
}
