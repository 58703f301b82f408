package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.HttpStatusException;
import dev.switchboard.ProxyAuthenticationException;
import dev.switchboard.ProxyConfig;
import dev.switchboard.Request;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.UnsupportedFeatureException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assertions;

/**
 * Area {@code proxy}: requests through the kit's {@link LoopbackProxy} (a forward proxy, a {@code
 * CONNECT} tunnel, one that demands Basic credentials, one that misbehaves), with loopback targets
 * proxied ({@link ProxyConfig#withLoopbackProxied()}), since every server of the kit is on
 * 127.0.0.1.
 */
final class ProxyChecks {
  static final String USER = "tck-user";
  static final String PASSWORD = "tck-Secret-42";
  private static final String WRONG = "not-the-password";

  private final TckContext ctx;

  ProxyChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  private LoopbackProxy proxy() throws Exception {
    return ctx.closeLater(LoopbackProxy.start());
  }

  private RawServer origin() throws Exception {
    return ctx.raw(
        (req, conn) ->
            conn.respond(
                200,
                req.method() + " " + req.target() + " " + req.body().length,
                "Content-Type",
                "text/plain"));
  }

  private RawServer tlsOrigin() throws Exception {
    TlsMaterial m = TlsMaterial.get(ctx.workDir);
    return ctx.closeLater(
        RawServer.startTls(
            TlsMaterial.serverContext(m.good),
            (req, conn) -> conn.respond(200, "secure " + req.target())));
  }

  private SSLContext trusting() throws Exception {
    return TlsMaterial.trusting(TlsMaterial.get(ctx.workDir).good);
  }

  private Transport through(ProxyConfig proxy, UnaryOperator<TransportConfig.Builder> more) {
    return ctx.transport(b -> more.apply(b.proxy(proxy)));
  }

  private static ProxyConfig via(LoopbackProxy p) {
    return ProxyConfig.http("127.0.0.1", p.port()).withLoopbackProxied();
  }

  /**
   * The proxy for {@code http://} requests only, with credentials: a form every transport takes
   * (credentials for a CONNECT need {@link Capability#PROXY_TUNNEL_CREDENTIALS}).
   */
  private static ProxyConfig httpOnly(LoopbackProxy p, String user, String password) {
    return ProxyConfig.of(
            ProxyConfig.Server.http("127.0.0.1", p.port()).withCredentials(user, password), null)
        .withLoopbackProxied();
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** HTTPS needs the kit's certificate trusted; without CUSTOM_SSL_CONTEXT that is not possible. */
  private boolean tlsUntestable() {
    if (ctx.has(Capability.CUSTOM_SSL_CONTEXT)) {
      return false;
    }
    ctx.alternativeVerified(
        "CUSTOM_SSL_CONTEXT not supported: HTTPS through a proxy cannot be checked against the"
            + " kit's own certificate");
    return true;
  }

  /** Without the capability, credentials for a CONNECT proxy must be refused by create. */
  private boolean tunnelCredentialsRefused(ProxyConfig proxy) {
    if (ctx.has(Capability.PROXY_TUNNEL_CREDENTIALS)) {
      return false;
    }
    UnsupportedFeatureException e =
        Assertions.assertThrows(
            UnsupportedFeatureException.class,
            () -> ctx.create(TransportConfig.builder().proxy(proxy).build()),
            "create() with credentials for a CONNECT proxy, without PROXY_TUNNEL_CREDENTIALS");
    assertTrue(
        e.getMessage().contains("PROXY_TUNNEL_CREDENTIALS"),
        "the refusal names the capability: " + e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), "the refusal shows the password");
    ctx.alternativeVerified(
        "PROXY_TUNNEL_CREDENTIALS not supported: create() rejects credentials for a CONNECT proxy"
            + " with UnsupportedFeatureException");
    return true;
  }

