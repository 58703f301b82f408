package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.switchboard.Body;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Area {@code urls-headers}. */
final class HeadersChecks {
  /** Headers a transport may add for HTTP/1.1 framing. */
  private static final Set<String> FRAMING =
      Set.of("host", "content-length", "transfer-encoding", "connection");

  private final TckContext ctx;

  HeadersChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private RawServer ok200() throws Exception {
    return ctx.raw((req, conn) -> conn.respond(200, "ok"));
  }

  void queryEncodingKept() throws Exception {
    RawServer server = ok200();
    String target =
        "/search/a%20b%2Fc?q=a%20b&slash=%2F&plus=%2B&space=+&qm=%3F&amp=%26&eq=%3D"
            + "&pct=%25&utf=%C3%A9%E2%82%AC%F0%9F%9A%80&empty=&flag";
    ok(ctx.transport().send(Request.get(server.uri(target))));
    assertEquals(target, server.lastRequest().target(), "request target on the wire");
  }

  void nonAsciiUriUtf8() throws Exception {
    RawServer server = ok200();
    URI uri =
        new URI(
            "http",
            null,
            "127.0.0.1",
            server.port(),
            "/caf\u00e9/\u4e2d",
            "q=\u00fc\ud83d\ude80",
            null);
    ok(ctx.transport().send(Request.get(uri)));
    assertEquals(
        "/caf%C3%A9/%E4%B8%AD?q=%C3%BC%F0%9F%9A%80",
        server.lastRequest().target(),
        "non-ASCII characters must go on the wire percent-encoded as UTF-8");
  }

  void multiValuedRequestHeaders() throws Exception {
    RawServer server = ok200();
    ok(
        ctx.transport()
            .send(
                Request.builder("GET", server.uri("/multi"))
                    .header("X-Multi", "first")
                    .header("X-Other", "between")
                    .header("X-Multi", "second")
                    .header("X-Multi", "third, with comma")
                    .build()));
    List<String> values = new ArrayList<>();
    for (String v : server.lastRequest().all("X-Multi")) {
      values.add(v);
    }
    String joined = String.join(", ", values);
    assertEquals(
        "first, second, third, with comma",
        joined,
        "X-Multi values in order (separate fields or one comma-joined field)");
    assertEquals(List.of("between"), server.lastRequest().all("X-Other"));
  }

