package dev.switchboard.apache;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.switchboard.Body;
import dev.switchboard.HttpVersion;
import dev.switchboard.Request;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 over TLS (ALPN), which Apache speaks when asked, and the response timeout there, which
 * Apache itself does not apply on HTTP/2.
 */
class ApacheHttp2Test {
  private static final String PASSWORD = "apache-h2-test";
  private static WireMockServer server;
  private static SSLContext trusting;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool");
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("server", keys.getCertificate("server"));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);

    server =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .port(0)
                .httpsPort(0)
                .keystorePath(keystore.toString())
                .keystoreType("PKCS12")
                .keystorePassword(PASSWORD)
                .keyManagerPassword(PASSWORD)
                .gzipDisabled(true));
    server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @BeforeEach
  void stubs() {
    server.resetAll();
    server.stubFor(any(urlPathEqualTo("/h2")).willReturn(aResponse().withBody("ok")));
    server.stubFor(
        any(urlPathEqualTo("/slow")).willReturn(aResponse().withFixedDelay(5000).withBody("late")));
  }

  private static Transport apache(HttpVersion version) {
    return Transports.create(
        TransportConfig.builder()
            .provider("apache")
            .sslContext(trusting)
            .httpVersion(version)
            .build());
  }

  private static String url(String path) {
    return "https://127.0.0.1:" + server.httpsPort() + path;
  }

  private static LoggedRequest only() {
    assertEquals(1, server.getAllServeEvents().size());
    return server.getAllServeEvents().get(0).getRequest();
  }

  @Test
  void speaksHttp2WhenAskedAndSendsAGetBodyIntact() {
    try (Transport t = apache(HttpVersion.HTTP_2)) {
      Request search =
          Request.builder("GET", url("/h2")).body(Body.of("{\"q\":1}", "application/json")).build();
      assertEquals("ok", t.execute(search).text());
      LoggedRequest seen = only();
      assertEquals("HTTP/2.0", seen.getProtocol());
      assertEquals("GET", seen.getMethod().getName());
      assertEquals("{\"q\":1}", seen.getBodyAsString());
    }
  }

  @Test
  void staysOnHttp11ByDefault() {
    try (Transport t = apache(HttpVersion.HTTP_1_1)) {
      assertEquals("ok", t.execute(Request.get(url("/h2"))).text());
      assertEquals("HTTP/1.1", only().getProtocol());
    }
  }

  @Test
  void responseTimeoutHoldsOnHttp2() {
    try (Transport t = apache(HttpVersion.HTTP_2)) {
      t.execute(Request.get(url("/h2"))); // the connection is up: only the response is timed
      long start = System.nanoTime();
      ResponseTimeoutException e =
          assertThrows(
              ResponseTimeoutException.class,
              () ->
                  t.execute(
                      Request.builder("GET", url("/slow"))
                          .responseTimeout(Duration.ofMillis(500))
                          .build()));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(e.requestSent());
      assertTrue(ms >= 400 && ms < 3000, ms + " ms");
      assertEquals("ok", t.execute(Request.get(url("/h2"))).text()); // still usable
    }
  }

  @Test
  void streamsBothWaysOnHttp2() throws Exception {
    byte[] big = new byte[3 * 1024 * 1024 + 5];
    for (int i = 0; i < big.length; i++) {
      big[i] = StreamServer.patternAt(i);
    }
    server.stubFor(any(urlPathEqualTo("/big")).willReturn(aResponse().withBody(big)));
    try (Transport t = apache(HttpVersion.HTTP_2)) {
      // up: an InputStream of unknown length (HTTP/2 frames it itself)
      t.execute(
          Request.post(
              url("/h2"), Body.ofInputStream(() -> new ByteArrayInputStream(big), -1, null)));
      LoggedRequest seen = only();
      assertEquals("HTTP/2.0", seen.getProtocol());
      assertArrayEquals(big, seen.getBody());
      // down: read in pieces with pauses, so demand runs out and comes back on the stream
      try (StreamingResponse r = t.openStream(Request.get(url("/big")));
          InputStream body = r.body()) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[100_000];
        int n;
        int reads = 0;
        while ((n = body.read(buf)) >= 0) {
          got.write(buf, 0, n);
          if (++reads % 10 == 0) {
            Thread.sleep(20);
          }
        }
        assertArrayEquals(big, got.toByteArray());
      }
    }
  }
}