  void httpForward() throws Exception {
    LoopbackProxy proxy = proxy();
    RawServer origin = origin();
    Transport t = through(via(proxy), b -> b);
    assertEquals("GET /a?b=1 0", ok(t.send(Request.get(origin.uri("/a?b=1")))).text());
    assertEquals(
        "POST /p 5",
        ok(t.send(Request.post(origin.uri("/p"), Body.of("hello", "text/plain")))).text());
    List<LoopbackProxy.Seen> seen = proxy.seen();
    assertEquals(2, seen.size(), "requests the proxy saw: " + seen);
    assertEquals("GET", seen.get(0).method());
    assertEquals(origin.uri("/a?b=1").toString(), seen.get(0).target(), "absolute form");
    assertEquals(origin.uri("/p").toString(), seen.get(1).target());
    assertEquals("/a?b=1", origin.requests().get(0).target(), "what the server got, via the proxy");
  }

  void httpsConnect() throws Exception {
    if (tlsUntestable()) {
      return;
    }
    LoopbackProxy proxy = proxy();
    RawServer origin = tlsOrigin();
    Transport t = through(via(proxy), b -> b.sslContext(trustingUnchecked()));
    assertEquals("secure /s?x=1", ok(t.send(Request.get(origin.uri("/s?x=1")))).text());
    assertEquals("secure /again", ok(t.send(Request.get(origin.uri("/again")))).text());
    List<LoopbackProxy.Seen> seen = proxy.seen();
    assertFalse(seen.isEmpty(), "the proxy saw no CONNECT");
    for (LoopbackProxy.Seen s : seen) {
      assertEquals("CONNECT", s.method(), "only tunnels through the proxy: " + seen);
      assertEquals("127.0.0.1:" + origin.port(), s.target());
    }
    assertEquals(2, origin.requestCount(), "requests the server got through the tunnel");
  }

  void credentialsAnswer407() throws Exception {
    LoopbackProxy proxy = ctx.closeLater(LoopbackProxy.startRequiringBasic(USER, PASSWORD));
    RawServer origin = origin();
    Transport t = through(httpOnly(proxy, USER, PASSWORD), b -> b);
    assertEquals("GET /in 0", ok(t.send(Request.get(origin.uri("/in")))).text());
    List<LoopbackProxy.Seen> seen = proxy.seen();
    assertTrue(
        seen.stream().anyMatch(s -> basic(USER, PASSWORD).equals(s.proxyAuthorization())),
        "no request carried the configured credentials: " + seen);
    assertEquals(1, origin.requestCount(), "requests the server got");
    assertTrue(
        origin.requests().get(0).all("Proxy-Authorization").isEmpty(),
        "the proxy's credentials reached the server");
  }

  void connectCredentials() throws Exception {
    LoopbackProxy proxy = ctx.closeLater(LoopbackProxy.startRequiringBasic(USER, PASSWORD));
    ProxyConfig config = via(proxy).withCredentials(USER, PASSWORD);
    if (tunnelCredentialsRefused(config) || tlsUntestable()) {
      return;
    }
    RawServer origin = tlsOrigin();
    Transport t = through(config, b -> b.sslContext(trustingUnchecked()));
    assertEquals("secure /t", ok(t.send(Request.get(origin.uri("/t")))).text());
    assertTrue(
        proxy.seen().stream()
            .anyMatch(
                s ->
                    s.method().equals("CONNECT")
                        && s.status() == 200
                        && basic(USER, PASSWORD).equals(s.proxyAuthorization())),
        "no CONNECT carried the credentials: " + proxy.seen());
  }

