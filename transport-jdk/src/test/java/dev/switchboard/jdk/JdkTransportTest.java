package dev.switchboard.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StaleConnectionException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is particular to the JDK transport; the TCK covers the shared contract. */
class JdkTransportTest {
  private RawServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = new RawServer(n -> 0);
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  void providerIsFoundWithItsCapabilities() {
    try (Transport t = Transports.create(TransportConfig.builder().provider("jdk").build())) {
      assertEquals("jdk", t.name());
      assertEquals(JdkEngine.CAPABILITIES, t.capabilities());
    }
  }

  @Test
  void clientsAreCachedByConnectTimeoutAndBounded() {
    JdkEngine engine = new JdkEngine(TransportConfig.defaults(), null);
    try (Transport t = Transports.wrap(engine, TransportConfig.defaults())) {
      for (int i = 0; i < 3; i++) {
        t.execute(Request.get(server.base() + "/a"));
      }
      assertEquals(1, engine.cachedClients());
      t.execute(
          Request.builder("GET", server.base() + "/b")
              .connectTimeout(Duration.ofSeconds(3))
              .build());
      t.execute(
          Request.builder("GET", server.base() + "/c")
              .connectTimeout(Duration.ofSeconds(3))
              .build());
      assertEquals(2, engine.cachedClients());
      for (int i = 1; i <= JdkEngine.MAX_CLIENTS + 4; i++) {
        t.execute(
            Request.builder("GET", server.base() + "/d")
                .connectTimeout(Duration.ofMillis(1000 + i))
                .build());
      }
      assertEquals(JdkEngine.MAX_CLIENTS, engine.cachedClients());
    }
    assertEquals(0, engine.cachedClients());
  }

  @Test
  void sendsHttp11WithoutUpgradeHeaders() {
    try (Transport t = Transports.create(TransportConfig.builder().provider("jdk").build())) {
      t.execute(Request.get(server.base() + "/x"));
    }
    String head = server.heads.get(0);
    assertTrue(head.startsWith("GET /x HTTP/1.1"), head);
    assertFalse(head.toLowerCase().contains("upgrade"), head);
    assertFalse(head.toLowerCase().contains("http2-settings"), head);
  }

  @Test
  void restrictedHeadersAreRefusedByName() {
    try (Transport t = Transports.create(TransportConfig.builder().provider("jdk").build())) {
      for (String name : List.of("Connection", "Upgrade", "Host", "Content-Length", "Expect")) {
        Request r =
            Request.builder("POST", server.base() + "/r")
                .header(name, "nonsense")
                .body(Body.of("hi", "text/plain"))
                .build();
        TransportException e = assertThrows(TransportException.class, () -> t.execute(r));
        assertInstanceOf(UnsupportedFeatureException.class, e, e.toString());
        assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        assertFalse(e.requestSent());
      }
      assertEquals(0, server.requests.get());
      // values equal to what the JDK writes anyway pass
      URI uri = URI.create(server.base() + "/ok");
      Response ok =
          t.execute(
              Request.builder("POST", uri)
                  .header("Host", uri.getHost() + ":" + uri.getPort())
                  .header("Content-Length", "2")
                  .body(Body.of("hi", "text/plain"))
                  .build());
      assertEquals(200, ok.status());
    }
  }

  @Test
  void aStaleConnectionIsResentOnceBySwitchboardAndNeverByTheJdk() throws Exception {
    server.close();
    server = new RawServer(n -> n >= 2 ? -1 : 0); // answers once, then closes without answer
    TransportConfig.Builder config = TransportConfig.builder().provider("jdk");
    try (Transport t = Transports.create(config.retryStaleConnections(false).build())) {
      t.execute(Request.get(server.base() + "/first"));
      TransportException e =
          assertThrows(
              TransportException.class, () -> t.execute(Request.get(server.base() + "/2")));
      assertInstanceOf(StaleConnectionException.class, e, e.toString());
      assertTrue(e.requestSent());
      Thread.sleep(200);
      assertEquals(2, server.requests.get(), "the JDK resent: " + server.heads);
    }
    server.close();
    server = new RawServer(n -> n >= 2 ? -1 : 0);
    try (Transport t = Transports.create(config.retryStaleConnections(true).build())) {
      t.execute(Request.get(server.base() + "/first"));
      int before = server.requests.get();
      TransportException e =
          assertThrows(
              TransportException.class, () -> t.execute(Request.get(server.base() + "/2")));
      assertInstanceOf(StaleConnectionException.class, e, e.toString());
      Thread.sleep(200);
      assertEquals(2, server.requests.get() - before, "one send and one resend: " + server.heads);
    }
  }

