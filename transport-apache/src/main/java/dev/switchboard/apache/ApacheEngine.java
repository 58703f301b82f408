package dev.switchboard.apache;

import dev.switchboard.Capability;
import dev.switchboard.HttpVersion;
import dev.switchboard.TransportConfig;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/** The engine over a {@link CloseableHttpAsyncClient}: one {@link ApacheExchange} per request. */
final class ApacheEngine implements TransportEngine {
  static final String NAME = "apache";
  static final Set<Capability> CAPABILITIES =
      Set.of(
          Capability.GET_WITH_BODY,
          Capability.HTTP_2,
          Capability.CUSTOM_SSL_CONTEXT,
          Capability.CONNECTION_EVENTS,
          Capability.PROXY_TUNNEL_CREDENTIALS,
          Capability.MAX_IDLE_TIME,
          Capability.CONNECTION_TIME_TO_LIVE,
          Capability.POOL_STATS);

  private final CloseableHttpAsyncClient client;
  private final Set<Capability> capabilities;
  private final Duration connectTimeout;
  private final boolean authentication; // only a proxy's 407 is ever answered (ProxyRouting)
  private final Duration acquireTimeout; // HC5's connectionRequestTimeout, or none
  private final RequestConfig usualRequestConfig;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final PoolingAsyncClientConnectionManager pool; // our own client's; null for a user's
  private final ReactorWatch watch; // our own client's threads; null for a user's

  private ApacheEngine(
      CloseableHttpAsyncClient client,
      PoolingAsyncClientConnectionManager pool,
      ReactorWatch watch,
      Set<Capability> capabilities,
      TransportConfig config) {
    this.pool = pool;
    this.watch = watch;
    this.client = client;
    this.capabilities = capabilities;
    this.connectTimeout = config.connectTimeout();
    this.authentication = pool != null && ProxyRouting.needsAuthentication(config.proxy());
    this.acquireTimeout = config.connectionAcquireTimeout();
    this.usualRequestConfig = requestConfig(connectTimeout, authentication, acquireTimeout);
  }

