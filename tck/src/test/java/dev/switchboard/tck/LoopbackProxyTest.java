package dev.switchboard.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy the conformance checks go through: forwards, tunnels, asks for credentials, refuses.
 */
@Timeout(10)
class LoopbackProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String GOOD_AUTH =
      "Basic "
          + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private LoopbackProxy proxy;
  private HttpServer origin;
  private final List<HttpExchangeSeen> originSaw = new CopyOnWriteArrayList<>();

  /** What the JDK origin server saw of one request. */
  record HttpExchangeSeen(String method, String target, List<String> connection, byte[] body) {}

  @BeforeEach
  void start() throws IOException {
    proxy = LoopbackProxy.start();
    toClose.add(proxy);
    origin = HttpServer.create(Loopback.anyPort(), 50);
    origin.createContext("/hello", ex -> answer(ex, "hello from the origin"));
    origin.createContext("/echo", ex -> answer(ex, null));
    origin.start();
  }

  @AfterEach
  void stop() throws Exception {
    origin.stop(0);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private void answer(HttpExchange ex, String text) throws IOException {
    byte[] in = ex.getRequestBody().readAllBytes();
    List<String> connection = ex.getRequestHeaders().get("Connection");
    originSaw.add(
        new HttpExchangeSeen(
            ex.getRequestMethod(),
            ex.getRequestURI().toString(),
            connection == null ? List.of() : connection,
            in));
    byte[] out = text == null ? in : text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(200, out.length == 0 ? -1 : out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  private String originBase() {
    return "http://127.0.0.1:" + origin.getAddress().getPort();
  }

  private HttpClient client() {
    return HttpClient.newBuilder()
        .proxy(ProxySelector.of(proxy.address()))
        .connectTimeout(WAIT)
        .build();
  }

  private static HttpRequest.Builder request(String uri) {
    return HttpRequest.newBuilder(URI.create(uri)).timeout(WAIT);
  }

  @Test
  void anHttpClientGetGoesThroughTheProxyInAbsoluteForm() throws Exception {
    HttpResponse<String> r =
        client()
            .send(
                request(originBase() + "/hello?x=1").build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, r.statusCode());
    assertEquals("hello from the origin", r.body());
    assertEquals(
        List.of(new LoopbackProxy.Seen(1, "GET", originBase() + "/hello?x=1", null, 200)),
        proxy.seen());
    assertEquals(1, proxy.connections());
    assertEquals(1, proxy.upstreamConnections());
    assertEquals(1, originSaw.size());
    assertEquals("/hello?x=1", originSaw.get(0).target());
    assertEquals(List.of("close"), originSaw.get(0).connection());
  }

  @Test
  void requestBodiesAreForwardedByteExact() throws Exception {
    byte[] body = new byte[200_000];
    new Random(7).nextBytes(body);
    HttpClient client = client();

    HttpResponse<byte[]> sized =
        client.send(
            request(originBase() + "/echo")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> chunked =
        client.send(
            request(originBase() + "/echo")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, sized.statusCode());
    assertArrayEquals(body, sized.body());
    assertEquals(200, chunked.statusCode());
    assertArrayEquals(body, chunked.body());
    assertEquals(2, originSaw.size());
    assertArrayEquals(body, originSaw.get(0).body());
    assertArrayEquals(body, originSaw.get(1).body());
    List<LoopbackProxy.Seen> seen = proxy.seen();
    assertEquals(2, seen.size(), seen.toString());
    assertTrue(seen.stream().allMatch(s -> s.method().equals("POST") && s.status() == 200));
  }

  @Test
  void aForwardedRequestLosesItsHopByHopFieldsAndTheResponseSaysClose() throws Exception {
    RawServer raw =
        RawServer.start(
            (req, conn) ->
                conn.respond(
                    200,
                    "raw body",
                    "Connection",
                    "keep-alive",
                    "Keep-Alive",
                    "timeout=5",
                    "X-Origin",
                    "yes"));
    toClose.add(raw);
    String target = "http://127.0.0.1:" + raw.port() + "/raw/path?q=1&r=2";
    try (Socket s = connect()) {
      write(
          s,
          "GET "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + raw.port()
              + "\r\nProxy-Connection: keep-alive\r\nConnection: keep-alive\r\n"
              + "Keep-Alive: timeout=5\r\nX-Order: 1\r\nX-Order: 2\r\n\r\n");
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
      assertTrue(response.contains("\r\nConnection: close\r\n"), response);
      assertFalse(response.toLowerCase().contains("keep-alive"), response);
      assertTrue(response.contains("\r\nX-Origin: yes\r\n"), response);
      assertTrue(response.endsWith("\r\n\r\nraw body"), response);
    }
    RawServer.RawRequest req = raw.lastRequest();
    assertEquals("/raw/path?q=1&r=2", req.target());
    assertEquals(List.of("Host", "X-Order", "X-Order", "Connection"), req.names());
    assertEquals(List.of("1", "2"), req.all("X-Order"));
    assertEquals("close", req.header("Connection"));
    assertEquals(List.of(new LoopbackProxy.Seen(1, "GET", target, null, 200)), proxy.seen());
  }

  @Test
  void chunkedBodiesAreRelayedAsTheyCame() throws Exception {
    RawServer raw =
        RawServer.start(
            (req, conn) ->
                conn.respondChunked(
                    201,
                    List.of(
                        "abc".getBytes(StandardCharsets.UTF_8),
                        "defg".getBytes(StandardCharsets.UTF_8))));
    toClose.add(raw);
    try (Socket s = connect()) {
      write(
          s,
          "POST http://127.0.0.1:"
              + raw.port()
              + "/up HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

      assertTrue(response.startsWith("HTTP/1.1 201 "), response);
      assertTrue(response.contains("\r\nTransfer-Encoding: chunked\r\n"), response);
      assertTrue(response.endsWith("\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"), response);
    }
    RawServer.RawRequest req = raw.lastRequest();
    assertTrue(req.chunked());
    assertEquals("hello world", req.bodyText());
    assertEquals(201, proxy.seen().get(0).status());
  }

  @Test
  void connectOpensATunnelThatRelaysBytesBothWays() throws Exception {
    EchoServer echo = echo();
    String target = "127.0.0.1:" + echo.port();
    try (Socket s = connect()) {
      write(s, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
      InputStream in = s.getInputStream();
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head(in));

      write(s, "ping\n");
      assertEquals("ping\n", new String(in.readNBytes(5), StandardCharsets.UTF_8));
      byte[] big = new byte[100_000];
      new Random(3).nextBytes(big);
      s.getOutputStream().write(big);
      assertArrayEquals(big, in.readNBytes(big.length));
    }
    assertTrue(echo.awaitEnded(1), "the proxy closes the target's side when the client's ends");
    assertEquals(List.of(new LoopbackProxy.Seen(1, "CONNECT", target, null, 200)), proxy.seen());
    assertEquals(1, echo.accepted());
  }

  @Test
  void connectByTheNameLocalhostGoesTo127001() throws Exception {
    EchoServer echo = echo();
    try (Socket s = connect()) {
      write(s, "CONNECT localhost:" + echo.port() + " HTTP/1.1\r\n\r\n");
      InputStream in = s.getInputStream();
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head(in));
      write(s, "x");
      assertEquals('x', in.read());
    }
  }

  @Test
  void connectToAPortNobodyListensOnIs502() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket()) {
      free.bind(Loopback.anyPort());
      port = free.getLocalPort();
    }
    try (Socket s = connect()) {
      write(s, "CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\n\r\n");
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), response);
      assertTrue(response.contains("\r\nContent-Length: 0\r\n"), response);
    }
    assertEquals(502, proxy.seen().get(0).status());
  }

  @Test
  void missingOrWrongCredentialsGet407AndTheSameConnectionThenGoesThrough() throws Exception {
    proxy.requireBasic("alice", "s3cret");
    EchoServer echo = echo();
    String target = "127.0.0.1:" + echo.port();
    try (Socket s = connect()) {
      InputStream in = s.getInputStream();
      write(s, "CONNECT " + target + " HTTP/1.1\r\n\r\n");
      String first = head(in);
      assertTrue(first.startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n"), first);
      assertTrue(first.contains("\r\nProxy-Authenticate: Basic realm=\"switchboard-tck\"\r\n"));
      assertTrue(first.contains("\r\nContent-Length: 0\r\n"), first);

      write(s, "CONNECT " + target + " HTTP/1.1\r\nProxy-Authorization: Basic d3Jvbmc=\r\n\r\n");
      assertTrue(head(in).startsWith("HTTP/1.1 407 "));

      write(s, "CONNECT " + target + " HTTP/1.1\r\nProxy-Authorization: " + GOOD_AUTH + "\r\n\r\n");
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head(in));
      write(s, "through");
      assertEquals("through", new String(in.readNBytes(7), StandardCharsets.UTF_8));
    }
    assertEquals(
        List.of(
            new LoopbackProxy.Seen(1, "CONNECT", target, null, 407),
            new LoopbackProxy.Seen(1, "CONNECT", target, "Basic d3Jvbmc=", 407),
            new LoopbackProxy.Seen(1, "CONNECT", target, GOOD_AUTH, 200)),
        proxy.seen());
    assertEquals(1, proxy.connections());
  }

  @Test
  void a407DropsTheRequestBodyAndTheForwardedRequestLosesTheCredentials() throws Exception {
    proxy.requireBasic("alice", "s3cret");
    RawServer raw = RawServer.start((req, conn) -> conn.respond(200, "ok"));
    toClose.add(raw);
    String target = "http://127.0.0.1:" + raw.port() + "/p";
    try (Socket s = connect()) {
      InputStream in = s.getInputStream();
      write(s, "POST " + target + " HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde");
      assertTrue(head(in).startsWith("HTTP/1.1 407 "));
      write(
          s,
          "POST "
              + target
              + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: "
              + GOOD_AUTH
              + "\r\nContent-Length: 3\r\n\r\nxyz");
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
      assertTrue(response.endsWith("\r\n\r\nok"), response);
    }
    RawServer.RawRequest req = raw.lastRequest();
    assertEquals(1, raw.requestCount());
    assertEquals("xyz", req.bodyText());
    assertNull(req.header("Proxy-Authorization"));
    assertEquals(
        List.of(
            new LoopbackProxy.Seen(1, "POST", target, null, 407),
            new LoopbackProxy.Seen(1, "POST", target, GOOD_AUTH, 200)),
        proxy.seen());
  }

  @Test
  void anHttpClientWithAnAuthenticatorAnswersThe407() throws Exception {
    proxy.requireBasic("alice", "s3cret");
    HttpClient client =
        HttpClient.newBuilder()
            .proxy(ProxySelector.of(proxy.address()))
            .authenticator(
                new Authenticator() {
                  @Override
                  protected PasswordAuthentication getPasswordAuthentication() {
                    return getRequestorType() == RequestorType.PROXY
                        ? new PasswordAuthentication("alice", "s3cret".toCharArray())
                        : null;
                  }
                })
            .build();

    HttpResponse<String> r =
        client.send(request(originBase() + "/hello").build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, r.statusCode());
    assertEquals("hello from the origin", r.body());
    List<LoopbackProxy.Seen> seen = proxy.seen();
    assertEquals(2, seen.size(), seen.toString());
    assertEquals(407, seen.get(0).status());
    assertNull(seen.get(0).proxyAuthorization());
    assertEquals(200, seen.get(1).status());
    assertEquals(GOOD_AUTH, seen.get(1).proxyAuthorization());
  }

  @Test
  void targetsOtherThanLoopbackAre403AndNothingIsConnected() throws Exception {
    List<String> lines =
        List.of(
            "CONNECT 10.255.255.1:80",
            "CONNECT example.invalid:443",
            "CONNECT 127.0.0.1.example.invalid:443",
            "CONNECT [::2]:443",
            "GET http://example.invalid/",
            "GET http://10.255.255.1:8080/x",
            "GET http://127.0.0.1@example.invalid/",
            "GET http://localhost.example.invalid/");
    for (String line : lines) {
      try (Socket s = connect()) {
        write(s, line + " HTTP/1.1\r\nHost: example.invalid\r\n\r\n");
        String response =
            new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(response.startsWith("HTTP/1.1 403 Forbidden\r\n"), line + ": " + response);
      }
    }
    List<LoopbackProxy.Seen> seen = proxy.seen();
    assertEquals(lines.size(), seen.size(), seen.toString());
    assertTrue(seen.stream().allMatch(s -> s.status() == 403), seen.toString());
    assertEquals(0, proxy.upstreamConnections());
  }

  @Test
  void anOriginFormRequestIs400() throws Exception {
    try (Socket s = connect()) {
      write(s, "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 400 Bad Request\r\n"), response);
    }
    assertEquals(List.of(new LoopbackProxy.Seen(1, "GET", "/x", null, 400)), proxy.seen());
    assertEquals(0, proxy.upstreamConnections());
  }

  @Test
  void headLinesMayEndInABareLf() throws Exception {
    try (Socket s = connect()) {
      write(s, "GET " + originBase() + "/hello HTTP/1.1\nHost: 127.0.0.1\n\n");
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
      assertTrue(response.endsWith("hello from the origin"), response);
    }
  }

  @Test
  void closeOnRequestRecordsTheHeadAndClosesWithoutAnAnswer() throws Exception {
    proxy.mode(LoopbackProxy.Mode.CLOSE_ON_REQUEST);
    try (Socket s = connect()) {
      write(s, "GET " + originBase() + "/hello HTTP/1.1\r\n\r\n");
      assertEquals(-1, s.getInputStream().read());
    }
    assertEquals(
        List.of(new LoopbackProxy.Seen(1, "GET", originBase() + "/hello", null, 0)), proxy.seen());
    assertThrows(
        IOException.class,
        () ->
            client()
                .send(
                    request(originBase() + "/hello").build(),
                    HttpResponse.BodyHandlers.ofString()));
    assertEquals(0, proxy.upstreamConnections());
    assertTrue(originSaw.isEmpty());
  }

  @Test
  void stallRecordsTheHeadAndNeverAnswersUntilClose() throws Exception {
    proxy.mode(LoopbackProxy.Mode.STALL);
    try (Socket s = connect()) {
      write(s, "CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n");
      assertTrue(proxy.awaitSeen(1, WAIT));
      s.setSoTimeout(200);
      assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());

      s.setSoTimeout((int) WAIT.toMillis());
      proxy.close();
      assertEndsSoon(s.getInputStream());
    }
    assertEquals(
        List.of(new LoopbackProxy.Seen(1, "CONNECT", "127.0.0.1:1", null, 0)), proxy.seen());
    assertEquals(0, proxy.upstreamConnections());
  }

  @Test
  void garbageAnswersWhatIsNotHttp() throws Exception {
    proxy.mode(LoopbackProxy.Mode.GARBAGE);
    try (Socket s = connect()) {
      write(s, "GET " + originBase() + "/hello HTTP/1.1\r\n\r\n");
      assertEquals(
          "this is not http\r\n\r\n",
          new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1));
    }
    assertThrows(
        IOException.class,
        () ->
            client()
                .send(
                    request(originBase() + "/hello").build(),
                    HttpResponse.BodyHandlers.ofString()));
    assertEquals(0, proxy.upstreamConnections());
    assertTrue(proxy.seen().size() >= 2, proxy.seen().toString());
  }

  @Test
  void closeEndsOpenTunnelsOnBothSides() throws Exception {
    EchoServer echo = echo();
    try (Socket s = connect()) {
      write(s, "CONNECT 127.0.0.1:" + echo.port() + " HTTP/1.1\r\n\r\n");
      InputStream in = s.getInputStream();
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head(in));
      write(s, "a");
      assertEquals('a', in.read());

      proxy.close();

      assertEndsSoon(in);
      assertTrue(echo.awaitEnded(1), "the target's side of the tunnel is closed too");
    }
  }

  @Test
  void resetForgetsWhatWasSeen() throws Exception {
    client().send(request(originBase() + "/hello").build(), HttpResponse.BodyHandlers.discarding());
    assertEquals(1, proxy.seen().size());
    assertEquals(1, proxy.connections());

    proxy.reset();

    assertEquals(List.of(), proxy.seen());
    assertEquals(0, proxy.connections());
    assertEquals(0, proxy.upstreamConnections());
    assertEquals("127.0.0.1:" + proxy.port(), proxy.authority());
    assertEquals(proxy.port(), proxy.address().getPort());
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(proxy.address(), (int) WAIT.toMillis());
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  private static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** A response head, CRLFs included, up to and including its empty line. */
  private static String head(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the head was cut short: " + sb);
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  /** The connection ends (end of stream or reset) before the socket's read timeout. */
  private static void assertEndsSoon(InputStream in) {
    try {
      while (in.read() >= 0) {
        // what was in flight
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after the read timeout", e);
    } catch (IOException e) {
      // reset: ended too
    }
  }

  private EchoServer echo() throws IOException {
    EchoServer e = new EchoServer();
    toClose.add(e);
    return e;
  }

  /** Sends back what it receives, on each connection, until the peer closes. */
  private static final class EchoServer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();

    EchoServer() throws IOException {
      server.bind(Loopback.anyPort(), 50);
      Thread t = new Thread(this::acceptLoop, "test-echo-accept");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    boolean awaitEnded(int count) throws InterruptedException {
      return Loopback.await(ended::get, count, WAIT, 5);
    }

    private void acceptLoop() {
      while (true) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return;
        }
        accepted.incrementAndGet();
        sockets.add(s);
        Thread t =
            new Thread(
                () -> {
                  try (s) {
                    s.getInputStream().transferTo(s.getOutputStream());
                  } catch (IOException e) {
                    // the peer reset
                  } finally {
                    ended.incrementAndGet();
                  }
                },
                "test-echo-conn");
        t.setDaemon(true);
        t.start();
      }
    }

    @Override
    public void close() {
      Loopback.closeAll(server, sockets);
    }
  }
}
