package dev.switchboard.tck;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.GetWithBody;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.UnsupportedFeatureException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Area {@code get-body}: GET and DELETE with a body, and the modes without the capability. */
final class GetBodyChecks {
  static final byte[] QUERY =
      "{\"query\":{\"match\":{\"title\":\"caf\u00e9 \ud83d\ude80\"}},\"size\":3}"
          .getBytes(StandardCharsets.UTF_8);

  private final TckContext ctx;

  GetBodyChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private LoggedRequest sendAndCapture(Transport t, String method, String path) {
    ctx.wireMock()
        .stubFor(
            any(urlPathEqualTo(path))
                .willReturn(aResponse().withStatus(200).withBody("{\"hits\":1}")));
    Response r =
        ok(
            t.send(
                Request.builder(method, ctx.wm(path))
                    .body(Body.of(QUERY, "application/json"))
                    .build()));
    assertEquals(200, r.status());
    assertEquals("{\"hits\":1}", r.text());
    List<LoggedRequest> seen = ctx.wireMock().findAll(anyRequestedFor(urlPathEqualTo(path)));
    assertEquals(1, seen.size(), "requests seen by the server");
    return seen.get(0);
  }

  private static void assertIntact(LoggedRequest seen, String method) {
    assertEquals(method, seen.getMethod().getName(), "method on the wire");
    assertArrayEquals(QUERY, seen.getBody(), "body bytes on the wire");
    assertEquals("application/json", seen.getHeader("Content-Type"), "Content-Type");
    assertEquals(String.valueOf(QUERY.length), seen.getHeader("Content-Length"), "Content-Length");
  }

  void getJsonBodyIntact() throws Exception {
    if (ctx.has(Capability.GET_WITH_BODY)) {
      assertIntact(sendAndCapture(ctx.transport(), "GET", "/idx/_search"), "GET");
      return;
    }
    // not supported: NATIVE fails at once, nothing sent; AS_POST sends a POST with the body
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "{\"hits\":1}"));
    Transport t = ctx.transport();
    Request get =
        Request.builder("GET", server.uri("/idx/_search"))
            .body(Body.of(QUERY, "application/json"))
            .build();
    long start = System.nanoTime();
    UnsupportedFeatureException e =
        TckContext.failure(t.send(get), UnsupportedFeatureException.class, Duration.ofSeconds(3));
    long took = TckContext.since(start);
    assertTrue( // at once: wide for a loaded machine, below the time a request would take
        took < 2500, "NATIVE GET with a body took " + took + " ms to fail; expected at once");
    assertTrue(
        e.getMessage().contains("AS_POST"), "the message names the alternative: " + e.getMessage());
    Thread.sleep(200);
    assertEquals(0, server.connections(), "connections opened for a refused GET with a body");
    Transport asPost = ctx.transport(b -> b.getWithBody(GetWithBody.AS_POST));
    assertEquals(200, ok(asPost.send(get)).status());
    RawServer.RawRequest seen = server.lastRequest();
    assertEquals("POST", seen.method(), "AS_POST mode sends a POST");
    assertArrayEquals(QUERY, seen.body());
    assertEquals("application/json", seen.header("Content-Type"));
    ctx.alternativeVerified(
        "GET_WITH_BODY not supported: UnsupportedFeatureException at once in NATIVE mode with"
            + " nothing sent, POST with the body in AS_POST mode");
  }

  void deleteJsonBodyIntact() {
    assertIntact(sendAndCapture(ctx.transport(), "DELETE", "/idx/_doc"), "DELETE");
  }

  void asPostMode() throws Exception {
    Transport t = ctx.transport(b -> b.getWithBody(GetWithBody.AS_POST));
    assertIntact(sendAndCapture(t, "GET", "/idx/_search"), "POST");
    ctx.wireMock().stubFor(any(urlPathEqualTo("/plain")).willReturn(aResponse().withStatus(200)));
    ok(t.send(Request.get(ctx.wm("/plain"))));
    List<LoggedRequest> plain = ctx.wireMock().findAll(anyRequestedFor(urlPathEqualTo("/plain")));
    assertEquals(1, plain.size());
    assertEquals("GET", plain.get(0).getMethod().getName(), "a GET without a body stays a GET");
  }
}
