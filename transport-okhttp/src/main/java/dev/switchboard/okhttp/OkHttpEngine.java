package dev.switchboard.okhttp;

import dev.switchboard.Capability;
import dev.switchboard.HttpVersion;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.UnsupportedFeatureException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import java.io.IOException;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

/**
 * The OkHttp engine: one {@link OkHttpClient} whose behaviour that would differ from Switchboard's
 * contract is switched off (retries, redirects, transparent gzip, its timeouts other than connect)
 * and whose Dispatcher is sized from the configuration. Each exchange is an {@link OkHttpExchange}.
 *
 * <p>Bodies stream both ways on the call's dispatcher thread: a request body that is not in memory
 * is written from {@link dev.switchboard.Body#openStream()} ({@code StreamingBody}), and the
 * response body is read only against demand, the thread parked while none is outstanding. An unread
 * stream therefore keeps its dispatcher thread and its place under the Dispatcher's per-host and
 * total limits until it is read or closed; {@link #runAfterExchange} lends no thread that may still
 * wait for demand (see the package documentation, "Streaming").
 */
final class OkHttpEngine implements TransportEngine {
  static final String NAME = "okhttp";
  static final Set<Capability> CAPABILITIES =
      Set.copyOf(
          EnumSet.of(
              Capability.HTTP_2,
              Capability.CUSTOM_SSL_CONTEXT,
              Capability.CONNECTION_EVENTS,
              Capability.PROXY_TUNNEL_CREDENTIALS,
              Capability.MAX_IDLE_TIME,
              Capability.POOL_STATS,
              Capability.SOCKS_PROXY));

  private static final RequestBody EMPTY_BODY = RequestBody.create(new byte[0], (MediaType) null);

  /** Methods OkHttp refuses without a body; they get an empty one ({@code Content-Length: 0}). */
  private static final Set<String> BODY_REQUIRED =
      Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

  /** With both of the engine's interceptors. */
  private final OkHttpClient client;

  /**
   * The same client (same dispatcher, pool and everything else) without the application-side
   * interceptor, for the usual request that needs it for nothing: it has its own {@code
   * Accept-Encoding} and the client's connect timeout. That saves OkHttp a chain step per call.
   * Null over a user's client with application interceptors of its own: those may change the
   * request, so ours must look at it after them.
   */
  private final OkHttpClient plainClient;

  private final int connectTimeoutMillis;
  private final OriginUrls urls = new OriginUrls();
  private final DispatcherPool executor;
  private final boolean ownsPool;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final Duration acquireTimeout; // null: no bound of its own on the dispatcher's queue

  private OkHttpEngine(
      OkHttpClient withoutOurs,
      DispatcherPool executor,
      boolean ownsPool,
      Duration acquireTimeout) {
    this.acquireTimeout = acquireTimeout;
    this.plainClient = withoutOurs.interceptors().isEmpty() ? withoutOurs : null;
    OkHttpClient.Builder b = withoutOurs.newBuilder();
    // Ours last among application interceptors (closest to OkHttp's bridge): user interceptors
    // see the requests as they were given.
    b.interceptors().add(OkHttpEngine::beforeBridge);
    this.client = b.build();
    this.connectTimeoutMillis = withoutOurs.connectTimeoutMillis();
    this.executor = executor;
    this.ownsPool = ownsPool;
  }

  /** An engine over a client of its own, which it closes with itself. */
  static OkHttpEngine create(TransportConfig config) {
    OkHttpClient.Builder b =
        new OkHttpClient.Builder()
            .connectionPool(
                new ConnectionPool(
                    config.maxConnections(),
                    config.maxIdleTime() == null
                        ? TimeUnit.MINUTES.toNanos(5) // OkHttp's own default
                        : config.maxIdleTime().toNanos(),
                    TimeUnit.NANOSECONDS));
    return configure(b, config, true);
  }

  /**
   * An engine over {@code userClient}: its interceptors, certificates, pool, DNS, proxy and cookie
   * jar are kept; what the contract requires is overridden on a derived client. The user's pool is
   * left running by {@link #close()}.
   */
  static OkHttpEngine wrap(OkHttpClient userClient, TransportConfig config) {
    return configure(userClient.newBuilder(), config, false);
  }

