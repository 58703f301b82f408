package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
  private static final ProxyConfig.Server CORP = ProxyConfig.Server.http("proxy.corp", 3128);

  private static String via(ProxyConfig p, String uri) {
    return p.select(URI.create(uri)).map(ProxyConfig.Server::authority).orElse("direct");
  }

  @Test
  void anHttpProxyCarriesBothSchemesAndLoopbackGoesDirectUnlessAskedFor() {
    ProxyConfig p = ProxyConfig.of(CORP);
    assertEquals("proxy.corp:3128", via(p, "http://search.example/x"));
    assertEquals("proxy.corp:3128", via(p, "https://search.example/x"));
    for (String loop :
        List.of(
            "http://localhost:9200/",
            "http://a.localhost/",
            "http://127.0.0.1/",
            "http://127.9.9.9/",
            "http://[::1]:80/",
            "http://[0:0:0:0:0:0:0:1]/")) {
      assertEquals("direct", via(p, loop), loop);
      assertEquals("proxy.corp:3128", via(p.withLoopbackProxied(), loop), loop);
    }
    assertEquals("proxy.corp:3128", via(p, "http://128.0.0.1/"));
  }

  @Test
  void eachSchemeHasItsOwnProxyOrNone() {
    ProxyConfig p = ProxyConfig.of(null, CORP);
    assertEquals("direct", via(p, "http://search.example/"));
    assertEquals("proxy.corp:3128", via(p, "https://search.example/"));
    assertEquals("direct", via(p, "ftp://search.example/"));
    assertThrows(IllegalArgumentException.class, () -> ProxyConfig.of(null, null));
  }

  @Test
  void noProxyTakesNamesSuffixesAddressesRangesPrefixesAndPorts() {
    ProxyConfig p =
        ProxyConfig.of(CORP)
            .withLoopbackProxied()
            .withNoProxy(
                "internal.corp",
                ".svc",
                "*.lan",
                "10.0.0.0/8",
                "192.168.*",
                "fd00::1",
                "[fd00::2]:8443",
                "metrics:9100",
                " ");
    assertEquals("direct", via(p, "http://internal.corp/"));
    assertEquals("direct", via(p, "http://a.b.internal.corp/"));
    assertEquals("proxy.corp:3128", via(p, "http://notinternal.corp/"));
    assertEquals("direct", via(p, "http://svc/"));
    assertEquals("direct", via(p, "http://x.svc/"));
    assertEquals("direct", via(p, "http://printer.lan/"));
    assertEquals("direct", via(p, "http://10.200.3.4/"));
    assertEquals("proxy.corp:3128", via(p, "http://11.0.0.1/"));
    assertEquals("direct", via(p, "http://192.168.1.1/"));
    assertEquals("direct", via(p, "http://[fd00:0:0:0:0:0:0:1]/"));
    assertEquals("direct", via(p, "https://[fd00::2]:8443/"));
    assertEquals("proxy.corp:3128", via(p, "https://[fd00::2]/"));
    assertEquals("direct", via(p, "http://METRICS:9100/"));
    assertEquals("proxy.corp:3128", via(p, "http://metrics/"));
    assertEquals(
        List.of(
            "internal.corp",
            ".svc",
            "*.lan",
            "10.0.0.0/8",
            "192.168.*",
            "fd00::1",
            "[fd00::2]:8443",
            "metrics:9100"),
        p.noProxy());
    assertEquals("direct", via(ProxyConfig.of(CORP).withNoProxy("*"), "http://any.where/"));
  }

  @Test
  void aNoProxyEntryOfNoKnownFormIsRefusedByName() {
    for (String bad : List.of("a b", "10.0.0.0/99", "host:port", "[::1", "http://x", "*x*")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ProxyConfig.of(CORP).withNoProxy(bad));
      assertTrue(e.getMessage().startsWith("no-proxy entry '" + bad + "' is not"), e.getMessage());
    }
  }

  @Test
  void aBadServerIsRefusedWithWhatToGiveInstead() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.http("http://p", 3128))
            .getMessage()
            .contains("without scheme"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.http("p:3128", 3128))
            .getMessage()
            .contains("give the host and the port separately"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> ProxyConfig.http("p", 0))
            .getMessage()
            .contains("give 1 to 65535"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CORP.withCredentials("a:b", "c"))
            .getMessage()
            .contains("without ':'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> CORP.withCredentials("a", "c\r\nX: y"))
            .getMessage()
            .contains("control character"));
  }

  @Test
  void credentialsAreNeverShown() {
    ProxyConfig p = ProxyConfig.of(CORP).withCredentials("alice", "s3cret-pw");
    String all =
        p
            + " "
            + p.forHttp()
            + " "
            + TransportConfig.builder().proxy(p).build()
            + " "
            + new ProxyAuthenticationException(p.forHttp(), Request.get("http://x/"), "t", null)
                .getMessage();
    assertFalse(all.contains("s3cret-pw"), all);
    assertTrue(all.contains("user alice, password <redacted>"), all);
    assertEquals("Basic YWxpY2U6czNjcmV0LXB3", p.forHttp().basicAuthorization());
    assertNull(CORP.basicAuthorization());
  }

  @Test
  void theJavaSelectorAnswersAsSelectDoes() {
    ProxyConfig p = ProxyConfig.of(CORP).withNoProxy(".corp");
    List<Proxy> out = p.proxySelector().select(URI.create("https://search.example/"));
    assertEquals(1, out.size());
    assertEquals(Proxy.Type.HTTP, out.get(0).type());
    assertEquals("proxy.corp:3128", out.get(0).address().toString().replace("/<unresolved>", ""));
    assertEquals(List.of(Proxy.NO_PROXY), p.proxySelector().select(URI.create("http://a.corp/")));
    assertEquals(Optional.of(CORP), p.serverAt("PROXY.corp", 3128));
    assertEquals(Optional.empty(), p.serverAt("proxy.corp", 3129));
  }

  @Test
  void theEnvironmentGivesProxiesPerSchemeWithCredentialsAndNoProxy() {
    ProxyConfig p =
        ProxyConfig.fromEnvironment(
                Map.of(
                    "HTTP_PROXY", "http://ignored:1",
                    "http_proxy", "http://bob:p%40ss@proxy.corp:3128/",
                    "HTTPS_PROXY", "tunnel.corp",
                    "NO_PROXY", "localhost, .internal ,10.0.0.0/8"),
                new Properties())
            .orElseThrow();
    assertEquals(
        "HTTP proxy proxy.corp:3128 (user bob, password <redacted>)", p.forHttp().toString());
    assertEquals("p@ss", p.forHttp().password());
    assertEquals("tunnel.corp:80", p.forHttps().authority());
    assertEquals(List.of("localhost", ".internal", "10.0.0.0/8"), p.noProxy());
    ProxyConfig all =
        ProxyConfig.fromEnvironment(Map.of("ALL_PROXY", "socks5h://[fd00::9]"), new Properties())
            .orElseThrow();
    assertEquals(ProxyConfig.Type.SOCKS, all.forHttp().type());
    assertEquals("[fd00::9]:1080", all.forHttps().authority());
    assertEquals(
        Optional.empty(), ProxyConfig.fromEnvironment(Map.of("NO_PROXY", "x"), new Properties()));
  }

  @Test
  void jvmPropertiesWinOverTheEnvironment() {
    Properties props = new Properties();
    props.setProperty("https.proxyHost", "jvm.corp");
    props.setProperty("http.nonProxyHosts", "localhost|*.internal|192.168.*");
    props.setProperty("https.proxyUser", "carol");
    props.setProperty("https.proxyPassword", "pw");
    ProxyConfig p =
        ProxyConfig.fromEnvironment(Map.of("https_proxy", "http://env.corp:1"), props)
            .orElseThrow();
    assertNull(p.forHttp());
    assertEquals("jvm.corp:443", p.forHttps().authority());
    assertEquals("carol", p.forHttps().username());
    assertEquals(List.of("localhost", "*.internal", "192.168.*"), p.noProxy());
    Properties socks = new Properties();
    socks.setProperty("socksProxyHost", "socks.corp");
    assertEquals(
        "SOCKS proxy socks.corp:1080",
        ProxyConfig.fromEnvironment(Map.of(), socks).orElseThrow().forHttp().toString());
  }

  @Test
  void aValueThatCannotBeUsedNamesItsVariableAndNeverItsPassword() {
    for (Map<String, String> env :
        List.of(
            Map.of("https_proxy", "https://u:topsecret@p.corp:1"),
            Map.of("https_proxy", "http://u:topsecret@p.corp:99999x"),
            Map.of("http_proxy", "ftp://u:topsecret@p.corp"),
            Map.of("https_proxy", "http://u:topsecret@p.corp:1/path"))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ProxyConfig.fromEnvironment(env, new Properties()));
      assertTrue(e.getMessage().startsWith("proxy variable "), e.getMessage());
      assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }
    Properties props = new Properties();
    props.setProperty("http.proxyHost", "p");
    props.setProperty("http.proxyPort", "eighty");
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> ProxyConfig.fromEnvironment(Map.of(), props))
            .getMessage()
            .contains("http.proxyPort='eighty' is not a port number"));
  }

  @Test
  void aTransportRefusesAtCreateWhatItCannotDoNamingTheAlternative() {
    java.util.Set<Capability> none = java.util.Set.of();
    TransportConfig socks = TransportConfig.builder().proxy(ProxyConfig.socks("s", 1080)).build();
    assertTrue(
        assertThrows(
                UnsupportedFeatureException.class, () -> CapabilityChecks.check(socks, "t", none))
            .getMessage()
            .startsWith("the t transport cannot go through a SOCKS proxy; use an HTTP proxy"));
    CapabilityChecks.check(socks, "t", java.util.Set.of(Capability.SOCKS_PROXY));
    TransportConfig tunnel =
        TransportConfig.builder().proxy(ProxyConfig.of(CORP).withCredentials("u", "pw1")).build();
    UnsupportedFeatureException e =
        assertThrows(
            UnsupportedFeatureException.class, () -> CapabilityChecks.check(tunnel, "t", none));
    assertTrue(e.getMessage().contains("PROXY_TUNNEL_CREDENTIALS"), e.getMessage());
    assertFalse(e.getMessage().contains("pw1"), e.getMessage());
    CapabilityChecks.check(tunnel, "t", java.util.Set.of(Capability.PROXY_TUNNEL_CREDENTIALS));
    TransportConfig httpOnly =
        TransportConfig.builder()
            .proxy(ProxyConfig.of(CORP.withCredentials("u", "pw1"), CORP))
            .build();
    CapabilityChecks.check(httpOnly, "t", none); // credentials for forward requests need nothing
  }
}