  @Test
  void connectionsPerHostAreCapped() throws Exception {
    server = swap(new RawServer(n -> 150));
    TransportConfig config =
        TransportConfig.builder().provider("jdk").maxConnectionsPerHost(2).build();
    try (Transport t = Transports.create(config)) {
      List<Request> rs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rs.add(Request.get(server.base() + "/" + i));
      }
      List<Response> all = t.sendAll(rs).join();
      assertEquals(10, all.size());
      assertTrue(server.maxOpen.get() <= 2, "max open " + server.maxOpen.get());
      assertEquals(10, server.requests.get());
    }
  }

  @Test
  void wrapsUsersClientAndLeavesItOpen() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    try (Transport t = JdkTransports.wrap(client)) {
      assertEquals("jdk", t.name());
      assertEquals(200, t.execute(Request.get(server.base() + "/w")).status());
      assertTrue(server.heads.get(0).startsWith("GET /w HTTP/1.1"), server.heads.get(0));
      assertFalse(server.heads.get(0).toLowerCase().contains("upgrade"), server.heads.get(0));
    }
    HttpResponse<String> after =
        client.send(
            HttpRequest.newBuilder(URI.create(server.base() + "/after")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, after.statusCode());
  }

  @Test
  void wrapRejectsWhatWouldMakeTheJdkSendByItself() throws Exception {
    HttpClient redirecting =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    assertThrows(UnsupportedFeatureException.class, () -> JdkTransports.wrap(redirecting));
    HttpClient authenticating =
        HttpClient.newBuilder().authenticator(new java.net.Authenticator() {}).build();
    assertThrows(UnsupportedFeatureException.class, () -> JdkTransports.wrap(authenticating));
    TransportConfig other = TransportConfig.builder().sslContext(SSLContext.getDefault()).build();
    SSLContext own = SSLContext.getInstance("TLS");
    own.init(null, null, null);
    HttpClient plain = HttpClient.newBuilder().sslContext(own).build();
    assertThrows(UnsupportedFeatureException.class, () -> JdkTransports.wrap(plain, other));
  }

  @Test
  void wrappedClientStillHonoursTheConnectTimeout() throws Exception {
    // a backlog-1 socket that never accepts: the kernel drops later SYNs, so connects hang
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      List<Socket> fillers = new ArrayList<>();
      InetSocketAddress addr = new InetSocketAddress("127.0.0.1", full.getLocalPort());
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket();
          try {
            s.connect(addr, 300);
            fillers.add(s);
          } catch (java.io.IOException e) {
            s.close();
            break;
          }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
            fillers.size() < 3, "accept queue never fills");
        HttpClient client = HttpClient.newHttpClient(); // no connect timeout of its own
        try (Transport t = JdkTransports.wrap(client)) {
          long start = System.nanoTime();
          CompletableFuture<Response> f =
              t.send(
                  Request.builder("GET", "http://127.0.0.1:" + full.getLocalPort() + "/")
                      .connectTimeout(Duration.ofMillis(300))
                      .build());
          java.util.concurrent.CompletionException c =
              assertThrows(java.util.concurrent.CompletionException.class, f::join);
          TransportException e = assertInstanceOf(TransportException.class, c.getCause());
          long ms = (System.nanoTime() - start) / 1_000_000;
          assertInstanceOf(ConnectTimeoutException.class, e, e.toString());
          assertFalse(e.requestSent());
          assertTrue(ms < 5000, ms + " ms");
        }
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    }
  }

  @Test
  void closeStopsTheOwnIoThreads() throws Exception {
    Transport t = Transports.create(TransportConfig.builder().provider("jdk").build());
    t.execute(Request.get(server.base() + "/t"));
    t.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (ioThreads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, ioThreads());
  }

  private static long ioThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(th -> th.getName().startsWith("switchboard-jdk-") && th.isAlive())
        .count();
  }

  private RawServer swap(RawServer next) {
    try {
      server.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return next;
  }
}
