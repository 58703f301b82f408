package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.HttpVersion;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.ServerErrorException;
import dev.switchboard.StaleConnectionException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorStatus;
import org.junit.jupiter.api.Test;

/** What is particular to the Apache transport; the TCK covers the shared contract. */
class ApacheTransportTest {
  private static Transport apache(TransportConfig.Builder config) {
    return Transports.create(config.provider("apache").build());
  }

  private static Transport apache() {
    return apache(TransportConfig.builder());
  }

  @Test
  void discoveredWithNameAndCapabilities() {
    try (Transport t = apache()) {
      assertEquals("apache", t.name());
      assertEquals(
          java.util.Set.of(
              Capability.GET_WITH_BODY,
              Capability.HTTP_2,
              Capability.CUSTOM_SSL_CONTEXT,
              Capability.CONNECTION_EVENTS,
              Capability.PROXY_TUNNEL_CREDENTIALS,
              Capability.MAX_IDLE_TIME,
              Capability.CONNECTION_TIME_TO_LIVE,
              Capability.POOL_STATS),
          t.capabilities());
    }
  }

  @Test
  void noRetryOn503WithRetryAfterNorOnABrokenConnection() throws Exception {
    byte[] unavailable =
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    try (RawServer server =
            new RawServer(r -> r.requestLine().contains("/closes") ? null : unavailable);
        // the api's own resend after a stale pooled connection off: the library's alone is seen
        Transport t = apache(TransportConfig.builder().retryStaleConnections(false))) {
      assertThrows(ServerErrorException.class, () -> t.execute(Request.get(server.url("/503"))));
      assertThrows(
          ServerErrorException.class,
          () -> t.execute(Request.post(server.url("/503"), Body.of("x", "text/plain"))));
      assertThrows(
          MalformedResponseException.class, () -> t.execute(Request.get(server.url("/closes"))));
      Thread.sleep(300); // a retry would come within this
      assertEquals(3, server.requests.size());
    }
  }

  @Test
  void sendsNoHeaderOfTheLibrarysOwn() throws Exception {
    try (RawServer server = new RawServer(r -> RawServer.ok(""));
        Transport t = apache(TransportConfig.builder().compression(false).userAgent("test/1"))) {
      for (String method : List.of("GET", "HEAD", "OPTIONS", "DELETE")) {
        t.execute(Request.builder(method, server.url("/h")).build());
      }
      for (RawServer.Received r : server.requests) {
        List<String> names =
            r.headerLines().stream()
                .map(l -> l.substring(0, l.indexOf(':')).toLowerCase(Locale.ROOT))
                .toList();
        assertTrue(r.headerLines().contains("User-Agent: test/1"), r.head());
        // Host, the agent we asked for, and the keep-alive the library insists on; no
        // Accept-Encoding, Upgrade, Expect, Priority or Cookie of the library's
        for (String name : names) {
          assertTrue(List.of("host", "user-agent", "connection").contains(name), r.head());
        }
      }
    }
  }

  @Test
  void getAndDeleteWithBodyAreSentIntact() throws Exception {
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    try (RawServer server = new RawServer(r -> RawServer.ok("ok"));
        Transport t = apache()) {
      for (String method : List.of("GET", "DELETE")) {
        t.execute(
            Request.builder(method, server.url("/_search"))
                .body(Body.of(bytes, "application/octet-stream"))
                .build());
      }
      for (RawServer.Received r : server.requests) {
        assertTrue(r.headerLines().contains("Content-Length: 256"), r.head());
        assertTrue(r.headerLines().contains("Content-Type: application/octet-stream"), r.head());
        assertEquals(java.util.Arrays.toString(bytes), java.util.Arrays.toString(r.body()));
      }
    }
  }

