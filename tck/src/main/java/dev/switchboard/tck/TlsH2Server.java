package dev.switchboard.tck;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * WireMock on HTTPS only, with the kit's {@code 127.0.0.1} certificate, speaking HTTP/2 where the
 * client offers it through ALPN and HTTP/1.1 otherwise; it tells which protocol a request used.
 */
final class TlsH2Server implements AutoCloseable {
  private final WireMockServer server;

  private TlsH2Server(WireMockServer server) {
    this.server = server;
  }

  static TlsH2Server start(Path workDir) throws Exception {
    TlsMaterial m = TlsMaterial.get(workDir);
    WireMockServer wm =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .httpDisabled(true)
                .dynamicHttpsPort()
                .keystorePath(m.goodFile.toString())
                .keystoreType("PKCS12")
                .keystorePassword(TlsMaterial.PASSWORD_TEXT)
                .keyManagerPassword(TlsMaterial.PASSWORD_TEXT)
                .containerThreads(20)
                .gzipDisabled(true)
                .notifier(new ConsoleNotifier(false)));
    wm.start();
    wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("h2?")));
    return new TlsH2Server(wm);
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.httpsPort() + path);
  }

  /** The protocol of the most recent request, e.g. {@code HTTP/2.0} or {@code HTTP/1.1}. */
  String lastProtocol() {
    List<ServeEvent> events = server.getAllServeEvents();
    if (events.isEmpty()) {
      throw new AssertionError("the HTTPS server received no request");
    }
    return events.get(0).getRequest().getProtocol();
  }

  @Override
  public void close() {
    server.stop();
  }
}
