package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ReadTimeoutException;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.Transport;
import dev.switchboard.TransportTimeoutException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Area {@code timeouts}. Bounds are generous: the kit runs on loaded machines. */
final class TimeoutsChecks {
  private final TckContext ctx;

  TimeoutsChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private RawServer neverAnswers() throws Exception {
    return ctx.raw((req, conn) -> conn.holdUntilClientCloses());
  }

  /** Headers at once, then one byte of a 1000-byte body every 50 ms. */
  private RawServer dribble() throws Exception {
    return ctx.raw(
        (req, conn) -> {
          conn.head(200, "Content-Type", "text/plain", "Content-Length", "1000");
          try {
            for (int i = 0; i < 1000; i++) {
              conn.writeRaw(new byte[] {'x'});
              Thread.sleep(50);
            }
          } catch (IOException clientGone) {
            conn.clientGone();
          }
        });
  }

  /** Answers after {@code delayMillis}. */
  private RawServer slow(long delayMillis) throws Exception {
    return ctx.raw(
        (req, conn) -> {
          Thread.sleep(delayMillis);
          conn.respond(200, "slow");
        });
  }

  private RawServer fine() throws Exception {
    return ctx.raw((req, conn) -> conn.respond(200, "fine"));
  }

  private static void assertWithin(long millis, long min, long max, String what) {
    assertTrue(
        millis >= min && millis <= max,
        what + " after " + millis + " ms; expected between " + min + " and " + max + " ms");
  }

  /**
   * Sends {@code r} and returns the timeout it must end in. {@code latestMillis} is the latest it
   * may come (the upper bound the check then asserts): an outcome later than that fails the check
   * anyway, so the wait ends there rather than at {@link TckContext#HANG}.
   */
  private static <T extends TransportTimeoutException> T timeout(
      Transport t,
      Request r,
      Class<T> type,
      TransportTimeoutException.Phase phase,
      long latestMillis) {
    T e = TckContext.failure(t.send(r), type, Duration.ofMillis(latestMillis + 200));
    assertEquals(phase, e.phase(), "phase()");
    return e;
  }

  /**
   * A GET of {@code uri} over {@code t} (1 s connect timeout) ends in that timeout, nothing sent.
   */
  private static void connectTimeoutOfOneSecond(Transport t, URI uri) {
    long start = System.nanoTime();
    ConnectTimeoutException e =
        timeout(
            t,
            Request.get(uri),
            ConnectTimeoutException.class,
            TransportTimeoutException.Phase.CONNECT,
            6000);
    assertWithin(TckContext.since(start), 800, 6000, "ConnectTimeoutException of 1 s");
    assertFalse(e.requestSent(), "requestSent() after a connect timeout");
  }

  void connectTimeout() throws Exception {
    try (FullAcceptQueue queue = new FullAcceptQueue()) {
      Transport t = ctx.transport(b -> b.connectTimeout(Duration.ofMillis(1000)));
      connectTimeoutOfOneSecond(t, queue.uri("/"));
      assertEquals("fine", ok(t.send(Request.get(fine().uri("/after")))).text(), "after it");
    }
  }

  void responseTimeout() throws Exception {
    RawServer server = neverAnswers();
    Transport t = ctx.transport(b -> b.responseTimeout(Duration.ofMillis(1000)));
    long start = System.nanoTime();
    timeout(
        t,
        Request.get(server.uri("/never")),
        ResponseTimeoutException.class,
        TransportTimeoutException.Phase.RESPONSE,
        6000);
    assertWithin(TckContext.since(start), 800, 6000, "ResponseTimeoutException of 1 s");
    assertTrue(
        server.awaitClosedByClient(1, Duration.ofSeconds(5)),
        "the server did not see the connection closed after the response timeout");
    assertEquals("fine", ok(t.send(Request.get(fine().uri("/after")))).text(), "after it");
  }

