package dev.switchboard.tck;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.switchboard.Body;
import dev.switchboard.ClientErrorException;
import dev.switchboard.ConflictException;
import dev.switchboard.ConnectionException;
import dev.switchboard.HttpStatusException;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.NotFoundException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ServerErrorException;
import dev.switchboard.TooManyRequestsException;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import dev.switchboard.TransportTimeoutException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Area {@code errors}. */
final class ErrorsChecks {
  private final TckContext ctx;

  ErrorsChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  void status(int status, Class<? extends HttpStatusException> type) throws Exception {
    String path = "/status/" + status;
    String json = "{\"error\":\"reason-" + status + "\",\"status\":" + status + "}";
    var resp =
        aResponse()
            .withStatus(status)
            .withHeader("Content-Type", "application/json")
            .withHeader("X-Error-Id", "e" + status)
            .withBody(json);
    if (status == 429 || status == 503) {
      resp = resp.withHeader("Retry-After", "7");
    }
    ctx.wireMock().stubFor(any(urlPathEqualTo(path)).willReturn(resp));
    Transport t = ctx.transport();
    HttpStatusException e = TckContext.failure(t.send(Request.get(ctx.wm(path))), type);
    assertSame(type, e.getClass(), "exception class for " + status);
    assertEquals(status, e.status());
    assertEquals(status, e.response().status());
    assertEquals("e" + status, e.response().header("X-Error-Id"), "headers of the error response");
    assertEquals(json, e.response().text(), "body of the error response");
    assertEquals(
        "reason-" + status, e.response().json(Map.class).get("error"), "body read as JSON");
    assertTrue(e.requestSent());
    assertEquals(ctx.name, e.transport());
    if (e instanceof TooManyRequestsException tmr) {
      assertEquals(Optional.of(Duration.ofSeconds(7)), tmr.retryAfter(), "retryAfter()");
    }
    HttpStatusException thrown =
        assertThrows(type, () -> t.execute(Request.get(ctx.wm(path))), "execute() for " + status);
    assertEquals(status, thrown.status());
    List<LoggedRequest> seen = ctx.wireMock().findAll(anyRequestedFor(urlPathEqualTo(path)));
    assertEquals(2, seen.size(), "requests seen by the server (no retries)");
  }

  static Class<? extends HttpStatusException> typeOf(int status) {
    return switch (status) {
      case 404 -> NotFoundException.class;
      case 409 -> ConflictException.class;
      case 429 -> TooManyRequestsException.class;
      case 500, 503 -> ServerErrorException.class;
      default -> ClientErrorException.class;
    };
  }

  void errorBodyFromGzip() throws Exception {
    byte[] json = "{\"error\":\"compressed failure\"}".getBytes(StandardCharsets.UTF_8);
    ctx.wireMock()
        .stubFor(
            any(urlPathEqualTo("/gz-error"))
                .willReturn(
                    aResponse()
                        .withStatus(500)
                        .withHeader("Content-Type", "application/json")
                        .withHeader("Content-Encoding", "gzip")
                        .withBody(DecodingChecks.gzip(json))));
    ServerErrorException e =
        TckContext.failure(
            ctx.transport().send(Request.get(ctx.wm("/gz-error"))), ServerErrorException.class);
    assertEquals("{\"error\":\"compressed failure\"}", e.response().text());
    assertEquals("compressed failure", e.response().json(Map.class).get("error"));
    assertNull(e.response().header("Content-Encoding"));
  }

  void acceptStatus() {
    ctx.wireMock()
        .stubFor(
            any(urlPathEqualTo("/missing"))
                .willReturn(aResponse().withStatus(404).withBody("{\"found\":false}")));
    ctx.wireMock().stubFor(any(urlPathEqualTo("/boom")).willReturn(aResponse().withStatus(500)));
    Transport t = ctx.transport();
    Response r = ok(t.send(Request.builder("GET", ctx.wm("/missing")).acceptStatus(404).build()));
    assertEquals(404, r.status());
    assertEquals("{\"found\":false}", r.text());
    TckContext.failure(
        t.send(Request.builder("GET", ctx.wm("/boom")).acceptStatus(404).build()),
        ServerErrorException.class);
  }

