package dev.switchboard.apache;

import dev.switchboard.HttpVersion;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import java.util.Objects;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;

/**
 * Makes a {@link Transport} from a {@code CloseableHttpAsyncClient} you built yourself (your
 * certificates, proxy, pool), with the same semantics as a discovered {@code apache} transport.
 */
public final class ApacheTransports {
  private ApacheTransports() {}

  /**
   * Prepares a builder for a client you will {@link #wrap}: switches off the library's automatic
   * retries, redirects, decompression and cookies (Switchboard does what its contract says instead,
   * once, for every transport), and adds the exec-chain step that lets an aborted request
   * (cancelled, timed out, too large) close its connection, which the library's own cancellation
   * misses in 5.6 when a pooled connection is reused; and response head limits that accept what
   * {@link TransportConfig#maxResponseHeadBytes()} accepts by default (HC5's own refuse lines over
   * 8 KiB and more than 100 fields). Set your connection manager, TLS, proxy and so on as usual.
   *
   * <pre>{@code
   * CloseableHttpAsyncClient client = ApacheTransports.configure(HttpAsyncClients.custom())
   *     .setConnectionManager(myConnectionManager)
   *     .build();
   * Transport transport = ApacheTransports.wrap(client, TransportConfig.defaults());
   * }</pre>
   *
   * @param builder a builder, typically {@code HttpAsyncClients.custom()}
   * @return the same builder
   * @throws UnsupportedFeatureException when httpclient5 or httpcore5 on the class path is older
   *     than the transport needs (httpclient5 5.6, httpcore5 5.4)
   */
  public static HttpAsyncClientBuilder configure(HttpAsyncClientBuilder builder) {
    ApacheVersionCheck.check();
    QuietSlf4j.ensure();
    return builder
        .disableAutomaticRetries()
        .disableRedirectHandling()
        .disableContentCompression()
        .disableCookieManagement()
        .setHttp1Config(ApacheEngine.http1Config(TransportConfig.defaults()))
        .addExecInterceptorFirst("switchboard-abort", ApacheExchange::captureRuntime);
  }

  /**
   * Wraps {@code client}, best built from {@link #configure}. It is started if it was not; closing
   * the transport leaves it running: you own its lifecycle and close it after the transport.
   *
   * <p>Applied to every request whatever the client's defaults: the connect timeout, no socket
   * timeout (the api layer runs the response, read and request timeouts), and no redirects,
   * decompression, authentication or protocol upgrade from the library (through a per-request
   * {@code RequestConfig}). Left to the client: its automatic retries (Switchboard cannot switch
   * them off per request, nor check them: build the client with {@link #configure}, or at least
   * {@code disableAutomaticRetries()}), its connection pool and limits, TLS and HTTP version,
   * proxy, cookies, interceptors and its {@code Http1Config} (a response head past its limits fails
   * as one past {@code maxResponseHeadBytes}). The options of {@code config} that would need those
   * are therefore rejected unless left at their defaults: {@code sslContext}, {@code httpVersion},
   * {@code maxConnectionsPerHost} and {@code maxConnections}. Configure them on the client's
   * connection manager instead. Without the step {@link #configure} adds, an aborted request on a
   * reused connection is only cancelled, and its connection stays open until the server answers or
   * the response timeout passes.
   *
   * @throws UnsupportedFeatureException when {@code config} sets an option the client decides, or
   *     httpclient5 or httpcore5 on the class path is older than the transport needs
   */
  public static Transport wrap(CloseableHttpAsyncClient client, TransportConfig config) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(config, "config");
    ApacheVersionCheck.check();
    QuietSlf4j.ensure();
    TransportConfig defaults = TransportConfig.defaults();
    if (config.sslContext() != null) {
      throw unsupported(
          "sslContext",
          "set it with ClientTlsStrategyBuilder.create().setSslContext(...) on its connection"
              + " manager");
    }
    if (config.maxIdleTime() != null) {
      throw unsupported("maxIdleTime", "call evictIdleConnections(...) on its builder");
    }
    if (config.proxy() != null) {
      throw unsupported(
          "proxy",
          "set setRoutePlanner(...) (and, for a proxy's credentials, setDefaultCredentialsProvider)"
              + " on its builder");
    }
    if (config.httpVersion() != HttpVersion.HTTP_1_1) {
      throw unsupported(
          "httpVersion", "set TlsConfig.setVersionPolicy(...) on its connection manager");
    }
    if (config.maxConnectionsPerHost() != defaults.maxConnectionsPerHost()
        || config.maxConnections() != defaults.maxConnections()) {
      throw unsupported(
          "maxConnectionsPerHost/maxConnections",
          "set setMaxConnPerRoute(...) and setMaxConnTotal(...) on its connection manager");
    }
    return Transports.wrap(ApacheEngine.wrap(client, config), config);
  }

  private static UnsupportedFeatureException unsupported(String option, String instead) {
    return new UnsupportedFeatureException(
        "TransportConfig."
            + option
            + " cannot be applied to a CloseableHttpAsyncClient you built; leave it at its default"
            + " and "
            + instead,
        null,
        ApacheEngine.NAME);
  }
}