  void multiValuedResponseHeaders() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) ->
                conn.respond(
                    200,
                    "ok",
                    "X-Multi",
                    "one",
                    "Set-Cookie",
                    "a=1; Path=/",
                    "X-Multi",
                    "two",
                    "Set-Cookie",
                    "b=2; Path=/",
                    "X-Multi",
                    "three"));
    Response r = ok(ctx.transport().send(Request.get(server.uri("/multi"))));
    assertEquals(List.of("one", "two", "three"), r.headers().all("X-Multi"), "X-Multi values");
    assertEquals(List.of("a=1; Path=/", "b=2; Path=/"), r.headers().all("Set-Cookie"));
  }

  void caseInsensitiveLookup() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok", "X-MiXeD-CaSe", "v1"));
    Response r = ok(ctx.transport().send(Request.get(server.uri("/case"))));
    assertEquals("v1", r.header("x-mixed-case"));
    assertEquals("v1", r.header("X-MIXED-CASE"));
    assertEquals(List.of("v1"), r.headers().all("x-MiXeD-cAsE"));
    assertEquals("2", r.header("content-length"));
  }

  void hostCarriesPort() throws Exception {
    RawServer server = ok200();
    ok(ctx.transport().send(Request.get(server.uri("/host"))));
    assertEquals(
        List.of("127.0.0.1:" + server.port()), server.lastRequest().all("Host"), "Host header");
  }

  void userAgent() throws Exception {
    RawServer server = ok200();
    ok(ctx.transport().send(Request.get(server.uri("/ua"))));
    String expected = "switchboard/" + Transports.version() + " (" + ctx.name + ")";
    assertEquals(List.of(expected), server.lastRequest().all("User-Agent"), "default User-Agent");
    String mine = "tck-agent/1.0 (+conformance)";
    ok(ctx.transport(b -> b.userAgent(mine)).send(Request.get(server.uri("/ua"))));
    assertEquals(List.of(mine), server.lastRequest().all("User-Agent"), "configured User-Agent");
    ok(
        ctx.transport(b -> b.userAgent(mine))
            .send(
                Request.builder("GET", server.uri("/ua"))
                    .header("User-Agent", "per-request/2")
                    .build()));
    assertEquals(
        List.of("per-request/2"), server.lastRequest().all("User-Agent"), "request's User-Agent");
  }

  private static void assertOnlyExpected(
      RawServer.RawRequest seen, Set<String> asked, boolean compression) {
    for (String name : seen.names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (asked.contains(lower) || FRAMING.contains(lower) || lower.equals("user-agent")) {
        continue;
      }
      if (lower.equals("accept-encoding") && compression) {
        continue;
      }
      fail(
          "header '"
              + name
              + ": "
              + seen.header(name)
              + "' was not asked for; headers on the wire: "
              + seen.names());
    }
    for (String c : seen.all("Connection")) {
      for (String token : c.split(",")) {
        String tok = token.strip().toLowerCase(Locale.ROOT);
        assertTrue(
            tok.equals("keep-alive") || tok.equals("close"),
            "Connection: " + c + " (only keep-alive or close may be added)");
      }
    }
    if (compression) {
      assertEquals(
          List.of("gzip, deflate"),
          seen.all("Accept-Encoding"),
          "Accept-Encoding with compression");
    } else {
      assertNull(seen.header("Accept-Encoding"), "Accept-Encoding with compression off");
    }
  }

  void noUnrequestedHeaders() throws Exception {
    RawServer server = ok200();
    Transport t = ctx.transport();
    ok(t.send(Request.builder("GET", server.uri("/plain")).header("X-Mine", "1").build()));
    assertOnlyExpected(server.lastRequest(), Set.of("x-mine"), true);
    ok(t.send(Request.post(server.uri("/post"), Body.of("{}", "application/json"))));
    assertOnlyExpected(server.lastRequest(), Set.of("content-type"), true);
    assertFalse(server.lastRequest().all("Upgrade").size() > 0, "Upgrade header");
  }

  void noAcceptEncodingWhenCompressionOff() throws Exception {
    RawServer server = ok200();
    Transport t = ctx.transport(b -> b.compression(false));
    ok(t.send(Request.get(server.uri("/plain"))));
    assertOnlyExpected(server.lastRequest(), Set.of(), false);
    ok(t.send(Request.post(server.uri("/post"), Body.of("x", "text/plain"))));
    assertOnlyExpected(server.lastRequest(), Set.of("content-type"), false);
  }

  void crlfRefusedBeforeSending() throws Exception {
    RawServer server = ok200();
    assertThrows(
        IllegalArgumentException.class,
        () -> Request.builder("GET", server.uri("/x")).header("X-Evil", "a\r\nInjected: 1"),
        "a header value with CR LF");
    assertThrows(
        IllegalArgumentException.class,
        () -> Request.builder("GET", server.uri("/x")).header("X-Evil", "a\nInjected: 1"),
        "a header value with LF");
    assertThrows(
        IllegalArgumentException.class,
        () -> Request.builder("GET", server.uri("/x")).header("X-Evil\r\nInjected", "1"),
        "a header name with CR LF");
    assertThrows(
        IllegalArgumentException.class,
        () -> TransportConfig.builder().userAgent("ua\r\nInjected: 1"),
        "a User-Agent with CR LF");
    Transport t =
        ctx.transport(
            b ->
                b.interceptor(
                    chain ->
                        chain.proceed(
                            chain.request().toBuilder().header("X-Evil", "a\r\nX: 1").build())));
    Throwable e = TckContext.failure(t.send(Request.get(server.uri("/x"))));
    TckContext.expect(e, TransportException.class);
    Thread.sleep(300);
    assertEquals(0, server.requestCount(), "requests that reached the server");
    assertEquals(0, server.connections(), "connections opened: nothing may be sent");
  }
}