  void redirectNotFollowedByDefault() {
    ctx.wireMock()
        .stubFor(
            any(urlPathEqualTo("/moved"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/target")));
    ctx.wireMock()
        .stubFor(
            any(urlPathEqualTo("/target")).willReturn(aResponse().withStatus(200).withBody("t")));
    Response r = ok(ctx.transport().send(Request.get(ctx.wm("/moved"))));
    assertEquals(302, r.status(), "3xx is returned, not followed");
    assertEquals("/target", r.header("Location"));
    assertEquals(
        0,
        ctx.wireMock().findAll(anyRequestedFor(urlPathEqualTo("/target"))).size(),
        "requests to the redirect target");
  }

  void redirectFollowedWhenAsked() {
    var wm = ctx.wireMock();
    wm.stubFor(
        any(urlPathEqualTo("/r1"))
            .willReturn(aResponse().withStatus(301).withHeader("Location", "/r2")));
    wm.stubFor(
        any(urlPathEqualTo("/r2"))
            .willReturn(aResponse().withStatus(302).withHeader("Location", "/final")));
    wm.stubFor(
        any(urlPathEqualTo("/final")).willReturn(aResponse().withStatus(200).withBody("final")));
    wm.stubFor(
        any(urlPathEqualTo("/keep"))
            .willReturn(aResponse().withStatus(307).withHeader("Location", "/kept")));
    wm.stubFor(any(urlPathEqualTo("/kept")).willReturn(aResponse().withStatus(200)));
    Transport t = ctx.transport(b -> b.followRedirects(true));
    Response r = ok(t.send(Request.get(ctx.wm("/r1"))));
    assertEquals(200, r.status());
    assertEquals("final", r.text());
    assertTrue(r.request().uri().getPath().endsWith("/final"), "response().request() is the last");
    ok(t.send(Request.post(ctx.wm("/keep"), Body.of("payload", "text/plain"))));
    List<LoggedRequest> kept = wm.findAll(anyRequestedFor(urlPathEqualTo("/kept")));
    assertEquals(1, kept.size());
    assertEquals("POST", kept.get(0).getMethod().getName(), "307 keeps the method");
    assertEquals("payload", kept.get(0).getBodyAsString(), "307 keeps the body");
  }

  void redirectDropsAuthorizationAcrossOrigins() throws Exception {
    RawServer other = ctx.raw((req, conn) -> conn.respond(200, "other"));
    var wm = ctx.wireMock();
    wm.stubFor(
        any(urlPathEqualTo("/away"))
            .willReturn(
                aResponse()
                    .withStatus(302)
                    .withHeader("Location", other.uri("/landed").toString())));
    wm.stubFor(
        any(urlPathEqualTo("/home"))
            .willReturn(aResponse().withStatus(302).withHeader("Location", "/home-landed")));
    wm.stubFor(any(urlPathEqualTo("/home-landed")).willReturn(aResponse().withStatus(200)));
    Transport t = ctx.transport(b -> b.followRedirects(true));
    Response r =
        ok(
            t.send(
                Request.builder("GET", ctx.wm("/away"))
                    .header("Authorization", "Bearer secret")
                    .build()));
    assertEquals("other", r.text());
    assertNull(
        other.lastRequest().header("Authorization"),
        "Authorization sent to another origin after a redirect");
    ok(
        t.send(
            Request.builder("GET", ctx.wm("/home"))
                .header("Authorization", "Bearer secret")
                .build()));
    List<LoggedRequest> same = wm.findAll(anyRequestedFor(urlPathEqualTo("/home-landed")));
    assertEquals(1, same.size());
    assertEquals(
        "Bearer secret", same.get(0).getHeader("Authorization"), "kept on the same origin");
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
      return s.getLocalPort();
    }
  }

  private static void assertMapped(TransportException e) {
    assertTrue(
        e.getClass().getName().startsWith("dev.switchboard."),
        "exception type " + e.getClass().getName());
    assertNotNull(e.getCause(), "the library's exception must be the cause of " + e);
    Throwable cause = e.getCause();
    assertFalse(
        cause instanceof TransportException,
        "the cause should be the library's own exception, got " + cause);
  }

  void connectionRefused() throws Exception {
    int port = freePort();
    Transport t = ctx.transport();
    long start = System.nanoTime();
    Throwable f =
        TckContext.failure(
            t.send(
                Request.post(
                    URI.create("http://127.0.0.1:" + port + "/x"), Body.of("x", "text/plain"))));
    ConnectionException e = TckContext.expect(f, ConnectionException.class);
    assertFalse(f instanceof TransportTimeoutException, "refused is not a timeout");
    assertFalse(e.requestSent(), "requestSent() after connection refused");
    assertTrue(TckContext.since(start) < 5000, "refusal took " + TckContext.since(start) + " ms");
    assertMapped(e);
    ConnectionException thrown =
        assertThrows(
            ConnectionException.class,
            () -> t.execute(Request.get(URI.create("http://127.0.0.1:" + port + "/y"))));
    assertFalse(thrown.requestSent());
  }

  private void malformed(RawServer.Handler handler, String what) throws Exception {
    RawServer server = ctx.raw(handler);
    Transport t = ctx.transport();
    Throwable f = TckContext.failure(t.send(Request.get(server.uri("/bad"))));
    MalformedResponseException e = TckContext.expect(f, MalformedResponseException.class);
    assertTrue(e.requestSent(), what + ": requestSent()");
    assertMapped(e);
    assertThrows(
        MalformedResponseException.class,
        () -> t.execute(Request.get(server.uri("/bad"))),
        what + " through execute()");
  }

  void resetMidBody() throws Exception {
    malformed(
        (req, conn) -> {
          conn.head(200, "Content-Type", "text/plain", "Content-Length", "100000");
          conn.writeRaw(new byte[1000]);
          Thread.sleep(100);
          conn.reset();
        },
        "reset mid-body");
  }

  void truncatedBody() throws Exception {
    malformed(
        (req, conn) -> {
          conn.head(200, "Content-Type", "text/plain", "Content-Length", "100000");
          conn.writeRaw(new byte[1000]);
          Thread.sleep(50);
          conn.close();
        },
        "body cut short with Content-Length");
    malformed(
        (req, conn) -> {
          conn.head(200, "Content-Type", "text/plain", "Transfer-Encoding", "chunked");
          conn.writeRaw(
              "10\r\n0123456789abcdef\r\n8\r\n0123".getBytes(StandardCharsets.ISO_8859_1));
          Thread.sleep(50);
          conn.close();
        },
        "chunked body cut short");
  }

  void emptyReply() throws Exception {
    malformed((req, conn) -> conn.close(), "empty reply");
  }

  void garbage() throws Exception {
    malformed(
        (req, conn) -> {
          conn.writeRaw(
              "SSH-2.0-OpenSSH_9.2 this is not HTTP\r\n\u0000\u0001\u0002garbage\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
          Thread.sleep(50);
          conn.close();
        },
        "garbage");
  }

  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE");

  private static Request request(String method, URI uri) {
    Request.Builder b = Request.builder(method, uri);
    if (method.equals("POST") || method.equals("PUT")) {
      b.body(Body.of("{\"n\":1}", "application/json"));
    }
    return b.build();
  }

  void noRetryOnStatus() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              int status = Integer.parseInt(req.path().substring(req.path().lastIndexOf('/') + 1));
              conn.respond(status, "no", "Retry-After", "1");
            });
    Transport t = ctx.transport();
    int expected = 0;
    for (int status : List.of(408, 429, 503, 500)) {
      for (String method : METHODS) {
        Throwable f = TckContext.failure(t.send(request(method, server.uri("/s/" + status))));
        TckContext.expect(f, HttpStatusException.class);
        expected++;
        assertEquals(
            expected,
            server.requestCount(),
            method + " answered " + status + " reached the server more than once");
      }
    }
    Thread.sleep(1300);
    assertEquals(expected, server.requestCount(), "requests seen after waiting out Retry-After");
  }