  void requestTimeout() throws Exception {
    RawServer server = dribble();
    Transport t = ctx.transport(b -> b.requestTimeout(Duration.ofMillis(1000)));
    long start = System.nanoTime();
    timeout(
        t,
        Request.get(server.uri("/dribble")),
        RequestTimeoutException.class,
        TransportTimeoutException.Phase.REQUEST,
        6000);
    assertWithin(TckContext.since(start), 800, 6000, "RequestTimeoutException of 1 s");
    assertTrue(
        server.awaitClosedByClient(1, Duration.ofSeconds(5)),
        "the server did not see the connection closed after the request timeout");
    assertEquals("fine", ok(t.send(Request.get(fine().uri("/after")))).text(), "after it");
  }

  void connectOverride() throws Exception {
    try (FullAcceptQueue queue = new FullAcceptQueue()) {
      Transport longClient = ctx.transport(b -> b.connectTimeout(Duration.ofSeconds(20)));
      long start = System.nanoTime();
      timeout(
          longClient,
          Request.builder("GET", queue.uri("/")).connectTimeout(Duration.ofMillis(700)).build(),
          ConnectTimeoutException.class,
          TransportTimeoutException.Phase.CONNECT,
          5000);
      assertWithin(TckContext.since(start), 500, 5000, "a shorter per-request connect timeout");
      Transport shortClient = ctx.transport(b -> b.connectTimeout(Duration.ofMillis(300)));
      start = System.nanoTime();
      timeout(
          shortClient,
          Request.builder("GET", queue.uri("/")).connectTimeout(Duration.ofMillis(2500)).build(),
          ConnectTimeoutException.class,
          TransportTimeoutException.Phase.CONNECT,
          8000);
      assertWithin(TckContext.since(start), 2200, 8000, "a longer per-request connect timeout");
    }
  }

  void responseOverride() throws Exception {
    RawServer never = neverAnswers();
    Transport longClient = ctx.transport(b -> b.responseTimeout(Duration.ofSeconds(20)));
    long start = System.nanoTime();
    timeout(
        longClient,
        Request.builder("GET", never.uri("/")).responseTimeout(Duration.ofMillis(700)).build(),
        ResponseTimeoutException.class,
        TransportTimeoutException.Phase.RESPONSE,
        5000);
    assertWithin(TckContext.since(start), 500, 5000, "a shorter per-request response timeout");
    RawServer slow = slow(1500);
    Transport shortClient = ctx.transport(b -> b.responseTimeout(Duration.ofMillis(500)));
    assertEquals(
        "slow",
        ok(shortClient.send(
                Request.builder("GET", slow.uri("/"))
                    .responseTimeout(Duration.ofSeconds(6))
                    .build()))
            .text(),
        "a longer per-request response timeout must let a 1.5 s answer through");
  }

  void requestOverride() throws Exception {
    RawServer dribble = dribble();
    Transport longClient = ctx.transport(b -> b.requestTimeout(Duration.ofSeconds(20)));
    long start = System.nanoTime();
    timeout(
        longClient,
        Request.builder("GET", dribble.uri("/")).requestTimeout(Duration.ofMillis(700)).build(),
        RequestTimeoutException.class,
        TransportTimeoutException.Phase.REQUEST,
        5000);
    assertWithin(TckContext.since(start), 500, 5000, "a shorter per-request request timeout");
    RawServer slow = slow(1200);
    Transport shortClient = ctx.transport(b -> b.requestTimeout(Duration.ofMillis(500)));
    assertEquals(
        "slow",
        ok(shortClient.send(
                Request.builder("GET", slow.uri("/"))
                    .requestTimeout(Duration.ofSeconds(6))
                    .build()))
            .text(),
        "a longer per-request request timeout must let a 1.2 s answer through");
  }