  void refusedCredentialsTyped() throws Exception {
    LoopbackProxy proxy = ctx.closeLater(LoopbackProxy.startRequiringBasic(USER, PASSWORD));
    RawServer origin = origin();
    ProxyAuthenticationException e =
        TckContext.failure(
            through(httpOnly(proxy, USER, WRONG), b -> b).send(Request.get(origin.uri("/x"))),
            ProxyAuthenticationException.class);
    assertFalse(e.requestSent(), "requestSent() when the proxy refused");
    assertTrue(
        e.getMessage().contains(proxy.authority()) && e.getMessage().contains("refused"),
        "the message names the proxy and the refusal: " + e.getMessage());
    ProxyAuthenticationException none =
        TckContext.failure(
            through(via(proxy), b -> b).send(Request.get(origin.uri("/y"))),
            ProxyAuthenticationException.class);
    assertTrue(
        none.getMessage().contains("none are configured"),
        "the message says no credentials were set: " + none.getMessage());
    if (!tlsUntestable() && ctx.has(Capability.PROXY_TUNNEL_CREDENTIALS)) {
      RawServer secure = tlsOrigin();
      ProxyAuthenticationException tunnel =
          TckContext.failure(
              through(
                      via(proxy).withCredentials(USER, WRONG),
                      b -> b.sslContext(trustingUnchecked()))
                  .send(Request.get(secure.uri("/z"))),
              ProxyAuthenticationException.class);
      assertEquals(
          e.getMessage().replace("/x", "/z").replace("http:", "https:"),
          tunnel.getMessage().replace(":" + secure.port(), ":" + origin.port()));
      assertEquals(0, secure.requestCount(), "requests through a refused tunnel");
    }
    assertEquals(0, origin.requestCount(), "requests the server got past a refusing proxy");
  }

  void server401NotAnswered() throws Exception {
    LoopbackProxy proxy = ctx.closeLater(LoopbackProxy.startRequiringBasic(USER, PASSWORD));
    RawServer origin =
        ctx.raw(
            (req, conn) ->
                conn.respond(401, "who are you", "WWW-Authenticate", "Basic realm=\"origin\""));
    Transport t = through(httpOnly(proxy, USER, PASSWORD), b -> b);
    HttpStatusException e =
        TckContext.failure(t.send(Request.get(origin.uri("/secret"))), HttpStatusException.class);
    assertEquals(401, e.status(), "the server's 401 reaches the caller");
    assertEquals(1, origin.requestCount(), "requests the server got: the 401 was answered");
    assertTrue(
        origin.requests().get(0).all("Authorization").isEmpty(),
        "the transport sent Authorization to the server on its own");
  }

  void noProxyDirect() throws Exception {
    LoopbackProxy proxy = proxy();
    RawServer origin = origin();
    Transport listed = through(via(proxy).withNoProxy("127.0.0.1:" + origin.port()), b -> b);
    assertEquals("GET /d 0", ok(listed.send(Request.get(origin.uri("/d")))).text());
    Transport loopback = through(ProxyConfig.http("127.0.0.1", proxy.port()), b -> b);
    assertEquals("GET /l 0", ok(loopback.send(Request.get(origin.uri("/l")))).text());
    assertEquals(List.of(), proxy.seen(), "requests that went through the proxy");
    assertEquals(0, proxy.connections(), "connections to the proxy");
    assertEquals("/d", origin.requests().get(0).target(), "origin form: the request came direct");
  }

  void credentialsNeverShown() throws Exception {
    LoopbackProxy proxy = ctx.closeLater(LoopbackProxy.startRequiringBasic(USER, PASSWORD));
    RawServer origin = origin();
    ProxyConfig config = httpOnly(proxy, USER, PASSWORD);
    proxy.requireBasic(USER, PASSWORD + "-rotated"); // the configured ones are now refused
    Transport t = through(config, b -> b);
    TransportException e =
        TckContext.failure(t.send(Request.get(origin.uri("/c"))), TransportException.class);
    String encoded = basic(USER, PASSWORD).substring("Basic ".length());
    StringBuilder shown = new StringBuilder();
    shown.append(t).append('\n').append(config).append('\n');
    for (Throwable c = e; c != null; c = c.getCause()) {
      shown.append(c).append('\n');
      for (Throwable s : c.getSuppressed()) {
        shown.append(s).append('\n');
      }
    }
    String all = shown.toString();
    assertFalse(all.contains(PASSWORD), "the password was shown:\n" + all);
    assertFalse(all.contains(encoded), "the encoded credentials were shown:\n" + all);
  }