  void noRetryOnFreshConnection() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.close());
    int expected = 0;
    for (String method : METHODS) {
      Transport t = ctx.transport();
      TckContext.failure(t.send(request(method, server.uri("/fresh"))), TransportException.class);
      expected++;
      assertEquals(
          expected,
          server.requestCount(),
          method + " failing on a fresh connection reached the server more than once");
      t.close();
    }
  }

  void noRetryOnPooledConnection() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/warm")) {
                conn.respond(200, "warm");
              } else {
                conn.close(); // the request arrived in full: a resend would be a retry
              }
            });
    for (String method : METHODS) {
      Transport t = ctx.transport();
      ok(t.send(Request.get(server.uri("/warm"))));
      int before = server.requestCount();
      TckContext.failure(t.send(request(method, server.uri("/fail"))), TransportException.class);
      Thread.sleep(100);
      assertEquals(
          before + 1,
          server.requestCount(),
          method + " failing on a pooled connection reached the server more than once");
      t.close();
    }
  }

  void libraryExceptionIsCause() throws Exception {
    int port = freePort();
    Transport t = ctx.transport();
    TransportException refused =
        TckContext.failure(
            t.send(Request.get(URI.create("http://127.0.0.1:" + port + "/"))),
            TransportException.class);
    assertMapped(refused);
    RawServer garbage =
        ctx.raw(
            (req, conn) -> {
              conn.writeRaw("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
              conn.close();
            });
    TransportException bad =
        TckContext.failure(t.send(Request.get(garbage.uri("/"))), TransportException.class);
    assertMapped(bad);
    for (Throwable c = bad; c != null; c = c.getCause()) {
      assertFalse(
          c.getMessage() != null && c.getMessage().matches(".*\\b599\\b.*"),
          "a pseudo-status 599 appeared: " + c);
    }
  }
}
