package dev.switchboard.bench;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpAsyncClient 5 used raw, built as the apache transport builds its own: the same pool
 * limits, connect and response timeouts, HTTP/1.1 only, and the library's retries, redirects,
 * decompression, cookies and authentication caching switched off.
 */
final class RawApacheClient implements Client {
  private final CloseableHttpAsyncClient client;

  @SuppressWarnings("deprecation") // setConnectTimeout per request, as the transport does
  RawApacheClient(Settings settings) {
    AtomicInteger n = new AtomicInteger();
    this.client =
        HttpAsyncClients.custom()
            .setConnectionManager(
                PoolingAsyncClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(settings.maxConnectionsPerHost)
                    .setMaxConnTotal(settings.maxConnections)
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(settings.connectTimeout))
                            .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                            .build())
                    .setDefaultTlsConfig(
                        TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                    .build())
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableContentCompression()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableConnectionState()
            .disableRequestPriority()
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectTimeout(Timeout.of(settings.connectTimeout))
                    .setConnectionRequestTimeout(Timeout.of(settings.connectTimeout))
                    .setResponseTimeout(Timeout.of(settings.responseTimeout))
                    .setRedirectsEnabled(false)
                    .setContentCompressionEnabled(false)
                    .setProtocolUpgradeEnabled(false)
                    .build())
            .setThreadFactory(
                r -> {
                  Thread t = new Thread(r, "raw-apache-io-" + n.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                })
            .build();
    client.start();
  }

  private static SimpleHttpRequest request(URI uri) {
    return SimpleRequestBuilder.get(uri)
        .setHeader("User-Agent", Settings.USER_AGENT)
        .setHeader("Accept-Encoding", Settings.ACCEPT_ENCODING)
        .build();
  }

  private static byte[] body(SimpleHttpResponse r) throws IOException {
    if (r.getCode() != 200) {
      throw new IOException("status " + r.getCode());
    }
    byte[] b = r.getBodyBytes();
    return b == null ? new byte[0] : b;
  }

  @Override
  public void send(URI uri, Done done) {
    client.execute(
        request(uri),
        new FutureCallback<SimpleHttpResponse>() {
          @Override
          public void completed(SimpleHttpResponse r) {
            done.done(r.getCode() == 200 ? null : new IOException("status " + r.getCode()));
          }

          @Override
          public void failed(Exception e) {
            done.done(e);
          }

          @Override
          public void cancelled() {
            done.done(new IOException("cancelled"));
          }
        });
  }

  @Override
  public int call(URI uri) throws Exception {
    return bytes(uri).length;
  }

  @Override
  public byte[] bytes(URI uri) throws Exception {
    return body(client.execute(request(uri), null).get());
  }

  @Override
  public Object json(URI uri) throws Exception {
    return RawJdkClient.MAPPER.readValue(bytes(uri), Map.class);
  }

  /** The library's client itself, for the streaming runner ({@link Stream}). */
  CloseableHttpAsyncClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close(CloseMode.IMMEDIATE);
  }
}
