package dev.switchboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * The immutable configuration of a {@link Transport}; every option is validated when built.
 *
 * <p>Every option is honoured by every transport, or {@link Transports#create(TransportConfig)}
 * rejects it with {@link UnsupportedFeatureException}; none is silently ignored. Defaults:
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link #provider()}</td><td>discovered (see {@link Transports})</td></tr>
 *   <tr><td>{@link #connectTimeout()}</td><td>10 s</td></tr>
 *   <tr><td>{@link #responseTimeout()}</td><td>30 s</td></tr>
 *   <tr><td>{@link #readTimeout()}</td><td>30 s</td></tr>
 *   <tr><td>{@link #requestTimeout()}</td><td>none</td></tr>
 *   <tr><td>{@link #maxConnectionsPerHost()}</td><td>64</td></tr>
 *   <tr><td>{@link #maxConnections()}</td><td>256</td></tr>
 *   <tr><td>{@link #followRedirects()}</td><td>false</td></tr>
 *   <tr><td>{@link #userAgent()}</td><td>{@code switchboard/<version> (<transport>)}</td></tr>
 *   <tr><td>{@link #sslContext()}</td><td>the JVM default, hostname verification on</td></tr>
 *   <tr><td>{@link #compression()}</td><td>true</td></tr>
 *   <tr><td>{@link #maxResponseBytes()}</td><td>64 MiB</td></tr>
 *   <tr><td>{@link #maxResponseHeadBytes()}</td><td>64 KiB</td></tr>
 *   <tr><td>{@link #retryStaleConnections()}</td><td>true</td></tr>
 *   <tr><td>{@link #getWithBody()}</td><td>{@link GetWithBody#NATIVE}</td></tr>
 *   <tr><td>{@link #interceptors()}</td><td>none</td></tr>
 *   <tr><td>{@link #callbackExecutor()}</td><td>daemon threads owned by the transport that take
 *       completions from one queue and grow when all are busy, or the thread that carried the
 *       exchange once the library is done with it (see {@link Transport})</td></tr>
 *   <tr><td>{@link #httpVersion()}</td><td>{@link HttpVersion#HTTP_1_1}</td></tr>
 *   <tr><td>{@link #eventListener()}</td><td>none</td></tr>
 *   <tr><td>{@link #proxy()}</td><td>none: every request goes direct</td></tr>
 *   <tr><td>{@link #connectionAcquireTimeout()}</td><td>none: a request waits for a free
 *       connection until its request timeout, if any</td></tr>
 *   <tr><td>{@link #maxIdleTime()}</td><td>the library's (OkHttp: 5 min; Apache: none, a pooled
 *       connection idle for 1 s is checked before reuse; JDK: its JVM-wide keep-alive
 *       timeout)</td></tr>
 *   <tr><td>{@link #connectionTimeToLive()}</td><td>none: a connection lives as long as it is
 *       used</td></tr>
 *   <tr><td>{@link #credentials()}</td><td>none</td></tr>
 *   <tr><td>{@link #signer()}</td><td>none</td></tr>
 *   <tr><td>{@link #redactedHeaders()}</td><td>{@code Authorization}, {@code
 *       Proxy-Authorization}, {@code Cookie}, {@code Set-Cookie}</td></tr>
 * </table>
 */
public final class TransportConfig {
  /** The largest response body accepted by default: 64 MiB. */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

  /** The largest response head (header fields) accepted by default: 64 KiB. */
  public static final int DEFAULT_MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

  /**
   * The largest value {@link Builder#maxResponseHeadBytes(int)} takes: 256 KiB less 1 KiB for the
   * status line, the size of OkHttp's fixed limit on a response head, so that one limit holds on
   * every transport.
   */
  public static final int MAX_RESPONSE_HEAD_BYTES = 255 * 1024;

  private static final TransportConfig DEFAULTS = builder().build();

  private final String provider;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final Duration readTimeout;
  private final Duration requestTimeout;
  private final int maxConnectionsPerHost;
  private final int maxConnections;
  private final boolean followRedirects;
  private final int maxRedirects;
  private final String userAgent;
  private final SSLContext sslContext;
  private final boolean compression;
  private final long maxResponseBytes;
  private final int maxResponseHeadBytes;
  private final boolean retryStaleConnections;
  private final GetWithBody getWithBody;
  private final List<Interceptor> interceptors;
  private final Executor callbackExecutor;
  private final HttpVersion httpVersion;
  private final EventListener eventListener;
  private final Set<String> redactedHeaders;
  private final ProxyConfig proxy;
  private final Credentials credentials;
  private final RequestSigner signer;
  private final Duration connectionAcquireTimeout;
  private final Duration maxIdleTime;
  private final Duration connectionTimeToLive;

  private TransportConfig(Builder b) {
    this.provider = b.provider;
    this.connectTimeout = b.connectTimeout;
    this.responseTimeout = b.responseTimeout;
    this.readTimeout = b.readTimeout;
    this.requestTimeout = b.requestTimeout;
    this.maxConnectionsPerHost = b.maxConnectionsPerHost;
    this.maxConnections = b.maxConnections;
    this.followRedirects = b.followRedirects;
    this.maxRedirects = b.maxRedirects;
    this.userAgent = b.userAgent;
    this.sslContext = b.sslContext;
    this.compression = b.compression;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxResponseHeadBytes = b.maxResponseHeadBytes;
    this.retryStaleConnections = b.retryStaleConnections;
    this.getWithBody = b.getWithBody;
    this.interceptors = List.copyOf(b.interceptors);
    this.callbackExecutor = b.callbackExecutor;
    this.httpVersion = b.httpVersion;
    this.eventListener = b.eventListener;
    Set<String> redacted = new TreeSet<>(b.redactedHeaders);
    if (b.credentials != null) {
      redacted.add(b.credentials.header().toLowerCase(Locale.ROOT)); // an API key's own header
    }
    this.redactedHeaders = Set.copyOf(redacted);
    this.proxy = b.proxy;
    this.credentials = b.credentials;
    this.signer = b.signer;
    this.connectionAcquireTimeout = b.connectionAcquireTimeout;
    this.maxIdleTime = b.maxIdleTime;
    this.connectionTimeToLive = b.connectionTimeToLive;
  }

  /** The configuration with every default. */
  public static TransportConfig defaults() {
    return DEFAULTS;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.provider = provider;
    b.connectTimeout = connectTimeout;
    b.responseTimeout = responseTimeout;
    b.readTimeout = readTimeout;
    b.requestTimeout = requestTimeout;
    b.maxConnectionsPerHost = maxConnectionsPerHost;
    b.maxConnections = maxConnections;
    b.followRedirects = followRedirects;
    b.maxRedirects = maxRedirects;
    b.userAgent = userAgent;
    b.sslContext = sslContext;
    b.compression = compression;
    b.maxResponseBytes = maxResponseBytes;
    b.maxResponseHeadBytes = maxResponseHeadBytes;
    b.retryStaleConnections = retryStaleConnections;
    b.getWithBody = getWithBody;
    b.interceptors.addAll(interceptors);
    b.callbackExecutor = callbackExecutor;
    b.httpVersion = httpVersion;
    b.eventListener = eventListener;
    b.redactedHeaders.addAll(redactedHeaders);
    b.proxy = proxy;
    b.credentials = credentials;
    b.signer = signer;
    b.connectionAcquireTimeout = connectionAcquireTimeout;
    b.maxIdleTime = maxIdleTime;
    b.connectionTimeToLive = connectionTimeToLive;
    return b;
  }

  /** The provider name to use ({@code jdk}, {@code apache}, {@code okhttp}…), or {@code null}. */
  public String provider() {
    return provider;
  }

  /** Time allowed to open a connection (TCP and TLS). */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Time allowed between the request being written and the response headers arriving. */
  public Duration responseTimeout() {
    return responseTimeout;
  }

  /** Time allowed for the whole exchange, body included, or {@code null} for no limit. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The most connections open to one host (scheme, host and port) at once. */
  public int maxConnectionsPerHost() {
    return maxConnectionsPerHost;
  }

  /** The most connections open at once in all. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Whether 3xx responses with a Location are followed (by Switchboard, not the library). */
  public boolean followRedirects() {
    return followRedirects;
  }

  /** The most redirects followed for one request when {@link #followRedirects()} is on. */
  public int maxRedirects() {
    return maxRedirects;
  }

  /** The User-Agent to send, or {@code null} for {@code switchboard/<version> (<transport>)}. */
  public String userAgent() {
    return userAgent;
  }

  /** The TLS context, or {@code null} for the JVM default. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /** Whether {@code Accept-Encoding: gzip, deflate} is sent and such bodies decoded. */
  public boolean compression() {
    return compression;
  }

  /** The largest response body (after decoding) accepted. */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /** How a GET with a body is sent. */
  public GetWithBody getWithBody() {
    return getWithBody;
  }

  /** The interceptors, outermost first. */
  public List<Interceptor> interceptors() {
    return interceptors;
  }

  /**
   * The executor that completes futures and runs continuations, or {@code null} for the default.
   */
  public Executor callbackExecutor() {
    return callbackExecutor;
  }

  /**
   * The read timeout: the longest silence while the response body is read (from the headers to the
   * first body byte, and between any two reads). Enforced by Switchboard on every transport; a body
   * that stalls for longer fails with {@link ReadTimeoutException}.
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * The largest response head accepted, in bytes, counted over the header fields: for each field
   * its name, its value and 4 bytes (the {@code ": "} and the line end); the status line is not
   * counted. A larger head fails the exchange with {@link ResponseHeadTooLargeException}, on every
   * transport alike (each library's own limit is set at or above this one).
   */
  public int maxResponseHeadBytes() {
    return maxResponseHeadBytes;
  }

  /**
   * Whether an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) is sent once more on a
   * new connection when the server closed the reused connection it was written on before any byte
   * of the response ({@link StaleConnectionException}; RFC 9112 section 9.3.1). A non-idempotent
   * request is never resent. Default on.
   */
  public boolean retryStaleConnections() {
    return retryStaleConnections;
  }

  /** The HTTP version to speak. */
  public HttpVersion httpVersion() {
    return httpVersion;
  }

  /**
   * The listener told of every call's events, or {@code null} for none (then events cost nothing).
   */
  public EventListener eventListener() {
    return eventListener;
  }

  /**
   * The header names, lower case, whose values are never logged or shown: the four credential
   * headers and any named with {@link Builder#redactHeader}.
   */
  public Set<String> redactedHeaders() {
    return redactedHeaders;
  }

  /**
   * The proxy requests go through, or {@code null}: every request goes direct (the JVM's and the
   * environment's proxy settings are not read unless given with {@link
   * ProxyConfig#fromEnvironment()}).
   */
  public ProxyConfig proxy() {
    return proxy;
  }

  /**
   * How long a request may wait for a connection when every one it may use is busy ({@link
   * #maxConnectionsPerHost()}, {@link #maxConnections()}), or {@code null}: no bound of its own.
   * Past it the request fails with {@link ConnectionPoolTimeoutException}, nothing sent.
   */
  public Duration connectionAcquireTimeout() {
    return connectionAcquireTimeout;
  }

  /**
   * How long a pooled connection may stay idle before the transport closes it (say, shorter than a
   * load balancer's idle timeout, so that it never closes one under a request), or {@code null}:
   * the library's default. Needs {@link Capability#MAX_IDLE_TIME}.
   */
  public Duration maxIdleTime() {
    return maxIdleTime;
  }

  /**
   * How long a connection may be used from when it was opened: one older is not used for a new
   * request (so that requests spread over new servers behind a DNS name or a load balancer), or
   * {@code null}: no limit. Needs {@link Capability#CONNECTION_TIME_TO_LIVE}.
   */
  public Duration connectionTimeToLive() {
    return connectionTimeToLive;
  }

  /** The credentials put on every attempt ({@link Credentials} says where), or {@code null}. */
  public Credentials credentials() {
    return credentials;
  }

  /** The signer called for every attempt ({@link RequestSigner}), or {@code null}. */
  public RequestSigner signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "TransportConfig[provider="
        + provider
        + ", connectTimeout="
        + connectTimeout
        + ", responseTimeout="
        + responseTimeout
        + ", readTimeout="
        + readTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", maxConnectionsPerHost="
        + maxConnectionsPerHost
        + ", maxConnections="
        + maxConnections
        + ", followRedirects="
        + followRedirects
        + ", compression="
        + compression
        + ", maxResponseBytes="
        + maxResponseBytes
        + ", maxResponseHeadBytes="
        + maxResponseHeadBytes
        + ", retryStaleConnections="
        + retryStaleConnections
        + ", getWithBody="
        + getWithBody
        + ", httpVersion="
        + httpVersion
        + (eventListener == null ? "" : ", eventListener=" + eventListener.getClass().getName())
        + (proxy == null ? "" : ", proxy=" + proxy)
        + (connectionAcquireTimeout == null
            ? ""
            : ", connectionAcquireTimeout=" + connectionAcquireTimeout)
        + (maxIdleTime == null ? "" : ", maxIdleTime=" + maxIdleTime)
        + (connectionTimeToLive == null ? "" : ", connectionTimeToLive=" + connectionTimeToLive)
        + (credentials == null ? "" : ", credentials=" + credentials)
        + (signer == null ? "" : ", signer=" + signer.getClass().getName())
        + "]";
  }

  static Duration positive(String option, Duration d) {
    Objects.requireNonNull(d, option);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(
          option + " must be positive, got " + d + "; give e.g. Duration.ofSeconds(5)");
    }
    return d;
  }

  /** Builds a {@link TransportConfig}; not thread-safe. */
  public static final class Builder {
    private String provider;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration responseTimeout = Duration.ofSeconds(30);
    private Duration readTimeout = Duration.ofSeconds(30);
    private Duration requestTimeout;
    private int maxConnectionsPerHost = 64;
    private int maxConnections = 256;
    private boolean followRedirects;
    private int maxRedirects = 20;
    private String userAgent;
    private SSLContext sslContext;
    private boolean compression = true;
    private EventListener eventListener;
    private final Set<String> redactedHeaders = new TreeSet<>(Redaction.SENSITIVE);
    private ProxyConfig proxy;
    private Credentials credentials;
    private RequestSigner signer;
    private Duration connectionAcquireTimeout;
    private Duration maxIdleTime;
    private Duration connectionTimeToLive;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private int maxResponseHeadBytes = DEFAULT_MAX_RESPONSE_HEAD_BYTES;
    private boolean retryStaleConnections = true;
    private GetWithBody getWithBody = GetWithBody.NATIVE;
    private final List<Interceptor> interceptors = new ArrayList<>();
    private Executor callbackExecutor;
    private HttpVersion httpVersion = HttpVersion.HTTP_1_1;

    private Builder() {}

    /** Chooses the provider by name; {@code null} lets discovery choose. */
    public Builder provider(String name) {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("provider name is blank; use jdk, apache or okhttp");
      }
      this.provider = name;
      return this;
    }

    /** Sets the connect timeout (positive). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** Sets the response timeout (positive). */
    public Builder responseTimeout(Duration timeout) {
      this.responseTimeout = positive("responseTimeout", timeout);
      return this;
    }

    /**
     * Sets the read timeout (positive): the longest silence while the response body is read, from
     * the response headers to the first body byte and between any two reads. A server that sends
     * the headers and then stalls fails with {@link ReadTimeoutException} after it.
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive("readTimeout", timeout);
      return this;
    }

    /** Sets the whole-exchange timeout (positive), or {@code null} for none. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout == null ? null : positive("requestTimeout", timeout);
      return this;
    }

    /** Sets the per-host connection limit (at least 1). */
    public Builder maxConnectionsPerHost(int max) {
      this.maxConnectionsPerHost = atLeastOne("maxConnectionsPerHost", max);
      return this;
    }

    /** Sets the total connection limit (at least 1). */
    public Builder maxConnections(int max) {
      this.maxConnections = atLeastOne("maxConnections", max);
      return this;
    }

    /** Turns redirect following on or off. */
    public Builder followRedirects(boolean follow) {
      this.followRedirects = follow;
      return this;
    }

    /** Sets the most redirects followed for one request (at least 1). */
    public Builder maxRedirects(int max) {
      this.maxRedirects = atLeastOne("maxRedirects", max);
      return this;
    }

    /** Sets the User-Agent; {@code null} restores the default. */
    public Builder userAgent(String userAgent) {
      if (userAgent != null) {
        Headers.validateValue("User-Agent", userAgent);
      }
      this.userAgent = userAgent;
      return this;
    }

    /** Sets the TLS context; {@code null} restores the JVM default. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /** Turns compression (Accept-Encoding and decoding) on or off. */
    public Builder compression(boolean compression) {
      this.compression = compression;
      return this;
    }

    /** Sets the largest response body accepted (at least 1 byte). */
    public Builder maxResponseBytes(long max) {
      if (max < 1) {
        throw new IllegalArgumentException(
            "maxResponseBytes must be at least 1, got " + max + "; the default is 64 MiB");
      }
      this.maxResponseBytes = max;
      return this;
    }

    /**
     * Sets the largest response head accepted, in bytes, counted over the header fields as {@link
     * #maxResponseHeadBytes()} says (1 KiB to {@value TransportConfig#MAX_RESPONSE_HEAD_BYTES}). A
     * larger head fails the exchange with {@link ResponseHeadTooLargeException}.
     */
    public Builder maxResponseHeadBytes(int max) {
      if (max < 1024 || max > MAX_RESPONSE_HEAD_BYTES) {
        throw new IllegalArgumentException(
            "maxResponseHeadBytes must be between 1024 and "
                + MAX_RESPONSE_HEAD_BYTES
                + " (255 KiB), got "
                + max
                + "; the default is 64 KiB");
      }
      this.maxResponseHeadBytes = max;
      return this;
    }

    /**
     * Turns the one resend of an idempotent request on a new connection, after the server closed a
     * reused connection without answering ({@link StaleConnectionException}), on or off.
     */
    public Builder retryStaleConnections(boolean retry) {
      this.retryStaleConnections = retry;
      return this;
    }

    /** Sets how a GET with a body is sent. */
    public Builder getWithBody(GetWithBody mode) {
      this.getWithBody = Objects.requireNonNull(mode, "getWithBody");
      return this;
    }

    /** Appends an interceptor; the first added is the outermost. */
    public Builder interceptor(Interceptor interceptor) {
      this.interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Replaces the interceptors; the first is the outermost. */
    public Builder interceptors(List<Interceptor> interceptors) {
      this.interceptors.clear();
      interceptors.forEach(this::interceptor);
      return this;
    }

    /**
     * Sets the executor that completes futures and runs interceptors' continuations; {@code null}
     * restores the default (daemon threads owned by the transport; its blocking {@link
     * Transport#execute} lets the waiting thread complete its own call instead, and where the
     * library lends it, the thread that carried the exchange completes it once the library is done
     * with it: see {@link Transport}). The caller owns a supplied executor: the transport never
     * shuts it down.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = executor;
      return this;
    }

    /**
     * Sets the listener told of every call's events on this transport ({@link EventListener} says
     * which, in what order and on what threads); {@code null} removes it. To have several, combine
     * them with {@link EventListener#all}.
     */
    public Builder eventListener(EventListener listener) {
      this.eventListener = listener;
      return this;
    }

    /**
     * Adds a header whose value the wire log and Switchboard's messages never show (an API key
     * header, say), besides {@code Authorization}, {@code Proxy-Authorization}, {@code Cookie} and
     * {@code Set-Cookie}, which are always redacted.
     */
    public Builder redactHeader(String name) {
      Objects.requireNonNull(name, "name");
      if (!Headers.isToken(name)) {
        throw new IllegalArgumentException(
            "redactHeader: '" + name + "' is not a header name; give e.g. X-Api-Key");
      }
      this.redactedHeaders.add(name.toLowerCase(Locale.ROOT));
      return this;
    }

    /**
     * Sends requests through {@code proxy} ({@link ProxyConfig} says which and how); {@code null}:
     * every request goes direct. A transport that cannot honour it (a SOCKS proxy without {@link
     * Capability#SOCKS_PROXY}, say) rejects it when created.
     */
    public Builder proxy(ProxyConfig proxy) {
      this.proxy = proxy;
      return this;
    }

    /**
     * Bounds the wait for a free connection ({@link TransportConfig#connectionAcquireTimeout()});
     * {@code null}: no bound of its own.
     */
    public Builder connectionAcquireTimeout(Duration timeout) {
      this.connectionAcquireTimeout =
          timeout == null ? null : positive("connectionAcquireTimeout", timeout);
      return this;
    }

    /**
     * Closes pooled connections idle for longer than {@code idle} ({@link
     * TransportConfig#maxIdleTime()}); {@code null}: the library's default.
     */
    public Builder maxIdleTime(Duration idle) {
      this.maxIdleTime = idle == null ? null : positive("maxIdleTime", idle);
      return this;
    }

    /**
     * Uses no connection older than {@code ttl} for a new request ({@link
     * TransportConfig#connectionTimeToLive()}); {@code null}: no limit.
     */
    public Builder connectionTimeToLive(Duration ttl) {
      this.connectionTimeToLive = ttl == null ? null : positive("connectionTimeToLive", ttl);
      return this;
    }

    /**
     * Puts {@code credentials} on every attempt, for the call's origin only ({@link Credentials});
     * {@code null} removes them.
     */
    public Builder credentials(Credentials credentials) {
      this.credentials = credentials;
      return this;
    }

    /**
     * Signs every attempt with the request exactly as it will be sent ({@link RequestSigner});
     * {@code null} removes it.
     */
    public Builder signer(RequestSigner signer) {
      this.signer = signer;
      return this;
    }

    /** Sets the HTTP version. */
    public Builder httpVersion(HttpVersion version) {
      this.httpVersion = Objects.requireNonNull(version, "httpVersion");
      return this;
    }

    /**
     * Returns the configuration.
     *
     * @throws IllegalArgumentException when options contradict each other
     */
    public TransportConfig build() {
      if (maxConnectionsPerHost > maxConnections) {
        throw new IllegalArgumentException(
            "maxConnectionsPerHost ("
                + maxConnectionsPerHost
                + ") is larger than maxConnections ("
                + maxConnections
                + "); raise maxConnections too");
      }
      return new TransportConfig(this);
    }

    private static int atLeastOne(String option, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(option + " must be at least 1, got " + value);
      }
      return value;
    }
  }
}