  void independent() throws Exception {
    RawServer slow = slow(1500);
    Transport t =
        ctx.transport(
            b -> b.connectTimeout(Duration.ofMillis(300)).responseTimeout(Duration.ofSeconds(6)));
    assertEquals(
        "slow",
        ok(t.send(Request.get(slow.uri("/")))).text(),
        "a 300 ms connect timeout must not limit a 1.5 s wait for the response");
    RawServer slowBody =
        ctx.raw(
            (req, conn) -> {
              conn.head(200, "Content-Length", "4");
              conn.writeRaw("ab".getBytes());
              Thread.sleep(1200);
              conn.writeRaw("cd".getBytes());
            });
    assertEquals(
        "abcd",
        ok(t.send(Request.get(slowBody.uri("/")))).text(),
        "a 300 ms connect timeout must not limit a pause in the body");
  }

  /**
   * The connect phase includes the TLS handshake: a server that accepts the TCP connection and
   * never answers the ClientHello ends in a {@link ConnectTimeoutException} near the connect
   * timeout (not the response timeout), with nothing sent, and the connection closed.
   */
  void tlsHandshakeWithinConnectTimeout() throws Exception {
    try (SilentServer server = new SilentServer()) {
      Transport t =
          ctx.transport(
              b ->
                  b.connectTimeout(Duration.ofMillis(1000))
                      .responseTimeout(Duration.ofSeconds(30)));
      connectTimeoutOfOneSecond(t, server.httpsUri("/"));
      assertEquals(1, server.accepted(), "TCP connections the server accepted");
      assertTrue(
          server.awaitClosedByClient(1, Duration.ofSeconds(5)),
          "the server did not see the connection closed after the handshake timed out");
    }
  }

