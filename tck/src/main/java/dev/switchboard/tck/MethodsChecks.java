package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Area {@code methods}: method tokens, HEAD, 204/304, empty POST. */
final class MethodsChecks {
  private final TckContext ctx;

  MethodsChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private RawServer echoMethodServer() throws Exception {
    return ctx.raw(
        (req, conn) -> {
          if (req.method().equals("HEAD")) {
            conn.head(200, "X-Method", req.method(), "Content-Length", "2");
          } else {
            conn.respond(200, "ok", "X-Method", req.method());
          }
        });
  }

  void standardMethods() throws Exception {
    RawServer server = echoMethodServer();
    Transport t = ctx.transport();
    for (String method :
        List.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD")) {
      Request.Builder b = Request.builder(method, server.uri("/methods/" + method));
      boolean withBody = List.of("POST", "PUT", "PATCH").contains(method);
      if (withBody) {
        b.body(Body.of("body of " + method, "text/plain"));
      }
      Response r = ok(t.send(b.build()));
      RawServer.RawRequest seen = server.lastRequest();
      assertEquals(method, seen.method(), "method on the wire for " + method);
      assertEquals("/methods/" + method, seen.target(), "request target for " + method);
      assertEquals(200, r.status(), "status for " + method);
      if (withBody) {
        assertEquals("body of " + method, seen.bodyText(), "body of " + method);
      }
      if (method.equals("HEAD")) {
        assertEquals(0, r.length(), "HEAD response body");
      } else {
        assertEquals("ok", r.text(), "response body for " + method);
      }
    }
    assertEquals(8, server.requestCount(), "requests seen by the server");
  }

  void extensionMethod() throws Exception {
    RawServer server = echoMethodServer();
    Transport t = ctx.transport();
    byte[] xml =
        "<?xml version=\"1.0\"?><propfind xmlns=\"DAV:\"><allprop/></propfind>"
            .getBytes(StandardCharsets.UTF_8);
    Response r =
        ok(
            t.send(
                Request.builder("PROPFIND", server.uri("/dav/file"))
                    .header("Depth", "1")
                    .body(Body.of(xml, "application/xml"))
                    .build()));
    RawServer.RawRequest seen = server.lastRequest();
    assertEquals("PROPFIND", seen.method(), "extension method token on the wire");
    assertArrayEquals(xml, seen.body(), "PROPFIND body");
    assertEquals("application/xml", seen.header("Content-Type"));
    assertEquals("1", seen.header("Depth"));
    assertEquals(200, r.status());
    Response purge = ok(t.send(Request.builder("PURGE", server.uri("/cache/x")).build()));
    assertEquals("PURGE", server.lastRequest().method(), "method token without a body");
    assertEquals(200, purge.status());
  }

  void headIgnoresContentLength() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.method().equals("HEAD")) {
                // advertises a huge body and sends none: reading it would hang
                conn.head(
                    200,
                    "Content-Type",
                    "application/octet-stream",
                    "Content-Length",
                    "1000000000");
              } else {
                conn.respond(200, "after-head");
              }
            });
    Transport t = ctx.transport();
    long start = System.nanoTime();
    Response r =
        ok(t.send(Request.builder("HEAD", server.uri("/big")).build()), Duration.ofSeconds(5));
    assertEquals(200, r.status());
    assertEquals(0, r.length(), "HEAD must give an empty body");
    assertTrue(
        TckContext.since(start) < 4000,
        "HEAD took " + TckContext.since(start) + " ms: the transport waited for a body");
    Response next = ok(t.send(Request.get(server.uri("/after"))), Duration.ofSeconds(5));
    assertEquals("after-head", next.text(), "the request after a HEAD");
  }

  void noContent() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/204")) {
                conn.head(204, "X-Kind", "no-content");
              } else {
                conn.respond(200, "next");
              }
            });
    Transport t = ctx.transport();
    Response r = ok(t.send(Request.builder("DELETE", server.uri("/204")).build()));
    assertEquals(204, r.status());
    assertEquals(0, r.length());
    assertEquals("no-content", r.header("X-Kind"));
    assertEquals("next", ok(t.send(Request.get(server.uri("/next")))).text());
  }

  void notModified() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/304")) {
                // RFC 9110 allows Content-Length on 304 (the size the 200 would have): no body
                conn.head(304, "ETag", "\"v1\"", "Content-Length", "5000");
              } else {
                conn.respond(200, "next");
              }
            });
    Transport t = ctx.transport();
    Response r =
        ok(
            t.send(
                Request.builder("GET", server.uri("/304"))
                    .header("If-None-Match", "\"v1\"")
                    .build()),
            Duration.ofSeconds(5));
    assertEquals(304, r.status());
    assertEquals(0, r.length());
    assertEquals("\"v1\"", r.header("ETag"));
    assertEquals(
        "next", ok(t.send(Request.get(server.uri("/next"))), Duration.ofSeconds(5)).text());
  }

  void emptyPostContentLengthZero() throws Exception {
    RawServer server = echoMethodServer();
    Transport t = ctx.transport();
    for (String method : List.of("POST", "PUT")) {
      ok(t.send(Request.builder(method, server.uri("/empty")).body(Body.empty()).build()));
      RawServer.RawRequest seen = server.lastRequest();
      assertEquals(method, seen.method());
      assertEquals(
          List.of("0"),
          seen.all("Content-Length"),
          "an empty " + method + " must send Content-Length: 0, headers were " + seen.names());
      assertNull(seen.header("Transfer-Encoding"), "an empty " + method + " must not be chunked");
      assertEquals(0, seen.body().length);
    }
  }
}
