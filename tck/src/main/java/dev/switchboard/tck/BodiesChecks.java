package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.switchboard.Body;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Area {@code bodies}: sizes, every byte value, text beyond the BMP, chunked responses. */
final class BodiesChecks {
  private final TckContext ctx;

  BodiesChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private RawServer echo() throws Exception {
    return ctx.raw(
        (req, conn) -> {
          String type = req.header("Content-Type");
          conn.respond(
              200, req.body(), "Content-Type", type == null ? "application/octet-stream" : type);
        });
  }

  void roundTrip(int size) throws Exception {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    RawServer server = echo();
    Transport t = ctx.transport();
    Response r =
        ok(
            t.send(Request.post(server.uri("/echo"), Body.of(data, "application/octet-stream"))),
            Duration.ofSeconds(30));
    RawServer.RawRequest seen = server.lastRequest();
    assertEquals(size, seen.body().length, "bytes the server received");
    assertArrayEquals(data, seen.body(), "request body on the wire");
    assertEquals(200, r.status());
    assertEquals(size, r.length(), "bytes in the response");
    assertArrayEquals(data, r.bytes(), "response body");
  }

  void allByteValues() throws Exception {
    byte[] data = new byte[256 * 4];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    RawServer server = echo();
    Response r = ok(ctx.transport().send(Request.post(server.uri("/bytes"), Body.of(data, null))));
    assertArrayEquals(data, server.lastRequest().body(), "request bytes on the wire");
    assertArrayEquals(data, r.bytes(), "response bytes");
  }

  void utf8BeyondBmp() throws Exception {
    String text =
        "Gr\u00fc\u00dfe \u20ac \ud83d\ude80 \ud834\udd1e \u4e2d\u6587 \ud83c\udff3\ufe0f\u200d\ud83c\udf08";
    RawServer server = echo();
    Response r =
        ok(ctx.transport().send(Request.post(server.uri("/text"), Body.of(text, "text/plain"))));
    assertArrayEquals(
        text.getBytes(StandardCharsets.UTF_8), server.lastRequest().body(), "UTF-8 bytes sent");
    assertEquals(text, r.text(), "text read back");
  }

  void chunkedResponse() throws Exception {
    Random random = new Random(7);
    List<byte[]> chunks = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 40; i++) {
      byte[] c = new byte[1 + random.nextInt(9000)];
      random.nextBytes(c);
      chunks.add(c);
      all.write(c);
    }
    RawServer server =
        ctx.raw(
            (req, conn) ->
                conn.respondChunked(200, chunks, "Content-Type", "application/octet-stream"));
    Transport t = ctx.transport();
    Response r = ok(t.send(Request.get(server.uri("/chunked"))));
    assertEquals(200, r.status());
    assertArrayEquals(all.toByteArray(), r.bytes(), "the chunks, joined");
    assertNull(r.header("Content-Length"), "a chunked response has no Content-Length");
    Response again = ok(t.send(Request.get(server.uri("/chunked"))));
    assertArrayEquals(all.toByteArray(), again.bytes(), "a second chunked response");
  }
}