  void unreachableProxyNamed() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    RawServer origin = origin();
    Transport t = through(ProxyConfig.http("127.0.0.1", closed).withLoopbackProxied(), b -> b);
    ConnectionException e =
        TckContext.failure(t.send(Request.get(origin.uri("/u"))), ConnectionException.class);
    assertFalse(e.requestSent(), "requestSent() when the proxy could not be reached");
    assertTrue(
        e.getMessage().contains("proxy 127.0.0.1:" + closed),
        "the message names the proxy: " + e.getMessage());
    assertEquals(0, origin.requestCount());
  }

  void misbehavingProxyTyped() throws Exception {
    RawServer origin = origin();
    for (LoopbackProxy.Mode mode :
        List.of(LoopbackProxy.Mode.CLOSE_ON_REQUEST, LoopbackProxy.Mode.GARBAGE)) {
      LoopbackProxy proxy = proxy().mode(mode);
      Transport t = through(via(proxy), b -> b);
      Throwable f =
          TckContext.failure(t.send(Request.get(origin.uri("/m"))), Duration.ofSeconds(20));
      assertTrue(f instanceof TransportException, mode + ": not typed: " + f);
      if (!tlsUntestable()) {
        Transport s = through(via(proxy), b -> b.sslContext(trustingUnchecked()));
        Throwable g =
            TckContext.failure(s.send(Request.get(tlsOrigin().uri("/m"))), Duration.ofSeconds(20));
        assertTrue(g instanceof TransportException, mode + " on CONNECT: not typed: " + g);
      }
    }
    assertEquals(0, origin.requestCount());
  }

  void stalledConnectBounded() throws Exception {
    if (tlsUntestable()) {
      return;
    }
    LoopbackProxy proxy = proxy().mode(LoopbackProxy.Mode.STALL);
    Transport t =
        through(
            via(proxy),
            b -> b.sslContext(trustingUnchecked()).connectTimeout(Duration.ofSeconds(1)));
    long start = System.nanoTime();
    ConnectTimeoutException e =
        TckContext.failure(
            t.send(Request.get(tlsOrigin().uri("/stall"))),
            ConnectTimeoutException.class,
            Duration.ofSeconds(20));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertFalse(e.requestSent(), "requestSent() when the tunnel never opened");
    assertTrue(ms < 15_000, "a stalled CONNECT took " + ms + " ms with a 1 s connect timeout");
  }

  void socks5() throws Exception {
    LoopbackSocks5 socks = ctx.closeLater(LoopbackSocks5.start());
    ProxyConfig config = ProxyConfig.socks("127.0.0.1", socks.port()).withLoopbackProxied();
    if (!ctx.has(Capability.SOCKS_PROXY)) {
      UnsupportedFeatureException e =
          Assertions.assertThrows(
              UnsupportedFeatureException.class,
              () -> ctx.create(TransportConfig.builder().proxy(config).build()),
              "create() with a SOCKS proxy on a transport without SOCKS_PROXY");
      assertTrue(e.getMessage().contains("SOCKS_PROXY"), e.getMessage());
      ctx.alternativeVerified(
          "SOCKS_PROXY not supported: create() rejects a SOCKS proxy with"
              + " UnsupportedFeatureException");
      return;
    }
    RawServer origin = origin();
    Transport t = through(config, b -> b);
    assertEquals("GET /socks 0", ok(t.send(Request.get(origin.uri("/socks")))).text());
    assertEquals(
        List.of("127.0.0.1:" + origin.port()), socks.targets(), "what the SOCKS proxy was asked");
    assertEquals("/socks", origin.requests().get(0).target(), "origin form, end to end");
    if (!tlsUntestable()) {
      RawServer secure = tlsOrigin();
      Transport s = through(config, b -> b.sslContext(trustingUnchecked()));
      assertEquals("secure /t", ok(s.send(Request.get(secure.uri("/t")))).text());
      assertEquals("127.0.0.1:" + secure.port(), socks.targets().get(1));
    }
  }

  private SSLContext trustingUnchecked() {
    try {
      return trusting();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