  private static OkHttpEngine configure(
      OkHttpClient.Builder b, TransportConfig config, boolean ownsPool) {
    DispatcherPool executor = new DispatcherPool();
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequests(config.maxConnections());
    dispatcher.setMaxRequestsPerHost(config.maxConnectionsPerHost());
    b.dispatcher(dispatcher)
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .connectTimeout(config.connectTimeout())
        .readTimeout(Duration.ZERO)
        .writeTimeout(Duration.ZERO)
        .callTimeout(Duration.ZERO)
        .protocols(
            config.httpVersion() == HttpVersion.HTTP_2
                ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)
                : List.of(Protocol.HTTP_1_1));
    if (config.sslContext() != null) {
      b.sslSocketFactory(config.sslContext().getSocketFactory(), defaultTrustManager());
    }
    if (config.proxy() != null) { // replaces a wrapped client's proxy settings
      b.proxy(null)
          .proxySelector(config.proxy().proxySelector())
          .proxyAuthenticator(new ProxyCredentials(config.proxy()));
    }
    // Ours first among network interceptors (closest to OkHttp's bridge): user network
    // interceptors see the requests as they go on the wire. The application-side one is added by
    // the constructor.
    b.networkInterceptors().add(0, OkHttpEngine::afterBridge);
    return new OkHttpEngine(b.build(), executor, ownsPool, config.connectionAcquireTimeout());
  }

  /**
   * Only used by OkHttp to clean certificate chains for pinning; the handshake itself trusts what
   * the configured {@code SSLContext} trusts.
   */
  private static X509TrustManager defaultTrustManager() {
    try {
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init((KeyStore) null);
      for (TrustManager tm : f.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JVM has no X509TrustManager");
    } catch (NoSuchAlgorithmException | KeyStoreException e) {
      throw new IllegalStateException("the JVM's default TrustManagerFactory failed: " + e, e);
    }
  }

  /**
   * Application side: the exchange's connect timeout, and a placeholder {@code Accept-Encoding}
   * when the request has none, so OkHttp's bridge neither adds {@code gzip} nor decodes.
   */
  private static Response beforeBridge(Interceptor.Chain chain) throws IOException {
    OkHttpExchange exchange = chain.call().tag(OkHttpExchange.class);
    Request request = chain.request();
    if (exchange == null) {
      return chain.proceed(request);
    }
    if (needsPlaceholderEncoding(request)) {
      exchange.placeholderEncoding = true;
      request = request.newBuilder().header("Accept-Encoding", "identity").build();
    }
    int connectTimeout = exchange.connectTimeoutMillis();
    if (connectTimeout != chain.connectTimeoutMillis()) {
      chain = chain.withConnectTimeout(connectTimeout, TimeUnit.MILLISECONDS);
    }
    return chain.proceed(request);
  }

  private static boolean needsPlaceholderEncoding(Request request) {
    return request.header("Accept-Encoding") == null && request.header("Range") == null;
  }

  /**
   * Network side: removes the placeholder before it reaches the wire, and hides the {@code
   * Retry-After} of a 503 from OkHttp, which would otherwise resend the request on {@code
   * Retry-After: 0} whatever {@code retryOnConnectionFailure} says (the exchange reports the
   * headers as they came).
   */
  private static Response afterBridge(Interceptor.Chain chain) throws IOException {
    OkHttpExchange exchange = chain.call().tag(OkHttpExchange.class);
    Request request = chain.request();
    if (exchange == null) {
      return chain.proceed(request);
    }
    if (exchange.placeholderEncoding) {
      request = request.newBuilder().removeHeader("Accept-Encoding").build();
    }
    Response response = chain.proceed(request);
    if (response.code() == 304 && response.body().contentLength() != 0) {
      return withoutBody(chain, response);
    }
    if (response.code() == 503 && response.header("Retry-After") != null) {
      exchange.wireHeaders = response.headers();
      return response
          .newBuilder()
          .headers(response.headers().newBuilder().removeAll("Retry-After").build())
          .build();
    }
    return response;
  }

  /**
   * A 304 has no content (RFC 9110), but OkHttp reads one when it carries {@code Content-Length}
   * (the size of the 200 it stands for) or {@code chunked}, and waits for bytes that never come. On
   * HTTP/1 the connection's framing is then unknown to OkHttp, so it is closed rather than reused.
   */
  private static Response withoutBody(Interceptor.Chain chain, Response response) {
    Connection connection = chain.connection();
    if (connection != null
        && (connection.protocol() == Protocol.HTTP_1_1
            || connection.protocol() == Protocol.HTTP_1_0)) {
      try {
        connection.socket().close();
      } catch (IOException ignored) {
        // closing is all we wanted
      }
    }
    response.body().close();
    return response.newBuilder().body(ResponseBody.create(new byte[0], null)).build();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return CAPABILITIES;
  }

  /**
   * OkHttp's pool (idle and all connections) and its dispatcher's queue (calls waiting because the
   * per-host or total limit is reached; OkHttp leases a connection only to a running call).
   */
  @Override
  public dev.switchboard.PoolStats poolStats() {
    ConnectionPool pool = client.connectionPool();
    int idle = pool.idleConnectionCount();
    return new dev.switchboard.PoolStats(
        Math.max(0, pool.connectionCount() - idle), idle, client.dispatcher().queuedCallsCount());
  }

  @Override
  public Exchange start(ExchangeRequest request, ExchangeListener listener) {
    OkHttpExchange exchange = new OkHttpExchange(request, listener, acquireTimeout);
    Request okRequest;
    try {
      okRequest = toOkHttp(request.request(), exchange);
    } catch (TransportException e) {
      listener.onFailure(e);
      return exchange;
    } catch (IllegalArgumentException e) {
      listener.onFailure(
          new TransportException(
              "OkHttp refused the request: " + e.getMessage(), request.request(), NAME, false, e));
      return exchange;
    }
    OkHttpClient sender =
        plainClient != null
                && exchange.connectTimeoutMillis() == connectTimeoutMillis
                && !needsPlaceholderEncoding(okRequest)
            ? plainClient
            : client;
    Call call = sender.newCall(okRequest);
    call.addEventListener(exchange.events());
    exchange.start(call);
    return exchange;
  }

  private Request toOkHttp(dev.switchboard.Request r, OkHttpExchange exchange) {
    String method = r.method();
    RequestBody body = null;
    if (r.hasBody()) {
      if (method.equals("GET") || method.equals("HEAD")) {
        throw new UnsupportedFeatureException(
            "OkHttp cannot send a "
                + method
                + " with a body (it refuses, and forced it sends Content-Length without the"
                + " body); set TransportConfig.getWithBody(GetWithBody.AS_POST) to send it as a"
                + " POST, or use a transport with GET_WITH_BODY (jdk, apache)",
            r,
            NAME);
      }
      body =
          r.body().isInMemory() ? new BytesBody(r.body()) : new StreamingBody(r.body(), exchange);
    } else if (BODY_REQUIRED.contains(method)) {
      body = EMPTY_BODY;
    }
    dev.switchboard.Headers fields = r.headers();
    okhttp3.Headers.Builder headers = new okhttp3.Headers.Builder();
    for (int i = 0, n = fields.size(); i < n; i++) {
      headers.addUnsafeNonAscii(fields.name(i), fields.value(i));
    }
    return new Request.Builder()
        .url(urls.url(r.uri()))
        .headers(headers.build())
        .method(method, body)
        .tag(OkHttpExchange.class, exchange)
        .build();
  }

  /**
   * A completion runs on the dispatcher thread that carried the call, once OkHttp is done; refused
   * while that call's response body may still wait for demand (a stream's headers), since the call
   * ends only once the consumer the completion starts has read or closed the body.
   */
  @Override
  public boolean runAfterExchange(Runnable task) {
    return executor.runAfterCall(task);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    client.dispatcher().cancelAll();
    executor.shutdown();
    if (ownsPool) {
      client.connectionPool().evictAll();
    }
  }

  /** A request body written straight from the api's bytes; no Content-Type of its own. */
  private static final class BytesBody extends RequestBody {
    private final dev.switchboard.Body body;

    BytesBody(dev.switchboard.Body body) {
      this.body = body;
    }

    @Override
    public MediaType contentType() {
      return null; // the request's own Content-Type header goes out as it is
    }

    @Override
    public long contentLength() {
      return body.length();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      body.writeTo(sink.outputStream());
    }
  }

  /**
   * A request body that is not in memory, written by OkHttp on the call's dispatcher thread (where
   * blocking is fine) from {@link dev.switchboard.Body#openStream()}, one Okio segment (8 KiB) at a
   * time and flushed after each read, so that a slow source's bytes go out as they come and memory
   * holds at most a segment. {@code contentLength} -1 makes OkHttp send it chunked. One-shot when
   * the body is not repeatable, so that nothing in OkHttp (a logging interceptor of a wrapped
   * client) reads it first.
   */
  private static final class StreamingBody extends RequestBody {
    private final dev.switchboard.Body body;
    private final OkHttpExchange exchange;

    StreamingBody(dev.switchboard.Body body, OkHttpExchange exchange) {
      this.body = body;
      this.exchange = exchange;
    }

    @Override
    public MediaType contentType() {
      return null; // the request's own Content-Type header goes out as it is
    }

    @Override
    public long contentLength() {
      return body.length();
    }

    @Override
    public boolean isOneShot() {
      return !body.isRepeatable();
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      InputStream in = exchange.openRequestBody(body);
      try {
        Source source = Okio.source(in);
        okio.Buffer buffer = sink.getBuffer();
        while (source.read(buffer, 8192) != -1) {
          sink.flush();
        }
      } catch (dev.switchboard.spi.BodySourceException e) {
        exchange.requestBodyFailed();
        throw e;
      } finally {
        exchange.requestBodyDone(in);
      }
    }
  }

  /** The client this engine sends with (for tests). */
  OkHttpClient client() {
    return client;
  }
}
