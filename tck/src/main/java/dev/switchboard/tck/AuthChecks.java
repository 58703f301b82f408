package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.AttemptEvent;
import dev.switchboard.Body;
import dev.switchboard.Credentials;
import dev.switchboard.EventListener;
import dev.switchboard.GetWithBody;
import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.RequestSigner;
import dev.switchboard.Transport;
import dev.switchboard.TransportException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Area {@code auth}: credentials and the request signer at the wire boundary — on every attempt,
 * over the request exactly as the server receives it, only to the call's origin, a bearer token
 * asked again once after a {@code 401}, and never shown.
 */
final class AuthChecks {
  private static final byte[] KEY = "tck-signing-key".getBytes(StandardCharsets.UTF_8);
  private static final String SECRET_TOKEN = "tok-SECRET-4711";

  private final TckContext ctx;

  AuthChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  /** The kit's signature: HMAC-SHA256 over what a server sees of a request. */
  static String signature(String method, String target, String agent, String type, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
      String text = String.join("\n", method, target, agent, type == null ? "" : type, digest);
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs what it is given; the kit's server checks that against what it received. */
  static final RequestSigner SIGNER =
      wire -> {
        byte[] body = wire.hasBody() ? wire.body().bytes() : new byte[0];
        String target = wire.uri().getRawPath();
        if (wire.uri().getRawQuery() != null) {
          target += "?" + wire.uri().getRawQuery();
        }
        String sig =
            signature(
                wire.method(),
                target,
                wire.header("User-Agent"),
                wire.header("Content-Type"),
                body);
        return wire.toBuilder().header("X-Tck-Signature", sig).build();
      };

  private static String first(RawServer.RawRequest r, String name) {
    List<String> all = r.all(name);
    return all.isEmpty() ? null : all.get(0);
  }

  private static boolean verified(RawServer.RawRequest r) {
    String expected =
        signature(
            r.method(), r.target(), first(r, "User-Agent"), first(r, "Content-Type"), r.body());
    return expected.equals(first(r, "X-Tck-Signature"));
  }

  void credentialsSent() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok"));
    Transport basic = ctx.transport(b -> b.credentials(Credentials.basic("tck", "pw:1")));
    ok(basic.send(Request.get(server.uri("/b"))));
    ok(
        basic.send(
            Request.builder("GET", server.uri("/own"))
                .header("Authorization", "Bearer the-callers")
                .build()));
    Transport key = ctx.transport(b -> b.credentials(Credentials.apiKey("X-Api-Key", "k-1")));
    ok(key.send(Request.post(server.uri("/k"), Body.of("{}", "application/json"))));
    List<RawServer.RawRequest> got = server.requests();
    assertEquals(List.of("Basic dGNrOnB3OjE="), got.get(0).all("Authorization"));
    assertEquals(
        List.of("Bearer the-callers"), got.get(1).all("Authorization"), "the caller's header");
    assertEquals(List.of("k-1"), got.get(2).all("X-Api-Key"));
  }