  /**
   * Waiting for a free connection is not connecting: with one connection per host and a server that
   * takes 400 ms, the fourth of four requests waits about 1.2 s for its turn, four times the 300 ms
   * connect timeout, and still succeeds (as every transport queues, until the request timeout if
   * there is one).
   */
  void queueWaitIsNotConnect() throws Exception {
    RawServer server = slow(400);
    Transport t =
        ctx.transport(
            b ->
                b.maxConnectionsPerHost(1)
                    .connectTimeout(Duration.ofMillis(300))
                    .responseTimeout(Duration.ofSeconds(10)));
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(t.send(Request.get(server.uri("/queued/" + i))));
    }
    for (int i = 0; i < all.size(); i++) {
      assertEquals(
          "slow",
          ok(all.get(i)).text(),
          "request " + (i + 1) + " of 4, queued behind the others for the one connection");
    }
    assertEquals(1, server.maxOpenConnections(), "connections open at once");
  }

  // ------------------------------------------------------------------ read timeout

  /**
   * Headers (Content-Length 1000) and the first {@code sent} bytes of the body at once, then
   * silence until the client closes the connection.
   */
  private RawServer stallsAfter(int sent) throws Exception {
    return ctx.raw(
        (req, conn) -> {
          conn.head(200, "Content-Type", "text/plain", "Content-Length", "1000");
          if (sent > 0) {
            conn.writeRaw("x".repeat(sent).getBytes(StandardCharsets.US_ASCII));
          }
          conn.holdUntilClientCloses();
        });
  }

  /**
   * Headers at once (Content-Length of the whole body), then the body in {@code parts.length} parts
   * with a pause of {@code pauseMillis} before each part but the first; {@code headersAfterMillis}
   * before the headers.
   */
  private RawServer pausing(long headersAfterMillis, long pauseMillis, String... parts)
      throws Exception {
    int length = String.join("", parts).length();
    return ctx.raw(
        (req, conn) -> {
          Thread.sleep(headersAfterMillis);
          conn.head(200, "Content-Type", "text/plain", "Content-Length", String.valueOf(length));
          try {
            for (int i = 0; i < parts.length; i++) {
              if (i > 0) {
                Thread.sleep(pauseMillis);
              }
              conn.writeRaw(parts[i].getBytes(StandardCharsets.US_ASCII));
            }
          } catch (IOException clientGone) {
            conn.clientGone();
          }
        });
  }

  /**
   * A body that stalls after its first 100 bytes ends in a {@link ReadTimeoutException} near the
   * read timeout, the only timeout configured (the response timeout, 30 s by default, has no say
   * once the headers are in); the connection is closed and the transport goes on working.
   */
  void readTimeout() throws Exception {
    RawServer server = stallsAfter(100);
    Transport t = ctx.transport(b -> b.readTimeout(Duration.ofMillis(1000)));
    long start = System.nanoTime();
    ReadTimeoutException e =
        timeout(
            t,
            Request.get(server.uri("/stall")),
            ReadTimeoutException.class,
            TransportTimeoutException.Phase.READ,
            6000);
    assertWithin(TckContext.since(start), 800, 6000, "ReadTimeoutException of 1 s");
    assertEquals(Duration.ofMillis(1000), e.timeout(), "timeout()");
    assertTrue(e.requestSent(), "requestSent() after a read timeout");
    assertTrue(
        server.awaitClosedByClient(1, Duration.ofSeconds(5)),
        "the server did not see the connection closed after the read timeout");
    assertEquals("fine", ok(t.send(Request.get(fine().uri("/after")))).text(), "after it");
  }

  /**
   * The request's read timeout wins over the transport's, both ways: a shorter one ends a body that
   * never starts (headers, then silence) near it; a longer one lets a pause three times the
   * transport's through.
   */
  void readOverride() throws Exception {
    RawServer stalls = stallsAfter(0);
    Transport longClient = ctx.transport(b -> b.readTimeout(Duration.ofSeconds(20)));
    long start = System.nanoTime();
    timeout(
        longClient,
        Request.builder("GET", stalls.uri("/")).readTimeout(Duration.ofMillis(700)).build(),
        ReadTimeoutException.class,
        TransportTimeoutException.Phase.READ,
        5000);
    assertWithin(TckContext.since(start), 500, 5000, "a shorter per-request read timeout");
    RawServer pauses = pausing(0, 1500, "ab", "cd");
    Transport shortClient = ctx.transport(b -> b.readTimeout(Duration.ofMillis(500)));
    assertEquals(
        "abcd",
        ok(shortClient.send(
                Request.builder("GET", pauses.uri("/")).readTimeout(Duration.ofSeconds(6)).build()))
            .text(),
        "a longer per-request read timeout must let a 1.5 s pause in the body through");
  }

  /**
   * The response timeout ends at the headers: a pause in the body three times as long as it, and
   * well within the read timeout, is no failure (a library socket timeout set from the response
   * timeout would end it).
   */
  void bodyPauseWithinReadTimeout() throws Exception {
    RawServer server = pausing(0, 1500, "first half,", " second half");
    Transport t =
        ctx.transport(
            b -> b.responseTimeout(Duration.ofMillis(500)).readTimeout(Duration.ofSeconds(4)));
    assertEquals(
        "first half, second half",
        ok(t.send(Request.get(server.uri("/pause")))).text(),
        "a 1.5 s pause in the body with a 500 ms response timeout and a 4 s read timeout");
  }

  /**
   * Only Switchboard's timeouts decide: with response and read timeouts of 1.5 s each, headers
   * after 0.8 s and a body with three pauses of 0.8 s (3.2 s in all, past both) succeed. A library
   * timeout over the whole call, or one counted from the request to the end of the body, set from
   * either value would end it.
   */
  void noLibraryTimeoutDecides() throws Exception {
    RawServer server = pausing(800, 800, "one,", "two,", "three,", "four");
    Transport t =
        ctx.transport(
            b -> b.responseTimeout(Duration.ofMillis(1500)).readTimeout(Duration.ofMillis(1500)));
    long start = System.nanoTime();
    assertEquals(
        "one,two,three,four",
        ok(t.send(Request.get(server.uri("/slow-all-along")))).text(),
        "headers after 0.8 s and three 0.8 s pauses in the body, response and read timeouts 1.5 s");
    assertTrue(
        TckContext.since(start) >= 3000,
        "the exchange took " + TckContext.since(start) + " ms; the server needs 3.2 s");
  }
}
