package dev.switchboard.tck;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.switchboard.ResponseHeadTooLargeException;
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
import java.util.ArrayList;
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

  /**
   * A status is never retried, whatever the method and whatever the status (408, 429 and 503 with
   * {@code Retry-After} included): each request reaches the server exactly once, and nothing
   * follows once the {@code Retry-After} has passed.
   */
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

  /**
   * A request whose fresh connection the server closes without answering reaches the server exactly
   * once, whatever the method: the api's one resend is for a reused (stale) connection only, and a
   * transport resends nothing of its own.
   */
  void noRetryOnFreshConnection() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.close());
    int expected = 0;
    for (String method : METHODS) {
      Transport t = ctx.transport();
      TckContext.failure(t.send(request(method, server.uri("/fresh"))), TransportException.class);
      expected++;
      Thread.sleep(100);
      assertEquals(
          expected,
          server.requestCount(),
          method + " failing on a fresh connection reached the server more than once");
      t.close();
    }
  }

  /**
   * A request whose pooled connection the server closes after reading it, without answering: no
   * transport resends it on its own. The one resend promised is the api's, for an idempotent method
   * (GET, PUT, DELETE here) after a stale pooled connection, on a new connection, once; a POST
   * reaches the server exactly once, and with {@code retryStaleConnections(false)} every method
   * does.
   */
  void noRetryOnPooledConnection() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (req.path().equals("/warm")) {
                conn.respond(200, "warm");
              } else {
                conn.close(); // the request arrived in full, and no answer
              }
            });
    for (boolean resendOn : List.of(true, false)) {
      for (String method : METHODS) {
        Transport t = ctx.transport(b -> b.retryStaleConnections(resendOn));
        ok(t.send(Request.get(server.uri("/warm"))));
        int before = server.requestCount();
        TckContext.failure(t.send(request(method, server.uri("/fail"))), TransportException.class);
        Thread.sleep(100);
        List<RawServer.RawRequest> all = server.requests();
        List<RawServer.RawRequest> seen = all.subList(before, all.size());
        String what =
            method
                + " failing on a pooled connection"
                + (resendOn ? "" : " with retryStaleConnections(false)");
        boolean mayResend = resendOn && !method.equals("POST");
        if (!mayResend || seen.size() != 2) {
          assertEquals(
              1,
              seen.size(),
              what
                  + ": arrivals at the server"
                  + (mayResend ? " (1, or 2 with the api's resend on a new connection)" : ""));
        } else {
          assertEquals(
              0,
              seen.get(1).indexOnConnection(),
              what + ": the api's one resend must go on a new connection, not a reused one");
        }
        t.close();
      }
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

  // ------------------------------------------------------------------ stale connections

  /**
   * Answers the first request on each connection and keeps it open; closes a connection without
   * answering when a second request arrives on it: a server whose keep-alive ended as the client
   * reused the connection.
   */
  private RawServer closesReusedConnections() throws Exception {
    return ctx.raw(
        (req, conn) -> {
          if (req.indexOnConnection() == 0) {
            conn.respond(200, "fresh " + req.path());
          } else {
            conn.close();
          }
        });
  }

  private static List<RawServer.RawRequest> arrivals(RawServer server, String path) {
    return server.requests().stream().filter(r -> r.path().equals(path)).toList();
  }

  /** A warm-up GET; returns the connection it came on, which the transport keeps pooled. */
  private static int warm(Transport t, RawServer server) {
    assertEquals("fresh /warm", ok(t.send(Request.get(server.uri("/warm")))).text(), "warm-up");
    return arrivals(server, "/warm").get(0).connection();
  }

  private static void assertReused(RawServer.RawRequest first, int warmConnection, String what) {
    assertEquals(
        warmConnection,
        first.connection(),
        what + " did not reuse the pooled connection (the check needs a keep-alive pool)");
  }

  /**
   * A GET whose pooled connection the server closed without answering is answered after exactly one
   * resend, on a new connection.
   */
  void staleConnectionGetResentOnce() throws Exception {
    RawServer server = closesReusedConnections();
    Transport t = ctx.transport();
    int pooled = warm(t, server);
    Response r = ok(t.send(Request.get(server.uri("/stale"))));
    assertEquals("fresh /stale", r.text(), "the answer to the resend");
    Thread.sleep(200);
    List<RawServer.RawRequest> seen = arrivals(server, "/stale");
    assertReused(seen.get(0), pooled, "the GET");
    assertEquals(2, seen.size(), "arrivals of the GET: once on the pooled connection, one resend");
    assertNotEquals(
        pooled,
        seen.get(1).connection(),
        "the resend must go on a new connection, not the stale one");
    assertEquals(
        0,
        seen.get(1).indexOnConnection(),
        "the resend must be the first request on its connection");
    assertTrue(server.connections() >= 2, "connections the server accepted");
    assertEquals(3, server.requestCount(), "requests the server received");
  }

  /**
   * A POST whose pooled connection the server closed without answering is not resent: one arrival,
   * and a {@link MalformedResponseException} ({@code StaleConnectionException} is one).
   */
  void staleConnectionPostNotResent() throws Exception {
    RawServer server = closesReusedConnections();
    Transport t = ctx.transport();
    int pooled = warm(t, server);
    Throwable f =
        TckContext.failure(
            t.send(
                Request.post(server.uri("/stale-post"), Body.of("{\"n\":1}", "application/json"))));
    MalformedResponseException e = TckContext.expect(f, MalformedResponseException.class);
    assertTrue(e.requestSent(), "requestSent() of a POST written on a connection that closed");
    Thread.sleep(300);
    List<RawServer.RawRequest> seen = arrivals(server, "/stale-post");
    assertEquals(1, seen.size(), "arrivals of the POST (a POST is never resent)");
    assertReused(seen.get(0), pooled, "the POST");
    assertEquals(2, server.requestCount(), "requests the server received");
  }

  /** With {@code retryStaleConnections(false)} a GET on a stale connection fails, sent once. */
  void staleConnectionResendOff() throws Exception {
    RawServer server = closesReusedConnections();
    Transport t = ctx.transport(b -> b.retryStaleConnections(false));
    int pooled = warm(t, server);
    Throwable f = TckContext.failure(t.send(Request.get(server.uri("/stale-off"))));
    TckContext.expect(f, MalformedResponseException.class);
    Thread.sleep(300);
    List<RawServer.RawRequest> seen = arrivals(server, "/stale-off");
    assertEquals(1, seen.size(), "arrivals of the GET with retryStaleConnections(false)");
    assertReused(seen.get(0), pooled, "the GET");
    assertEquals(2, server.requestCount(), "requests the server received");
  }

  // ------------------------------------------------------------------ one wording

  /**
   * {@code e}'s message is exactly Switchboard's {@code words} for the failure, followed by the
   * request's summary and this transport's name; the library's words are in the cause only.
   */
  private void assertWording(Throwable f, Request sent, String words, boolean libraryCause) {
    TransportException e = TckContext.expect(f, TransportException.class);
    String expected = words + " (" + sent.summary() + " via " + ctx.name + ")";
    assertEquals(expected, e.getMessage(), "the message of " + e.getClass().getSimpleName());
    assertEquals(ctx.name, e.transport(), "transport() of " + e.getClass().getSimpleName());
    if (libraryCause) {
      assertNotNull(e.getCause(), "the library's exception as the cause of: " + expected);
    }
  }

  /** Sends {@code r} on {@code t} and checks the wording of the failure. */
  private void wording(Transport t, Request r, String words, boolean libraryCause) {
    assertWording(TckContext.failure(t.send(r)), r, words, libraryCause);
  }

  /**
   * The same failure reads the same on every transport: refused, an empty reply on a fresh
   * connection, a garbage status line, a reset and a truncation mid-body, the response and read
   * timeouts, a refused TLS handshake; each message is exactly Switchboard's.
   */
  void oneWordingPerFailure() throws Exception {
    Transport t = ctx.transport();
    wording(
        t,
        Request.get(URI.create("http://127.0.0.1:" + freePort() + "/refused")),
        "connection refused",
        true);
    RawServer empty = ctx.raw((req, conn) -> conn.close());
    wording(
        t,
        Request.get(empty.uri("/empty")),
        "the server closed the connection before responding",
        true);
    RawServer garbage =
        ctx.raw(
            (req, conn) -> {
              conn.writeRaw(
                  "HTTP/1.1 2x0 Not A Status\r\nContent-Length: 0\r\n\r\n"
                      .getBytes(StandardCharsets.ISO_8859_1));
              Thread.sleep(300);
              conn.close();
            });
    wording(t, Request.get(garbage.uri("/garbage")), "the response head is not valid HTTP", true);
    RawServer reset =
        ctx.raw(
            (req, conn) -> {
              conn.head(200, "Content-Type", "text/plain", "Content-Length", "100000");
              conn.writeRaw(new byte[1000]);
              Thread.sleep(100);
              conn.reset();
            });
    String cut = "the connection closed before the end of the response body";
    wording(t, Request.get(reset.uri("/reset")), cut, true);
    RawServer truncated =
        ctx.raw(
            (req, conn) -> {
              conn.head(200, "Content-Type", "text/plain", "Content-Length", "100000");
              conn.writeRaw(new byte[1000]);
              Thread.sleep(50);
              conn.close();
            });
    wording(t, Request.get(truncated.uri("/truncated")), cut, true);
    RawServer never = ctx.raw((req, conn) -> conn.holdUntilClientCloses());
    Transport timing =
        ctx.transport(
            b -> b.responseTimeout(Duration.ofMillis(800)).readTimeout(Duration.ofMillis(800)));
    wording(timing, Request.get(never.uri("/never")), "response timeout of 800ms passed", false);
    RawServer stalls =
        ctx.raw(
            (req, conn) -> {
              conn.head(200, "Content-Type", "text/plain", "Content-Length", "1000");
              conn.writeRaw(new byte[10]);
              conn.holdUntilClientCloses();
            });
    wording(timing, Request.get(stalls.uri("/stall")), "read timeout of 800ms passed", false);
    TlsMaterial m = TlsMaterial.get(ctx.workDir);
    RawServer selfSigned =
        ctx.closeLater(
            RawServer.startTls(
                TlsMaterial.serverContext(m.good), (req, conn) -> conn.respond(200, "secure")));
    wording(t, Request.get(selfSigned.uri("/tls")), "TLS handshake failed", true);
  }

  /**
   * Every exception the kit sees names the transport under test, through {@code send} and {@code
   * execute}: wire failures, a status, a timeout, a refused handshake, a send after {@code
   * close()}.
   */
  void exceptionsNameTheTransport() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              switch (req.path()) {
                case "/empty" -> conn.close();
                case "/garbage" -> {
                  conn.writeRaw("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                  conn.close();
                }
                case "/503" -> conn.respond(503, "busy");
                case "/cut" -> {
                  conn.head(200, "Content-Length", "1000");
                  conn.writeRaw(new byte[10]);
                  conn.close();
                }
                default -> conn.holdUntilClientCloses();
              }
            });
    Transport t = ctx.transport(b -> b.responseTimeout(Duration.ofMillis(600)));
    List<Request> failing =
        List.of(
            Request.get(URI.create("http://127.0.0.1:" + freePort() + "/refused")),
            Request.get(server.uri("/empty")),
            Request.get(server.uri("/garbage")),
            Request.get(server.uri("/cut")),
            Request.get(server.uri("/503")),
            Request.get(server.uri("/never")));
    for (Request r : failing) {
      TransportException sent = TckContext.failure(t.send(r), TransportException.class);
      assertEquals(
          ctx.name,
          sent.transport(),
          "transport() of " + sent.getClass().getSimpleName() + " for " + r.summary());
      TransportException thrown =
          assertThrows(TransportException.class, () -> t.execute(r), "execute " + r.summary());
      assertEquals(
          ctx.name,
          thrown.transport(),
          "transport() of " + thrown.getClass().getSimpleName() + " thrown for " + r.summary());
    }
    TlsMaterial m = TlsMaterial.get(ctx.workDir);
    RawServer selfSigned =
        ctx.closeLater(
            RawServer.startTls(
                TlsMaterial.serverContext(m.good), (req, conn) -> conn.respond(200, "secure")));
    TransportException tls =
        TckContext.failure(t.send(Request.get(selfSigned.uri("/"))), TransportException.class);
    assertEquals(ctx.name, tls.transport(), "transport() of " + tls.getClass().getSimpleName());
    Transport closing = ctx.transport();
    closing.close();
    TransportException closed =
        TckContext.failure(closing.send(Request.get(server.uri("/503"))), TransportException.class);
    assertEquals(ctx.name, closed.transport(), "transport() of a send after close()");
  }

  // ------------------------------------------------------------------ response head

  /**
   * The counted size of the field {@code Content-Length: 0} that {@link RawServer.Conn#respond}
   * adds.
   */
  private static final int CONTENT_LENGTH_ZERO = "Content-Length".length() + 1 + 4;

  /**
   * Header fields (name, value, ...) that add up, with the server's {@code Content-Length: 0}, to
   * exactly {@code size} bytes as {@code maxResponseHeadBytes} counts them (name + value + 4 per
   * field), {@code big} of them in one field {@code X-Big} when {@code big > 0}. Every value is
   * different, so a field that arrives mangled or swapped shows.
   */
  static String[] headOf(int size, int big) {
    List<String> fields = new ArrayList<>();
    int left = size - CONTENT_LENGTH_ZERO;
    if (big > 0) {
      fields.add("X-Big");
      fields.add(value(0, big - "X-Big".length() - 4));
      left -= big;
    }
    for (int i = 1; left > 0; i++) {
      String name = String.format("X-H%04d", i);
      int overhead = name.length() + 4;
      int v = Math.min(1000, left - overhead);
      if (left - overhead - v > 0 && left - overhead - v < overhead + 1) {
        v -= overhead + 1; // leave room for one more field of at least one byte
      }
      if (v < 1) {
        throw new IllegalArgumentException("cannot make a head of exactly " + size + " bytes");
      }
      fields.add(name);
      fields.add(value(i, v));
      left -= overhead + v;
    }
    return fields.toArray(String[]::new);
  }

  private static String value(int seed, int length) {
    StringBuilder sb = new StringBuilder(length);
    String prefix = "v" + seed + "-";
    sb.append(prefix, 0, Math.min(prefix.length(), length));
    for (int i = sb.length(); i < length; i++) {
      sb.append((char) ('a' + (seed + i) % 26));
    }
    return sb.toString();
  }

  static int counted(String[] fields) {
    int n = CONTENT_LENGTH_ZERO;
    for (int i = 0; i + 1 < fields.length; i += 2) {
      n += fields[i].length() + fields[i + 1].length() + 4;
    }
    return n;
  }

  /** Answers {@code /head/<size>/<big>} with {@link #headOf}, and anything else with "fine". */
  private RawServer heads() throws Exception {
    return ctx.raw(
        (req, conn) -> {
          String[] p = req.path().split("/");
          if (p.length == 4 && p[1].equals("head")) {
            conn.respond(200, "", headOf(Integer.parseInt(p[2]), Integer.parseInt(p[3])));
          } else {
            conn.respond(200, "fine");
          }
        });
  }

  private static void assertFieldsIntact(Response r, String[] fields, String what) {
    for (int i = 0; i + 1 < fields.length; i += 2) {
      assertEquals(
          List.of(fields[i + 1]),
          r.headers().all(fields[i]),
          what + ": field " + fields[i] + " (" + fields[i + 1].length() + " bytes)");
    }
  }

  /**
   * A head every transport must accept with the defaults (64 KiB): 48 KiB of header fields, one of
   * them 16 KiB, arrives with every field intact.
   */
  void largeResponseHeadAccepted() throws Exception {
    RawServer server = heads();
    Transport t = ctx.transport();
    int size = 48 * 1024;
    String[] fields = headOf(size, 16 * 1024);
    assertEquals(size, counted(fields));
    Response r = ok(t.send(Request.get(server.uri("/head/" + size + "/" + 16 * 1024))));
    assertEquals(200, r.status());
    assertFieldsIntact(r, fields, "a 48 KiB head");
  }

  /**
   * With {@code maxResponseHeadBytes(8192)} a head of exactly 8192 counted bytes is accepted and
   * one of 8193 fails with {@link ResponseHeadTooLargeException} naming the option and its limit;
   * the transport goes on working.
   */
  void responseHeadLimit() throws Exception {
    RawServer server = heads();
    Transport t = ctx.transport(b -> b.maxResponseHeadBytes(8192));
    String[] atLimit = headOf(8192, 0);
    assertEquals(8192, counted(atLimit));
    Response r = ok(t.send(Request.get(server.uri("/head/8192/0"))));
    assertFieldsIntact(r, atLimit, "a head of exactly maxResponseHeadBytes");
    Request past = Request.get(server.uri("/head/8193/0"));
    ResponseHeadTooLargeException e =
        TckContext.failure(t.send(past), ResponseHeadTooLargeException.class);
    assertEquals(8192, e.limit(), "limit()");
    assertTrue(
        e.getMessage().contains("maxResponseHeadBytes"),
        "the message must name the option: " + e.getMessage());
    assertTrue(
        e.getMessage().contains("8192"), "the message must name the limit: " + e.getMessage());
    assertEquals(ctx.name, e.transport(), "transport()");
    assertEquals("fine", ok(t.send(Request.get(server.uri("/after")))).text(), "after it");
    assertEquals("fine", ok(t.send(Request.get(server.uri("/again")))).text(), "after it, again");
  }
}