  @Test
  void waitingForAPooledConnectionIsNotBoundedByTheConnectTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (RawServer server =
            new RawServer(
                r -> {
                  release.await(10, TimeUnit.SECONDS);
                  return RawServer.ok("late");
                });
        Transport t =
            apache(
                TransportConfig.builder()
                    .maxConnectionsPerHost(1)
                    .connectTimeout(Duration.ofMillis(300))
                    .responseTimeout(Duration.ofSeconds(10)))) {
      CompletableFuture<Response> holding = t.send(Request.get(server.url("/slow")));
      while (server.requests.isEmpty()) { // the first holds the only connection
        Thread.sleep(10);
      }
      CompletableFuture<Response> waiting = t.send(Request.get(server.url("/waits")));
      Thread.sleep(1000); // over three connect timeouts in the pool's queue
      assertFalse(waiting.isDone(), "the queued request ended while waiting for the connection");
      release.countDown();
      assertEquals("late", holding.get(5, TimeUnit.SECONDS).text());
      assertEquals("late", waiting.get(5, TimeUnit.SECONDS).text());
      assertEquals(1, server.connections.get());
    }
  }

  @Test
  void theRequestTimeoutBoundsTheWaitForAPooledConnectionAndWithdrawsIt() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (RawServer server =
            new RawServer(
                r -> {
                  if (r.requestLine().contains("/slow")) {
                    release.await(10, TimeUnit.SECONDS);
                  }
                  return RawServer.ok("done");
                });
        Transport t = apache(TransportConfig.builder().maxConnectionsPerHost(1))) {
      CompletableFuture<Response> holding = t.send(Request.get(server.url("/slow")));
      while (server.requests.isEmpty()) {
        Thread.sleep(10);
      }
      long start = System.nanoTime();
      RequestTimeoutException e =
          assertThrows(
              RequestTimeoutException.class,
              () ->
                  t.execute(
                      Request.builder("GET", server.url("/waits"))
                          .requestTimeout(Duration.ofMillis(400))
                          .build()));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertFalse(e.requestSent());
      assertTrue(ms >= 350 && ms < 3000, ms + " ms");
      release.countDown();
      assertEquals("done", holding.get(5, TimeUnit.SECONDS).text());
      // the withdrawn request never reaches the server, and the connection serves the next one
      assertEquals("done", t.execute(Request.get(server.url("/next"))).text());
      assertEquals(2, server.requests.size(), "requests the server saw: /slow and /next");
      assertEquals(1, server.connections.get());
    }
  }

  @Test
  void cancellingClosesTheConnectionAlsoWhenItWasReused() throws Exception {
    try (RawServer server =
            new RawServer(r -> r.requestLine().contains("/hang") ? RawServer.HOLD : ok(""));
        Transport t = apache()) {
      for (int round = 1; round <= 5; round++) {
        t.execute(Request.get(server.url("/ok"))); // leaves a pooled connection
        CompletableFuture<Response> hanging = t.send(Request.get(server.url("/hang")));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.requests.size() < 2 * round && System.nanoTime() < end) {
          Thread.sleep(5);
        }
        hanging.cancel(true);
        while (server.closedByClient.get() < round && System.nanoTime() < end) {
          Thread.sleep(5);
        }
        assertEquals(round, server.closedByClient.get(), "connections closed after cancel");
      }
      assertEquals(5, server.connections.get(), "each hanging request was on a reused connection");
    }
  }

  private static byte[] ok(String body) {
    return RawServer.ok(body);
  }

  @Test
  void aReusedConnectionClosedWithoutAnAnswerIsStale() throws Exception {
    java.util.Map<Integer, Integer> perConnection = new java.util.concurrent.ConcurrentHashMap<>();
    // every connection answers its first request and closes on its second, unanswered
    try (RawServer server =
            new RawServer(
                r -> perConnection.merge(r.connection(), 1, Integer::sum) == 1 ? ok("") : null);
        Transport t = apache(TransportConfig.builder().retryStaleConnections(false));
        Transport resending = apache()) {
      t.execute(Request.get(server.url("/first")));
      StaleConnectionException e =
          assertThrows(
              StaleConnectionException.class, () -> t.execute(Request.get(server.url("/second"))));
      assertTrue(e.requestSent());
      resending.execute(Request.get(server.url("/first")));
      assertEquals(200, resending.execute(Request.get(server.url("/again"))).status());
    }
    try (RawServer emptyReply = new RawServer(r -> null);
        Transport t = apache()) { // a fresh connection: not stale, just malformed
      MalformedResponseException e =
          assertThrows(
              MalformedResponseException.class, () -> t.execute(Request.get(emptyReply.url("/"))));
      assertFalse(e instanceof StaleConnectionException, e.toString());
    }
  }

  @Test
  void wrapsAClientTheCallerOwns() throws Exception {
    CloseableHttpAsyncClient client = ApacheTransports.configure(HttpAsyncClients.custom()).build();
    try (RawServer server = new RawServer(r -> RawServer.ok("hello"))) {
      Transport t = ApacheTransports.wrap(client, TransportConfig.defaults());
      assertEquals("apache", t.name());
      Response r = t.execute(Request.get(server.url("/wrapped")));
      assertEquals("hello", r.text());
      String head = server.requests.get(0).head();
      assertFalse(head.toLowerCase(Locale.ROOT).contains("accept-encoding: gzip, x-gzip"), head);
      assertFalse(head.contains("Apache-HttpAsyncClient"), head);
      assertFalse(head.contains("Upgrade"), head);
      t.close();
      assertEquals(IOReactorStatus.ACTIVE, client.getStatus()); // the caller's to close
      SimpleHttpResponse direct =
          client.execute(SimpleHttpRequest.create("GET", server.url("/direct")), null).get();
      assertEquals(200, direct.getCode());
    } finally {
      client.close(CloseMode.IMMEDIATE);
    }
  }

  @Test
  void aWrappedClientClosedByItsOwnerFailsRequestsAtOnce() throws Exception {
    CloseableHttpAsyncClient client = ApacheTransports.configure(HttpAsyncClients.custom()).build();
    try (RawServer server = new RawServer(r -> RawServer.ok("hello"));
        Transport t = ApacheTransports.wrap(client, TransportConfig.defaults())) {
      client.close(CloseMode.IMMEDIATE);
      TransportException e =
          assertThrows(TransportException.class, () -> t.execute(Request.get(server.url("/"))));
      assertFalse(e.requestSent());
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
  }

  @Test
  void wrapRejectsWhatOnlyTheClientDecides() throws Exception {
    try (CloseableHttpAsyncClient client = HttpAsyncClients.createDefault()) {
      for (TransportConfig.Builder b :
          List.of(
              TransportConfig.builder().sslContext(SSLContext.getDefault()),
              TransportConfig.builder().httpVersion(HttpVersion.HTTP_2),
              TransportConfig.builder().maxConnectionsPerHost(2))) {
        UnsupportedFeatureException e =
            assertThrows(
                UnsupportedFeatureException.class, () -> ApacheTransports.wrap(client, b.build()));
        assertTrue(e.getMessage().contains("connection manager"), e.getMessage());
      }
    }
  }

  @Test
  void closeLeavesNoThreadOfItsOwn() throws Exception {
    try (RawServer server = new RawServer(r -> RawServer.ok("ok"))) {
      // other tests in this JVM may still be closing transports of their own: count only ours
      java.util.Set<Thread> before = apacheThreads();
      Transport t = apache();
      t.execute(Request.get(server.url("/")));
      java.util.Set<Thread> ours = apacheThreads();
      ours.removeAll(before);
      assertTrue(!ours.isEmpty());
      long start = System.nanoTime();
      t.close();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ms < 2000, "close took " + ms + " ms");
      // HC5 joins its reactor's threads in close() but only interrupts the thread it started the
      // reactor on (shutdownNow of a single-thread executor), which ends a moment later
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (ours.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      ours.retainAll(apacheThreads());
      assertEquals(java.util.Set.of(), ours, "threads still alive 2 s after close");
    }
  }

  private static java.util.Set<Thread> apacheThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("switchboard-apache-"))
        .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
  }
}
