package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelTest {
  @Test
  void unwrapStripsFutureWrappersDownToTheFailureItself() {
    TransportException failure = new TransportException("boom", null, "fake", false, null);
    Throwable wrapped =
        new java.util.concurrent.ExecutionException(
            new java.util.concurrent.CompletionException(failure));
    assertTrue(TransportException.unwrap(wrapped) == failure);
    IllegalStateException plain = new IllegalStateException("x");
    assertTrue(TransportException.unwrap(plain) == plain);
    Throwable empty = new java.util.concurrent.CompletionException(null);
    assertTrue(TransportException.unwrap(empty) == empty, "a wrapper without cause stays");
    assertNull(TransportException.unwrap(null));
  }

  @Test
  void configDefaultsMatchTheDesign() {
    TransportConfig c = TransportConfig.defaults();
    assertEquals(Duration.ofSeconds(10), c.connectTimeout());
    assertEquals(Duration.ofSeconds(30), c.responseTimeout());
    assertNull(c.requestTimeout());
    assertEquals(64, c.maxConnectionsPerHost());
    assertEquals(256, c.maxConnections());
    assertFalse(c.followRedirects());
    assertTrue(c.compression());
    assertEquals(64L * 1024 * 1024, c.maxResponseBytes());
    assertEquals(GetWithBody.NATIVE, c.getWithBody());
    assertEquals(HttpVersion.HTTP_1_1, c.httpVersion());
    assertTrue(c.interceptors().isEmpty());
  }

  @Test
  void configRefusesBadValuesNamingTheOption() {
    var b = TransportConfig.builder();
    assertMessage(
        "connectTimeout", () -> b.connectTimeout(Duration.ofMillis(-1)), "must be positive");
    assertMessage("responseTimeout", () -> b.responseTimeout(Duration.ZERO), "must be positive");
    assertMessage("requestTimeout", () -> b.requestTimeout(Duration.ofSeconds(-3)), "positive");
    assertMessage("maxConnectionsPerHost", () -> b.maxConnectionsPerHost(0), "at least 1");
    assertMessage("maxConnections", () -> b.maxConnections(-2), "at least 1");
    assertMessage("maxResponseBytes", () -> b.maxResponseBytes(0), "at least 1");
    assertMessage(
        "maxConnectionsPerHost",
        () -> TransportConfig.builder().maxConnections(10).maxConnectionsPerHost(20).build(),
        "larger than maxConnections");
    assertMessage("User-Agent", () -> b.userAgent("a\r\nX-Evil: 1"), "CR");
  }

  private static void assertMessage(String option, Runnable r, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(option), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void configToBuilderRoundTrips() {
    TransportConfig c =
        TransportConfig.builder()
            .provider("jdk")
            .requestTimeout(Duration.ofSeconds(3))
            .compression(false)
            .getWithBody(GetWithBody.AS_POST)
            .build();
    TransportConfig d = c.toBuilder().build();
    assertEquals(c.toString(), d.toString());
  }

  @Test
  void headersAreCaseInsensitiveMultiValuedAndOrdered() {
    Headers h = Headers.builder().add("X-A", "1").add("x-b", "2").add("x-a", "3").build();
    assertEquals("1", h.first("x-A"));
    assertEquals(List.of("1", "3"), h.all("X-A"));
    assertEquals(List.of("X-A", "x-b"), List.copyOf(h.names()));
    assertEquals(Map.of("X-A", List.of("1", "3"), "x-b", List.of("2")), h.toMap());
    Headers replaced = h.toBuilder().set("X-a", "9").build();
    assertEquals(List.of("9"), replaced.all("x-a"));
    assertEquals(List.of("x-b", "X-a"), List.copyOf(replaced.names()));
  }

  @Test
  void builtHeadersNeverChangeWhenTheirBuilderGoesOn() {
    Headers.Builder b = Headers.builder(2).add("A", "1").add("B", "2");
    Headers full = b.build(); // the builder's storage is exactly full here
    b.add("C", "3").set("a", "9");
    Headers later = b.build();
    assertEquals(Headers.of("A", "1", "B", "2"), full);
    assertEquals(Headers.of("B", "2", "a", "9", "C", "3").toMap(), later.toMap());
    Headers derived = full.toBuilder().remove("b").add("D", "4").build();
    assertEquals(Headers.of("A", "1", "D", "4"), derived);
    assertEquals(Headers.of("A", "1", "B", "2"), full);
    assertEquals(Headers.of("A", "1", "B", "2").hashCode(), full.hashCode());
  }

  @Test
  void fieldsCanBeWalkedByIndexInOrder() {
    Headers h = Headers.of("X-A", "1", "x-b", "2", "x-a", "3");
    assertEquals(3, h.size());
    assertEquals("x-b", h.name(1));
    assertEquals("3", h.value(2));
    assertEquals(
        List.of(
            new Headers.Field("X-A", "1"),
            new Headers.Field("x-b", "2"),
            new Headers.Field("x-a", "3")),
        h.fields());
    assertThrows(IndexOutOfBoundsException.class, () -> h.name(3));
    assertThrows(IndexOutOfBoundsException.class, () -> h.value(-1));
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> Headers.builder(-1));
    assertTrue(negative.getMessage().contains("expectedFields"));
    assertTrue(Headers.builder(0).build().isEmpty());
    assertEquals(Headers.of("A", "1"), Headers.builder(0).add("A", "1").build());
    assertEquals(Headers.of("A", "1"), Headers.builder(Integer.MAX_VALUE).add("A", "1").build());
  }

  @Test
  void headerValuesWithLineBreaksAreRefusedWhenBuilt() {
    var b = Request.builder("GET", URI.create("http://127.0.0.1/"));
    IllegalArgumentException cr =
        assertThrows(IllegalArgumentException.class, () -> b.header("X-A", "v\r\nInjected: 1"));
    assertTrue(cr.getMessage().contains("X-A") && cr.getMessage().contains("CR"));
    assertThrows(IllegalArgumentException.class, () -> b.header("X-A", "v\nx"));
    assertThrows(IllegalArgumentException.class, () -> b.header("Bad Name", "v"));
    assertThrows(IllegalArgumentException.class, () -> b.header("X-A", "nul\0"));
    assertEquals("tab\tok", b.header("X-A", "tab\tok").build().header("x-a"));
  }

  /** RFC 9110 tchar, spelt out, against every character up to U+02FF: header names and methods. */
  @Test
  void headerNamesAndMethodsAreExactlyHttpTokensAndValuesRefuseEveryControlButTab() {
    String tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (char c = 0; c < 0x300; c++) {
      String name = "X" + c + "Y";
      boolean accepted = accepts(() -> Headers.of(name, "v"));
      assertEquals(tchar.indexOf(c) >= 0, accepted, "name with U+" + Integer.toHexString(c));
      String method = "G" + c + "T";
      assertEquals(
          tchar.indexOf(c) >= 0,
          accepts(() -> Request.builder(method, "http://127.0.0.1/")),
          "method with U+" + Integer.toHexString(c));
      String value = "a" + c + "b";
      boolean control = c < 0x20 && c != '\t' || c == 0x7f;
      assertEquals(!control, accepts(() -> Headers.of("X", value)), "value with U+" + (int) c);
    }
    IllegalArgumentException del =
        assertThrows(IllegalArgumentException.class, () -> Headers.of("X-A", "a\u007fb"));
    assertTrue(del.getMessage().contains("0x7f at index 1"), del.getMessage());
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> Request.builder("", "http://x/"));
    assertTrue(empty.getMessage().contains("not an HTTP token"), empty.getMessage());
  }

  private static boolean accepts(Runnable r) {
    try {
      r.run();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Test
  void anyMethodMayCarryABody() {
    Request r = Request.builder("GET", "http://127.0.0.1/_search").json(Map.of("q", 1)).build();
    assertEquals("GET", r.method());
    assertEquals("{\"q\":1}", new String(r.body().bytes(), StandardCharsets.UTF_8));
    assertEquals("application/json", r.header("Content-Type"));
    Request propfind = Request.builder("PROPFIND", "http://127.0.0.1/").build();
    assertEquals("PROPFIND", propfind.method());
    assertThrows(IllegalArgumentException.class, () -> Request.builder("GE T", "http://x/"));
    assertThrows(IllegalArgumentException.class, () -> Request.get("ftp://127.0.0.1/"));
  }

  @Test
  void requestIsImmutableAndToBuilderCopies() {
    byte[] bytes = {1, 2, 3};
    Body body = Body.of(bytes, "application/octet-stream");
    bytes[0] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, body.bytes());
    Request a = Request.post("http://127.0.0.1/", body);
    Request b = a.toBuilder().header("X-B", "1").build();
    assertNull(a.header("X-B"));
    assertEquals("1", b.header("X-B"));
    assertEquals(a.body(), b.body());
  }

  @Test
  void credentialsAreRedactedEverywhere() {
    Request r =
        Request.builder("GET", "http://user:s3cret@127.0.0.1:9200/x")
            .header("Authorization", "Basic czNjcmV0")
            .header("Cookie", "session=abc")
            .header("Proxy-Authorization", "Bearer tok")
            .build();
    String text = r.toString();
    for (String secret : List.of("s3cret", "czNjcmV0", "session=abc", "Bearer tok")) {
      assertFalse(text.contains(secret), text);
    }
    assertTrue(text.contains("127.0.0.1:9200/x"), text);
    TransportException e = new ConnectionException("refused", r, "jdk", null);
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertFalse(e.toString().contains("s3cret"), e.toString());
    assertTrue(e.getMessage().contains("GET http://<redacted>@127.0.0.1:9200/x via jdk"));
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    assertEquals(Duration.ofSeconds(7), RetryAfter.parse(" 7 ", clock).orElseThrow());
    assertEquals(
        Duration.ofSeconds(90),
        RetryAfter.parse("Thu, 01 Jan 2026 00:01:30 GMT", clock).orElseThrow());
    assertEquals(
        Duration.ZERO, RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", clock).orElseThrow());
    assertTrue(RetryAfter.parse("soon", clock).isEmpty());
    assertTrue(RetryAfter.parse(null, clock).isEmpty());
  }

  @Test
  void statusesMapToTheirClasses() {
    Request r = Request.get("http://127.0.0.1/");
    Map<Integer, Class<?>> expected =
        Map.of(
            400, ClientErrorException.class,
            404, NotFoundException.class,
            409, ConflictException.class,
            429, TooManyRequestsException.class,
            500, ServerErrorException.class,
            503, ServerErrorException.class);
    expected.forEach(
        (status, type) -> {
          Response resp = Response.builder(r, status).body("{}".getBytes()).transport("t").build();
          HttpStatusException e = HttpStatusException.of(resp);
          assertEquals(type, e.getClass());
          assertEquals(status, e.status());
          assertTrue(e.requestSent());
          assertTrue(e.getMessage().startsWith("HTTP " + status), e.getMessage());
        });
    assertEquals("Not Found", Response.builder(r, 404).build().reasonPhrase());
    assertEquals("", Response.builder(r, 299).build().reasonPhrase());
    Response tooMany =
        Response.builder(r, 429).headers(Headers.of("Retry-After", "3")).transport("t").build();
    assertEquals(
        Duration.ofSeconds(3),
        ((TooManyRequestsException) HttpStatusException.of(tooMany)).retryAfter().orElseThrow());
  }

  record Hit(String id, double score) {}

  @Test
  void jsonDecodesMapsRecordsAndGenericLists() throws Exception {
    Request r = Request.get("http://127.0.0.1/");
    Response map = Response.builder(r, 200).body("{\"a\":[1,2]}".getBytes()).build();
    assertEquals(Map.of("a", List.of(1, 2)), map.json(Map.class));
    Response list =
        Response.builder(r, 200)
            .body("[{\"id\":\"x\",\"score\":1.5,\"extra\":true}]".getBytes())
            .build();
    java.lang.reflect.Type type = ModelTest.class.getDeclaredField("hitsType").getGenericType();
    List<Hit> hits = list.json(type);
    assertEquals(List.of(new Hit("x", 1.5)), hits);
  }

  @SuppressWarnings("unused")
  private List<Hit> hitsType;

  @Test
  void invalidJsonGivesDecodeExceptionWithStatusAndSnippetAndTheBodyStaysReadable() {
    Response bad =
        Response.builder(Request.get("http://127.0.0.1/"), 502)
            .body("<html>bad gateway</html>".getBytes())
            .transport("t")
            .build();
    DecodeException e = assertThrows(DecodeException.class, () -> bad.json(Map.class));
    assertEquals(502, e.status());
    assertEquals("<html>bad gateway</html>", e.snippet());
    assertTrue(e.getMessage().contains("HTTP 502"), e.getMessage());
    assertTrue(e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException);
    assertEquals("<html>bad gateway</html>", bad.text());
  }

  @Test
  void textHonoursTheCharsetOfContentTypeAndDefaultsToUtf8() {
    Request r = Request.get("http://127.0.0.1/");
    String s = "Grüße 𝄞";
    Response utf16 =
        Response.builder(r, 200)
            .headers(Headers.of("Content-Type", "text/plain; charset=UTF-16"))
            .body(s.getBytes(StandardCharsets.UTF_16))
            .build();
    assertEquals(s, utf16.text());
    Response latin1 =
        Response.builder(r, 200)
            .headers(Headers.of("Content-Type", "text/plain;charset=\"ISO-8859-1\""))
            .body("Grüße".getBytes(StandardCharsets.ISO_8859_1))
            .build();
    assertEquals("Grüße", latin1.text());
    Response plain = Response.builder(r, 200).body(s.getBytes(StandardCharsets.UTF_8)).build();
    assertEquals(s, plain.text());
  }

  @Test
  void redirectRules() {
    Request post =
        Request.builder("POST", "http://127.0.0.1:8080/a")
            .header("Authorization", "Bearer t")
            .body(Body.of("x", "text/plain"))
            .build();
    Request r303 = Redirects.next(post, 303, "/b");
    assertEquals("GET", r303.method());
    assertFalse(r303.hasBody());
    assertNull(r303.header("Content-Type"));
    assertEquals("Bearer t", r303.header("Authorization"));
    assertEquals(URI.create("http://127.0.0.1:8080/b"), r303.uri());
    Request r307 = Redirects.next(post, 307, "http://127.0.0.1:8080/c");
    assertEquals("POST", r307.method());
    assertEquals(post.body(), r307.body());
    Request elsewhere = Redirects.next(post, 308, "http://127.0.0.1:9090/d");
    assertNull(elsewhere.header("Authorization"));
    assertEquals("POST", elsewhere.method());
  }
}