  void bearerAskedAgainOnce() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if ("Bearer t2".equals(first(req, "Authorization"))) {
                conn.respond(200, "welcome");
              } else {
                conn.respond(401, "expired", "WWW-Authenticate", "Bearer");
              }
            });
    AtomicInteger asked = new AtomicInteger();
    Transport t =
        ctx.transport(b -> b.credentials(Credentials.bearer(() -> "t" + asked.incrementAndGet())));
    assertEquals(
        "welcome",
        ok(t.send(Request.post(server.uri("/refresh"), Body.of("{}", "application/json")))).text());
    assertEquals(2, asked.get(), "times the token supplier was asked");
    assertEquals(2, server.requestCount(), "requests: the first, then one with the new token");
    assertEquals(
        "{}",
        new String(server.requests().get(1).body(), StandardCharsets.UTF_8),
        "the body, sent again with the new token");
    RawServer refusing =
        ctx.raw((req, conn) -> conn.respond(401, "expired", "WWW-Authenticate", "Bearer"));
    AtomicInteger never = new AtomicInteger();
    Transport refused =
        ctx.transport(b -> b.credentials(Credentials.bearer(() -> "x" + never.incrementAndGet())));
    HttpStatusException e =
        TckContext.failure(
            refused.send(Request.get(refusing.uri("/still"))), HttpStatusException.class);
    assertEquals(401, e.status());
    assertEquals(2, never.get(), "times the supplier was asked when every token is refused");
    assertEquals(2, refusing.requestCount(), "requests when every token is refused");
  }

  void signerSeesWireRequest() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              if (!verified(req)) {
                conn.respond(403, "bad signature");
              } else if (req.target().equals("/old")) {
                conn.respond(307, "", "Location", "/new?moved=1");
              } else {
                conn.respond(200, req.method() + " " + req.target());
              }
            });
    Transport t = ctx.transport(b -> b.signer(SIGNER).followRedirects(true));
    assertEquals(
        "POST /p?q=1",
        ok(t.send(Request.post(server.uri("/p?q=1"), Body.of("{\"a\":1}", "application/json"))))
            .text());
    assertEquals(
        "POST /new?moved=1",
        ok(t.send(Request.post(server.uri("/old"), Body.of("{\"b\":2}", "application/json"))))
            .text(),
        "a redirect is signed anew, over its own target");
    Transport asPost = ctx.transport(b -> b.signer(SIGNER).getWithBody(GetWithBody.AS_POST));
    assertEquals(
        "POST /s",
        ok(asPost.send(
                Request.builder("GET", server.uri("/s"))
                    .body(Body.of("{\"query\":{}}", "application/json"))
                    .build()))
            .text(),
        "a GET sent as POST is signed as the POST it is");
  }

  void credentialsStayWithOrigin() throws Exception {
    RawServer other = ctx.raw((req, conn) -> conn.respond(200, "elsewhere"));
    RawServer origin =
        ctx.raw((req, conn) -> conn.respond(302, "", "Location", other.uri("/landed").toString()));
    Transport t =
        ctx.transport(b -> b.credentials(Credentials.basic("tck", "pw")).followRedirects(true));
    assertEquals("elsewhere", ok(t.send(Request.get(origin.uri("/go")))).text());
    assertEquals(1, origin.requests().get(0).all("Authorization").size(), "at the origin");
    assertEquals(
        List.of(),
        other.requests().get(0).all("Authorization"),
        "credentials sent to another origin");
  }

  void signerFailureTyped() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok"));
    IllegalStateException thrown = new IllegalStateException("no signing key today");
    Transport t =
        ctx.transport(
            b ->
                b.signer(
                    wire -> {
                      throw thrown;
                    }));
    TransportException e =
        TckContext.failure(t.send(Request.get(server.uri("/x"))), TransportException.class);
    assertFalse(e.requestSent(), "requestSent() when the signer failed");
    assertSame(thrown, e.getCause(), "the signer's exception as the cause");
    assertTrue(e.getMessage().startsWith("the request signer failed"), e.getMessage());
    assertEquals(0, server.requestCount(), "requests sent although the signer failed");
  }

  void credentialsNeverShown() throws Exception {
    RawServer server =
        ctx.raw((req, conn) -> conn.respond(401, "no", "WWW-Authenticate", "Bearer"));
    List<String> seen = new CopyOnWriteArrayList<>();
    EventListener listener =
        new EventListener() {
          @Override
          public void attemptStart(AttemptEvent attempt) {
            seen.add(attempt.toString());
            seen.add(attempt.request().toString());
          }
        };
    Credentials bearer = Credentials.bearer(() -> SECRET_TOKEN);
    Transport t = ctx.transport(b -> b.credentials(bearer).eventListener(listener));
    TransportException e =
        TckContext.failure(t.send(Request.get(server.uri("/s"))), TransportException.class);
    StringBuilder shown = new StringBuilder();
    shown.append(bearer).append('\n').append(t).append('\n');
    seen.forEach(s -> shown.append(s).append('\n'));
    for (Throwable c = e; c != null; c = c.getCause()) {
      shown.append(c).append('\n');
      for (Throwable s : c.getSuppressed()) {
        shown.append(s).append('\n');
      }
    }
    assertFalse(seen.isEmpty(), "the listener saw no attempt");
    assertFalse(shown.toString().contains(SECRET_TOKEN), "the token was shown:\n" + shown);
    assertEquals(
        List.of("Bearer " + SECRET_TOKEN),
        server.requests().get(0).all("Authorization"),
        "what the server got");
  }
}
