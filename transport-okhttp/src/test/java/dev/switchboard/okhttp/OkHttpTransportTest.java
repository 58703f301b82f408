package dev.switchboard.okhttp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.GetWithBody;
import dev.switchboard.Headers;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is particular to OkHttp; the shared contract is checked by the TCK. */
class OkHttpTransportTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

  /** Answers every request on every connection with 200 "hello" (keep-alive). */
  private static final RawServer.Handler OK =
      c -> {
        while (c.read() != null) {
          c.respond(200, "", HELLO);
        }
      };

  private static Transport transport(TransportConfig.Builder config) {
    return Transports.create(config.provider("okhttp").build());
  }

  @Test
  void providerIsFoundByServiceLoaderWithoutGetWithBody() {
    var provider =
        Transports.providers().stream().filter(p -> p.name().equals("okhttp")).findFirst();
    assertTrue(provider.isPresent());
    assertEquals(
        java.util.Set.of(
            dev.switchboard.Capability.HTTP_2,
            dev.switchboard.Capability.CUSTOM_SSL_CONTEXT,
            dev.switchboard.Capability.CONNECTION_EVENTS,
            dev.switchboard.Capability.PROXY_TUNNEL_CREDENTIALS,
            dev.switchboard.Capability.MAX_IDLE_TIME,
            dev.switchboard.Capability.POOL_STATS,
            dev.switchboard.Capability.SOCKS_PROXY),
        provider.get().capabilities());
  }

  @Test
  void compressionOffSendsNoAcceptEncodingAndDecodesNothing() throws Exception {
    byte[] gzipped = gzip(HELLO);
    try (RawServer server =
            new RawServer(
                c -> {
                  while (c.read() != null) {
                    c.respond(200, "Content-Encoding: gzip\r\n", gzipped);
                  }
                });
        Transport t = transport(TransportConfig.builder().compression(false))) {
      Response r = t.execute(Request.get(server.uri("/")));
      RawServer.RawRequest seen = server.requests.get(0);
      assertNull(seen.header("Accept-Encoding"), seen.toString());
      assertArrayEquals(gzipped, r.bytes());
      assertEquals("gzip", r.header("Content-Encoding"));
    }
  }

  @Test
  void compressionOnSendsTheApiEncodingAndNoOkHttpUserAgent() throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  while (c.read() != null) {
                    c.respond(200, "Content-Encoding: gzip\r\n", gzip(HELLO));
                  }
                });
        Transport t = transport(TransportConfig.builder())) {
      Response r = t.execute(Request.get(server.uri("/")));
      RawServer.RawRequest seen = server.requests.get(0);
      assertEquals("gzip, deflate", seen.header("Accept-Encoding"));
      assertTrue(seen.header("User-Agent").startsWith("switchboard/"), seen.toString());
      assertTrue(!seen.toString().contains("okhttp/"), seen.toString());
      assertEquals("hello", r.text());
    }
  }

  @Test
  void postOnADeadPooledConnectionIsNotResent() throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  if (c.index == 0) {
                    c.read();
                    c.respond(200, "", HELLO);
                    c.read(); // the POST arrives on the pooled connection...
                    c.socket.close(); // ...and the connection dies without an answer
                  } else {
                    OK.handle(c);
                  }
                });
        Transport t = transport(TransportConfig.builder())) {
      t.execute(Request.get(server.uri("/warm")));
      MalformedResponseException e =
          assertThrows(
              MalformedResponseException.class,
              () -> t.execute(Request.post(server.uri("/once"), Body.of("x", "text/plain"))));
      assertTrue(e.requestSent());
      Thread.sleep(200); // a silent retry would arrive now
      assertEquals(1, server.connections.get());
      assertEquals(1, server.requests.stream().filter(r -> r.method().equals("POST")).count());
    }
  }

  @Test
  void retryAfterZeroOn503IsNotFollowedAndTheHeaderIsKept() throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  while (c.read() != null) {
                    c.respond(503, "Retry-After: 0\r\n", HELLO);
                  }
                });
        Transport t = transport(TransportConfig.builder())) {
      Response r = t.execute(Request.builder("GET", server.uri("/")).acceptStatus(503).build());
      assertEquals(503, r.status());
      assertEquals("0", r.header("Retry-After"));
      Thread.sleep(200);
      assertEquals(1, server.requests.size());
    }
  }

  @Test
  void getWithBodyIsRejectedByTheEngineWithoutSendingAnything() throws Exception {
    try (RawServer server = new RawServer(OK);
        OkHttpEngine engine = OkHttpEngine.create(TransportConfig.defaults())) {
      Request get =
          Request.builder("GET", server.uri("/_search"))
              .body(Body.of("{}", "application/json"))
              .build();
      Recorder listener = new Recorder();
      engine.start(
          new ExchangeRequest(get, Duration.ofSeconds(1), Duration.ofSeconds(1)), listener);
      TransportException e = listener.failure.get(5, TimeUnit.SECONDS);
      assertInstanceOf(UnsupportedFeatureException.class, e);
      assertTrue(e.getMessage().contains("AS_POST"), e.getMessage());
      assertTrue(!e.requestSent());
      Thread.sleep(100);
      assertEquals(0, server.connections.get());
    }
  }

  @Test
  void getWithBodyAsPostSendsPostWithTheBody() throws Exception {
    try (RawServer server = new RawServer(OK);
        Transport t = transport(TransportConfig.builder().getWithBody(GetWithBody.AS_POST))) {
      t.execute(
          Request.builder("GET", server.uri("/_search"))
              .body(Body.of("{\"q\":1}", "application/json"))
              .build());
      RawServer.RawRequest seen = server.requests.get(0);
      assertEquals("POST", seen.method());
      assertEquals("{\"q\":1}", seen.text());
    }
  }

  @Test
  void wrappingKeepsTheUsersInterceptorsAndLeavesTheirClientRunning() throws Exception {
    List<String> wireEncodings = new CopyOnWriteArrayList<>();
    OkHttpClient user =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain ->
                    chain.proceed(
                        chain.request().newBuilder().header("X-From-User", "yes").build()))
            .addNetworkInterceptor(
                chain -> {
                  wireEncodings.add(String.valueOf(chain.request().header("Accept-Encoding")));
                  return chain.proceed(chain.request());
                })
            .build();
    try (RawServer server = new RawServer(OK)) {
      try (Transport t =
          OkHttpTransports.wrap(user, TransportConfig.builder().compression(false).build())) {
        assertEquals("hello", t.execute(Request.get(server.uri("/"))).text());
        assertEquals("okhttp", t.name());
      }
      assertEquals("yes", server.requests.get(0).header("X-From-User"));
      assertNull(server.requests.get(0).header("Accept-Encoding"));
      assertEquals(List.of("null"), wireEncodings); // the user's network interceptor saw the wire
      // the user's own client still works after the transport was closed
      try (okhttp3.Response r =
          user.newCall(new okhttp3.Request.Builder().url(server.uri("/").toString()).build())
              .execute()) {
        assertEquals(200, r.code());
      }
    } finally {
      user.dispatcher().executorService().shutdown();
      user.connectionPool().evictAll();
    }
  }

  @Test
  void aWrappedClientSharesItsPoolButNotItsFiveRequestsPerHostDispatcher() {
    OkHttpClient user = new OkHttpClient();
    TransportConfig config = TransportConfig.builder().maxConnectionsPerHost(9).build();
    try (OkHttpEngine engine = OkHttpEngine.wrap(user, config)) {
      assertSame(user.connectionPool(), engine.client().connectionPool());
      assertNotSame(user.dispatcher(), engine.client().dispatcher());
      assertEquals(9, engine.client().dispatcher().getMaxRequestsPerHost());
      assertEquals(5, user.dispatcher().getMaxRequestsPerHost()); // the user's client is untouched
      assertTrue(user.retryOnConnectionFailure() && user.followRedirects());
      assertEquals(user.interceptors().size() + 1, engine.client().interceptors().size());
    }
  }

  @Test
  void perRequestConnectTimeoutsShareOneClientAndItsPool() throws Exception {
    try (RawServer server = new RawServer(OK);
        Transport t = transport(TransportConfig.builder())) {
      for (int seconds : new int[] {1, 2, 3, 2}) {
        t.execute(
            Request.builder("GET", server.uri("/"))
                .connectTimeout(Duration.ofSeconds(seconds))
                .build());
      }
      assertEquals(4, server.requests.size());
      assertEquals(1, server.connections.get());
    }
  }

  @Test
  @Timeout(20) // without the watchdog OkHttp waits for the handshake forever (read timeout 0)
  void connectTimeoutCoversATlsHandshakeThatNeverAnswers() throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  c.in.readAllBytes(); // reads the ClientHello, never answers
                });
        Transport t = transport(TransportConfig.builder().connectTimeout(Duration.ofMillis(500)))) {
      URI https = URI.create("https://127.0.0.1:" + server.server.getLocalPort() + "/");
      long start = System.nanoTime();
      ConnectTimeoutException e =
          assertThrows(ConnectTimeoutException.class, () -> t.execute(Request.get(https)));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 400 && millis < 5_000, "took " + millis + " ms");
      assertTrue(!e.requestSent());
      assertEquals(1, server.connections.get());
    }
  }

  @Test
  @Timeout(20)
  void expectContinueSendsTheBodyAfter100AndTheResponseTimeoutCoversTheWait() throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  // a hand-read request: headers only, then the body after "100 Continue"
                  java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
                  while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head.write(c.in.read());
                  }
                  if (head.toString(StandardCharsets.ISO_8859_1).contains("/slow")) {
                    c.in.readAllBytes(); // never says 100
                    return;
                  }
                  c.write("HTTP/1.1 100 Continue\r\n\r\n", new byte[0]);
                  byte[] body = c.in.readNBytes(3);
                  c.respond(200, "", body);
                });
        Transport t = transport(TransportConfig.builder())) {
      Request.Builder post =
          Request.builder("POST", server.uri("/")).header("Expect", "100-continue");
      assertEquals("abc", t.execute(post.body(Body.of("abc", "text/plain")).build()).text());
      long start = System.nanoTime();
      assertThrows(
          dev.switchboard.ResponseTimeoutException.class,
          () ->
              t.execute(
                  post.uri(server.uri("/slow")).responseTimeout(Duration.ofMillis(300)).build()));
      assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000);
    }
  }

  @Test
  void nonAsciiHeaderValuesAreSentAsUtf8() throws Exception {
    try (RawServer server = new RawServer(OK);
        Transport t = transport(TransportConfig.builder())) {
      t.execute(Request.builder("GET", server.uri("/")).header("X-Name", "Zoë ✓").build());
      assertEquals("Zoë ✓", server.requests.get(0).header("X-Name"));
    }
  }

  @Test
  void dispatcherAndPoolFollowTheConfiguredLimits() {
    TransportConfig config =
        TransportConfig.builder().maxConnectionsPerHost(7).maxConnections(11).build();
    try (OkHttpEngine engine = OkHttpEngine.create(config)) {
      OkHttpClient c = engine.client();
      assertEquals(7, c.dispatcher().getMaxRequestsPerHost());
      assertEquals(11, c.dispatcher().getMaxRequests());
      assertTrue(!c.retryOnConnectionFailure());
      assertTrue(!c.followRedirects() && !c.followSslRedirects());
      assertEquals(List.of(okhttp3.Protocol.HTTP_1_1), c.protocols());
    }
  }

  @Test
  void aContinuationRunsOnTheDispatcherThreadOnceOkHttpHasFinishedTheCall() throws Exception {
    TransportConfig config = TransportConfig.builder().maxConnectionsPerHost(1).build();
    OkHttpEngine engine = OkHttpEngine.create(config);
    try (RawServer server = new RawServer(OK);
        Transport t = Transports.wrap(engine, config)) {
      OkHttpClient c = engine.client();
      List<Object> seen =
          t.send(Request.get(server.uri("/")))
              .thenApply(
                  r ->
                      List.<Object>of(
                          Thread.currentThread()
                              .getName()
                              .matches("switchboard-okhttp-\\d+-dispatcher-\\d+"),
                          c.dispatcher().runningCallsCount(),
                          c.connectionPool().idleConnectionCount(),
                          t.isTransportThread()))
              .get(10, TimeUnit.SECONDS);
      // no other thread woken for the completion; the call's slot of the per-host limit is free
      // and its connection back in the pool before user code runs; execute() is refused there
      assertEquals(List.of(true, 0, 1, true), seen);
    }
  }

  @Test
  void closeLeavesNoNonDaemonThreadAndNoIdleConnection() throws Exception {
    try (RawServer server = new RawServer(OK)) {
      Transport t = transport(TransportConfig.builder());
      for (int i = 0; i < 4; i++) {
        t.sendAll(List.of(Request.get(server.uri("/a")), Request.get(server.uri("/b")))).join();
      }
      t.close();
      for (Thread th : Thread.getAllStackTraces().keySet()) {
        String n = th.getName().toLowerCase(java.util.Locale.ROOT);
        if (th.isAlive() && (n.contains("okhttp") || n.contains("okio"))) {
          assertTrue(th.isDaemon(), "non-daemon thread " + th.getName());
        }
      }
      assertThrows(TransportException.class, () -> t.execute(Request.get(server.uri("/"))));
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** Records what an engine reports. */
  private static final class Recorder implements ExchangeListener {
    final CompletableFuture<TransportException> failure = new CompletableFuture<>();

    @Override
    public void onRequestSent() {}

    @Override
    public void onResponseHeaders(int status, Headers headers) {}

    @Override
    public void onBody(ByteBuffer chunk) {}

    @Override
    public void onComplete() {
      failure.completeExceptionally(new AssertionError("completed"));
    }

    @Override
    public void onFailure(Fault fault, Throwable cause) {
      failure.completeExceptionally(new AssertionError("a wire fault: " + fault, cause));
    }

    @Override
    public void onFailure(TransportException e) {
      failure.complete(e);
    }
  }
}