  /** A client of our own, built for {@code config}, with its I/O reactor started. */
  static ApacheEngine create(TransportConfig config) {
    PoolingAsyncClientConnectionManagerBuilder pool =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnPerRoute(config.maxConnectionsPerHost())
            .setMaxConnTotal(config.maxConnections())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(config.connectTimeout()))
                    // a pooled connection idle for a second is checked before reuse: no retries
                    // here, so a request must not be lost to a connection the server has closed
                    .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                    .setTimeToLive(
                        config.connectionTimeToLive() == null
                            ? null // HC5's default: no limit
                            : TimeValue.of(config.connectionTimeToLive()))
                    .build())
            .setDefaultTlsConfig(
                TlsConfig.custom()
                    .setVersionPolicy(
                        config.httpVersion() == HttpVersion.HTTP_2
                            ? HttpVersionPolicy.NEGOTIATE
                            : HttpVersionPolicy.FORCE_HTTP_1)
                    .build());
    // the caller's context, or the JVM's default one (SSLContext.getDefault() and the https.*
    // system properties); host names are verified either way
    ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create();
    if (config.sslContext() != null) {
      tls.setSslContext(config.sslContext());
    } else {
      tls.useSystemProperties();
    }
    pool.setTlsStrategy(tls.build());
    HttpAsyncClientBuilder builder = ApacheTransports.configure(HttpAsyncClients.custom());
    if (config.proxy() != null) {
      ProxyRouting.apply(builder, config.proxy());
    }
    if (config.maxIdleTime() != null) { // a daemon thread sweeps the pool every maxIdleTime
      builder.evictIdleConnections(TimeValue.of(config.maxIdleTime()));
    }
    PoolingAsyncClientConnectionManager manager = pool.build();
    ReactorWatch watch = new ReactorWatch();
    CloseableHttpAsyncClient client =
        builder
            .setConnectionManager(manager)
            .disableAuthCaching()
            .disableConnectionState()
            .disableRequestPriority()
            .setDefaultRequestConfig(
                requestConfig(
                    config.connectTimeout(),
                    ProxyRouting.needsAuthentication(config.proxy()),
                    config.connectionAcquireTimeout()))
            .setHttp1Config(http1Config(config))
            .setThreadFactory(watch.threads("switchboard-apache-io-"))
            .build();
    watch.shutdownWith(() -> client.close(CloseMode.IMMEDIATE));
    client.start();
    return new ApacheEngine(client, manager, watch, CAPABILITIES, config);
  }

  /** A client the caller built and owns; {@link ApacheTransports#wrap} has checked the config. */
  static ApacheEngine wrap(CloseableHttpAsyncClient client, TransportConfig config) {
    client.start(); // idempotent; a closed client stays closed and its requests fail
    return new ApacheEngine(
        client, null, null, Set.of(Capability.GET_WITH_BODY, Capability.CONNECTION_EVENTS), config);
  }

  /**
   * What every request carries, so that a client the caller built behaves like ours too: the
   * timeouts of this exchange, and none of the library's redirects, decompression, authentication
   * or protocol upgrade ({@code Upgrade: TLS/1.2} on plain GETs is on by default in 5.6).
   * Authentication is on only for our own client with proxy credentials, where HC5 answers the
   * proxy's {@code 407} and no server's {@code 401} ({@link ProxyRouting}).
   *
   * <p>No socket timeout ({@code responseTimeout} disabled, which also overrides a wrapped client's
   * own for the exchange): in HC5 it is a socket idle timeout, so it would also end a body that
   * pauses. The api layer runs the response and read timeouts, on HTTP/2 as well.
   *
   * <p>The connect timeout is the library's own, which bounds the TCP connect and the TLS
   * handshake. The wait for a free pooled connection (the per-host or total limit reached) is HC5's
   * {@code connectionRequestTimeout}: the configuration's {@code connectionAcquireTimeout}, or none
   * (where 5.6 would default to 3 minutes): like the other transports, a request then queues until
   * a connection is free, its call's deadline passes (the api layer then aborts it, which withdraws
   * it from the pool's queue) or it is cancelled. {@code setConnectTimeout} is deprecated but still
   * applied per request in 5.6; it is the only per-request form, and the one that reaches a client
   * the caller built.
   */
  @SuppressWarnings("deprecation")
  private static RequestConfig requestConfig(
      Duration connect, boolean proxyAuthentication, Duration acquire) {
    return RequestConfig.custom()
        .setConnectTimeout(Timeout.of(connect))
        .setConnectionRequestTimeout(acquire == null ? Timeout.DISABLED : Timeout.of(acquire))
        .setResponseTimeout(Timeout.DISABLED)
        .setRedirectsEnabled(false)
        .setContentCompressionEnabled(false)
        .setAuthenticationEnabled(proxyAuthentication)
        .setProtocolUpgradeEnabled(false)
        .setExpectContinueEnabled(false)
        .setHardCancellationEnabled(true)
        .build();
  }

  /**
   * Response head limits at or above {@code maxResponseHeadBytes}, which the api layer enforces the
   * same way on every transport: one line may be as long as the whole limit (plus the status line),
   * and there may be as many fields as the smallest ones ({@code "a:"}, 5 bytes as counted) fit in
   * it. HC5's defaults (8 KiB lines, 100 fields) refuse heads the other libraries accept.
   */
  static Http1Config http1Config(TransportConfig config) {
    int limit = config.maxResponseHeadBytes();
    return Http1Config.custom()
        .setMaxLineLength(limit + 1024)
        .setMaxHeaderCount(limit / 5 + 1)
        .build();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return capabilities;
  }

  /** HC5's pool totals: leased, available (idle) and pending leases; none for a user's client. */
  @Override
  public dev.switchboard.PoolStats poolStats() {
    if (pool == null) {
      return null;
    }
    org.apache.hc.core5.pool.PoolStats t = pool.getTotalStats();
    return new dev.switchboard.PoolStats(t.getLeased(), t.getAvailable(), t.getPending());
  }

  /** Our own client's I/O reactor reports its breakdown ({@link ReactorWatch}); a user's, none. */
  @Override
  public void onBreakdown(Consumer<Throwable> breakdown) {
    if (watch != null) {
      watch.onBreakdown(breakdown);
    }
  }

  @Override
  public Exchange start(ExchangeRequest request, ExchangeListener listener) {
    RequestConfig config =
        request.connectTimeout().equals(connectTimeout)
            ? usualRequestConfig
            : requestConfig(request.connectTimeout(), authentication, acquireTimeout);
    ApacheExchange exchange = new ApacheExchange(request, listener);
    exchange.execute(client, config);
    if (acquireTimeout != null) {
      exchange.watchAcquire(acquireTimeout);
    }
    return exchange;
  }

  /**
   * Shuts down our client: its I/O reactor first closes connections gracefully (idle ones at once;
   * the api layer has aborted what was in flight), for at most half a second (an HTTP/2 connection
   * may wait for the server to end a stream we reset), then immediately; the reactor's threads are
   * joined, and the one thread HC5 started the reactor on is interrupted (HC5 does not join it; it
   * ends a moment later). A wrapped client is left to its owner.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (watch != null) {
      watch.closing();
    }
    try {
      if (pool != null) { // our own client
        client.initiateShutdown();
        client.awaitShutdown(TimeValue.ofMilliseconds(500));
        client.close(CloseMode.IMMEDIATE);
        client.awaitShutdown(TimeValue.ofSeconds(2));
      }
    } catch (InterruptedException e) {
      if (pool != null) { // our own client
        client.close(CloseMode.IMMEDIATE);
      }
      Thread.currentThread().interrupt();
    }
  }
}
