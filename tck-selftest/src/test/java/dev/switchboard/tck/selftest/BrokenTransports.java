package dev.switchboard.tck.selftest;

import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.GetWithBody;
import dev.switchboard.Headers;
import dev.switchboard.HttpStatusException;
import dev.switchboard.HttpVersion;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.TlsException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import dev.switchboard.tck.selftest.ForwardingEngine.ForwardingListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Deliberately broken transports, each over the real {@code jdk} engine or transport, each with one
 * bug that real HTTP stacks have had. The kit must fail exactly the checks about that bug. Reusable
 * by other modules' tests through this module's test-jar: {@code BrokenTransports.create(
 * Breakage.RETRIES_SILENTLY, config)}.
 */
public final class BrokenTransports {
  private BrokenTransports() {}

  /** Whether an engine's fault becomes a {@code MalformedResponseException}. */
  static boolean malformed(Fault fault) {
    return fault == Fault.STALE_CONNECTION
        || fault == Fault.NO_RESPONSE
        || fault == Fault.MALFORMED_HEAD
        || fault == Fault.BODY_CUT;
  }

  /** One bug, and how to make a transport that has it. */
  public enum Breakage {
    /** Sends GET and DELETE without their body (Content-Type kept), as some libraries do. */
    DROPS_GET_AND_DELETE_BODIES(engine(DropsBodies::new)),
    /** Resends once on any failure and on 408/429/5xx, whatever the method. */
    RETRIES_SILENTLY(engine(Retrying::new)),
    /** Never reports the request as sent and gives the library an hour: no response timeout. */
    IGNORES_RESPONSE_TIMEOUT(engine(NoResponseTimeout::new)),
    /** Completes futures on its single I/O thread (event-loop style, direct callback executor). */
    COMPLETES_ON_IO_THREAD(
        c -> {
          TransportConfig cfg =
              c.callbackExecutor() == null
                  ? c.toBuilder().callbackExecutor(Runnable::run).build()
                  : c;
          return Transports.wrap(new SingleIoThread(jdk(cfg)), cfg);
        }),
    /** Lets the library's IOException out instead of the error model. */
    SURFACES_RAW_IOEXCEPTION(c -> new RawIoException(Transports.create(jdkConfig(c)))),
    /**
     * Bounds the wait for a free connection by the connect timeout too, as Apache's {@code
     * connectionRequestTimeout} set to it would: a request queued behind the per-host limit for
     * longer fails with a ConnectTimeoutException.
     */
    CONNECT_TIMEOUT_COVERS_QUEUE(engine(ConnectTimeoutCoversQueue::new)),
    /** Caps concurrency at 5 requests per host, like OkHttp's and Apache's defaults. */
    CAPS_FIVE_PER_HOST(engine(d -> new PerHostLimit(d, 5, false))),
    /**
     * Runs the user's continuation inside the library's callback, before the exchange gives its
     * place under the per-host limit back: what completing a future from OkHttp's {@code
     * onResponse} does (OkHttp frees the call's slot only once the callback returned).
     */
    COMPLETES_BEFORE_RELEASING(
        c -> Transports.wrap(new PerHostLimit(jdk(c), c.maxConnectionsPerHost(), true), c)),
    /** {@code execute} is {@code send(r).join()}: wrapped exceptions, no thread guard. */
    NAIVE_EXECUTE(c -> new NaiveExecute(Transports.create(jdkConfig(c)))),
    /** Drops the configured interceptors. */
    IGNORES_INTERCEPTORS(config(b -> b.interceptors(List.of()))),
    /** Sends the library's own User-Agent. */
    LEAKS_LIBRARY_USER_AGENT(engine(LeaksUserAgent::new)),
    /** Adds {@code Accept: *}{@code /*}, and {@code Accept-Encoding: gzip} when none is set. */
    ADDS_LIBRARY_HEADERS(engine(AddsHeaders::new)),
    /** Loses the response's Content-Encoding header, so nothing is decoded. */
    STRIPS_CONTENT_ENCODING(engine(StripsContentEncoding::new)),
    /** Turns a broken response into a success with what arrived (a partial success). */
    PARTIAL_SUCCESS(engine(PartialSuccess::new)),
    /** Opens a new connection (a new client) for every exchange. */
    NO_CONNECTION_REUSE(c -> Transports.wrap(new NewClientPerExchange(jdkConfig(c)), c)),
    /** Ignores maxConnectionsPerHost and maxConnections. */
    IGNORES_CONNECTION_LIMITS(config(b -> b.maxConnections(256).maxConnectionsPerHost(256))),
    /** Gives the library a 30 s connect timeout whatever is configured. */
    IGNORES_CONNECT_TIMEOUT(engine(IgnoresConnectTimeout::new)),
    /** {@code abort()} does nothing: cancelled and timed-out exchanges run on. */
    ABORT_IS_NO_OP(engine(AbortNoOp::new)),
    /** Starts a non-daemon thread that outlives {@code close()}. */
    LEAKS_THREADS(engine(LeaksThreads::new)),
    /** Trusts every certificate and every host name. */
    TRUSTS_ALL_CERTIFICATES(config(b -> b.sslContext(trustAll()))),
    /** Ignores the configured SSLContext. */
    IGNORES_SSL_CONTEXT(config(b -> b.sslContext(null))),
    /** Knows only the standard methods: HEAD goes as GET, other tokens as POST. */
    KNOWN_METHODS_ONLY(engine(KnownMethodsOnly::new)),
    /** Treats an empty response body as an error. */
    EMPTY_BODY_IS_ERROR(engine(EmptyBodyIsError::new)),
    /** Sends a newline for an empty body. */
    PADS_EMPTY_BODY(engine(PadsEmptyBody::new)),
    /** Sends request bodies through a Latin-1 string: every non-ASCII byte is mangled. */
    LATIN1_REQUEST_BODIES(engine(Latin1Bodies::new)),
    /** Loses the last chunk of every response body. */
    DROPS_LAST_BODY_CHUNK(engine(DropsLastChunk::new)),
    /** Decodes the URI and encodes it again, in Latin-1. */
    REENCODES_URI(engine(ReencodesUri::new)),
    /** Keeps only the last value of a repeated request header. */
    LAST_REQUEST_HEADER_WINS(engine(LastHeaderWins::new)),
    /** Keeps only well-known response headers, and only their first value. */
    LOSSY_RESPONSE_HEADERS(engine(LossyResponseHeaders::new)),
    /** Throws for every status of 400 or more, accepted or not. */
    IGNORES_ACCEPT_STATUS(c -> new IgnoresAcceptStatus(Transports.create(jdkConfig(c)))),
    /** Follows redirects when not asked to, and not when asked. */
    INVERTS_FOLLOW_REDIRECTS(config(b -> b.followRedirects(!b.build().followRedirects()))),
    /** Adds the last Authorization header it saw to requests without one. */
    STICKY_AUTHORIZATION(engine(StickyAuthorization::new)),
    /** Reports failures without the library's exception as cause. */
    DROPS_CAUSE(engine(DropsCause::new)),
    /** Ignores the configured request timeout. */
    IGNORES_REQUEST_TIMEOUT(config(b -> b.requestTimeout(null))),
    /** Ignores the per-request timeout overrides. */
    DROPS_PER_REQUEST_OVERRIDES(c -> new DropsOverrides(Transports.create(jdkConfig(c)))),
    /** Uses the connect timeout as a read timeout, for the headers and between body chunks. */
    CONNECT_TIMEOUT_AS_READ_TIMEOUT(engine(ConnectAsReadTimeout::new)),
    /** sendAll collects in completion order, waits for all, cancels nothing. */
    NAIVE_SEND_ALL(c -> new NaiveSendAll(Transports.create(jdkConfig(c)))),
    /** Keeps "the current listener" in a field shared by all exchanges. */
    SHARED_LISTENER_RACE(engine(SharedListener::new)),
    /** close() does nothing. */
    CLOSE_IS_NO_OP(c -> new CloseNoOp(Transports.create(jdkConfig(c)))),
    /** Declares no capability although it has them all. */
    MISDECLARED_CAPABILITIES(engine(NoCapabilities::new)),
    /** Ignores the configured callback executor. */
    IGNORES_CALLBACK_EXECUTOR(config(b -> b.callbackExecutor(null))),
    /** Always speaks HTTP/1.1. */
    IGNORES_HTTP_VERSION(config(b -> b.httpVersion(HttpVersion.HTTP_1_1))),
    /** Ignores the GET-with-body mode. */
    IGNORES_GET_WITH_BODY_MODE(config(b -> b.getWithBody(GetWithBody.NATIVE))),
    /** Throws a plain HttpStatusException instead of the class of the status. */
    GENERIC_STATUS_ERRORS(c -> new GenericStatusErrors(Transports.create(jdkConfig(c)))),
    /** Ignores maxResponseBytes. */
    IGNORES_MAX_RESPONSE_BYTES(config(b -> b.maxResponseBytes(Long.MAX_VALUE))),
    /** Sends {@code Host} without the port (over its own minimal HTTP/1.1 engine). */
    HOST_WITHOUT_PORT(c -> Transports.wrap(new MiniEngine(c), c)),
    /** Ignores the configured read timeout (keeps the 30 s default). */
    IGNORES_READ_TIMEOUT(config(b -> b.readTimeout(Duration.ofSeconds(30)))),
    /**
     * Gives the library a socket idle timeout from the response timeout, as Apache's engine did: a
     * body that pauses for longer fails with a ResponseTimeoutException.
     */
    RESPONSE_TIMEOUT_AS_SOCKET_TIMEOUT(engine(SocketTimeoutFromResponseTimeout::new)),
    /**
     * Gives the library a whole-call timeout from the response timeout (OkHttp's {@code
     * callTimeout} set from it): an exchange that takes longer in all fails, however lively.
     */
    RESPONSE_TIMEOUT_AS_CALL_TIMEOUT(engine(CallTimeoutFromResponseTimeout::new)),
    /**
     * Reads a body until the connection goes quiet for 500 ms (a library read timeout taken for the
     * end of the body): a stalled or pausing body becomes a short success.
     */
    STALLED_BODY_COMPLETES(engine(StalledBodyCompletes::new)),
    /** Reports a stale pooled connection as an ordinary empty reply: nothing is resent. */
    STALE_AS_NO_RESPONSE(engine(StaleAsNoResponse::new)),
    /**
     * Resends any request once, on its own, when the connection closed before a response (what the
     * JDK client does with {@code jdk.httpclient.enableAllMethodRetry}, and OkHttp with {@code
     * retryOnConnectionFailure}).
     */
    RESENDS_ON_CLOSED_CONNECTION(engine(ResendsOnClosedConnection::new)),
    /** Builds its exceptions itself, with the library's words, instead of reporting Faults. */
    LIBRARY_WORDS(engine(d -> new WordsItself(d, d.name(), true))),
    /**
     * An engine named {@code acme} over the jdk engine that builds its exceptions itself, with
     * Switchboard's words but the name of the engine it wraps.
     */
    ANOTHER_TRANSPORTS_NAME(engine(d -> new WordsItself(d, "acme", false))),
    /** Its library refuses a response head of more than 8 KiB (status line and fields). */
    HEAD_LIMIT_8_KIB(engine(HeadLimit8Kib::new)),
    /** Ignores maxResponseHeadBytes. */
    IGNORES_MAX_RESPONSE_HEAD_BYTES(
        config(b -> b.maxResponseHeadBytes(TransportConfig.MAX_RESPONSE_HEAD_BYTES))),
    /** Asks its library for the whole response body at once, whatever the demand. */
    READS_AHEAD_EVERYTHING(engine(ReadsAhead::new)),
    /** Reads a streaming request body whole into memory before sending it (with Content-Length). */
    BUFFERS_REQUEST_BODY(engine(BuffersRequestBody::new)),
    /**
     * Sends every streaming request body chunked, as far as its source goes: the declared length is
     * neither sent nor enforced.
     */
    IGNORES_DECLARED_LENGTH(engine(IgnoresDeclaredLength::new)),
    /** Copies a chunked upload in 8 KiB blocks and loses the last, partial one. */
    DROPS_CHUNKED_TAIL(engine(DropsChunkedTail::new)),
    /** Swaps two chunks of a response body once 4 MiB have been delivered. */
    REORDERS_CHUNKS_PAST_4_MIB(engine(ReordersChunks::new)),
    /** Ignores abort() once the response headers are in: a stream closed early runs on. */
    ABORT_IGNORED_AFTER_HEADERS(engine(AbortIgnoredAfterHeaders::new)),
    /** Takes a body cut short for its end: a reset mid-body is a normal end of the stream. */
    BODY_CUT_AS_END(engine(BodyCutAsEnd::new)),
    /**
     * A library read timer of 1.5 s counted from the last chunk received, whether or not anybody
     * asked for more: a consumer that pauses fails.
     */
    IDLE_TIMER_IGNORES_DEMAND(engine(IdleTimerIgnoresDemand::new)),
    /** stream() does not map statuses: an error status streams like a 200. */
    ERROR_STATUS_STREAMS(c -> new ErrorStatusStreams(Transports.create(jdkConfig(c)))),
    /** Follows redirects in the engine, sending the request body again, whatever its kind. */
    FOLLOWS_REDIRECTS_ITSELF(engine(FollowsRedirects::new)),
    /** Opens a repeatable streaming body once and sends that same stream on every attempt. */
    REUSES_BODY_STREAM(engine(ReusesBodyStream::new)),
    /** Resends a request answered 503 once, on its own, whatever its body. */
    RETRIES_503_ITSELF(engine(Retries503::new)),
    /**
     * Reports a failure of the request body's source as the connection closing (the library wraps
     * the user's exception into its own and loses it).
     */
    LOSES_BODY_SOURCE_FAILURE(engine(LosesBodySourceFailure::new)),
    /**
     * When the source of a chunked upload fails, ends the upload cleanly (the terminating chunk)
     * before reporting the failure: the server has a whole, truncated request.
     */
    ENDS_UPLOAD_ON_SOURCE_FAILURE(engine(EndsUploadOnSourceFailure::new)),
    /** Never tells the configured event listener anything. */
    IGNORES_EVENT_LISTENER(config(b -> b.eventListener(null))),
    /** Tells only each call's first attempt: redirects, retries and resends are not seen. */
    EVENTS_FIRST_ATTEMPT_ONLY(BrokenEvents.relayed(BrokenEvents.FirstAttemptOnly::new)),
    /** Tells requestSent after the response headers. */
    EVENTS_SENT_AFTER_HEADERS(BrokenEvents.relayed(BrokenEvents.SentAfterHeaders::new)),
    /** Tells attemptStart once the request has gone: the listener's headers are never sent. */
    EVENTS_LATE_ATTEMPT_START(BrokenEvents.relayed(BrokenEvents.LateAttemptStart::new)),
    /** Tells a call failed by an error status as an ordinary end. */
    EVENTS_STATUS_IS_NO_FAILURE(BrokenEvents.relayed(BrokenEvents.StatusIsNoFailure::new)),
    /** Tells failures as new generic exceptions, not the ones the caller gets. */
    EVENTS_REWRAP_FAILURES(BrokenEvents.relayed(BrokenEvents.RewrapsFailures::new)),
    /** Tells a stream closed before its end as a failed call. */
    EVENTS_EARLY_CLOSE_IS_FAILURE(BrokenEvents.relayed(BrokenEvents.EarlyCloseIsFailure::new)),
    /** Keeps the current call in one field: concurrent calls get each other's ends. */
    EVENTS_SHARED_CURRENT_CALL(BrokenEvents.relayed(BrokenEvents.SharedCurrentCall::new)),
    /** Lets an exception thrown by the listener fail the call. */
    LISTENER_FAILURE_FAILS_CALL(BrokenEvents::listenerFailureFailsCall),
    /** Declares CONNECTION_EVENTS and tells every connection as new, pooled or not. */
    EVERY_CONNECTION_NEW(engine(BrokenEvents.EveryConnectionNew::new)),
    /** Never uses the configured proxy: every request goes direct. */
    IGNORES_PROXY(config(b -> b.proxy(null))),
    /** Sends everything through the proxy, the no-proxy list and loopback included. */
    IGNORES_NO_PROXY(BrokenProxy::ignoresNoProxy),
    /** Goes through the proxy without ever giving its credentials. */
    DROPS_PROXY_CREDENTIALS(BrokenProxy::dropsCredentials),
    /** A proxy's 407 reaches the caller as a plain connection failure. */
    PROXY_REFUSAL_UNTYPED(BrokenProxy::refusalUntyped),
    /** Answers a server's 401 with the proxy's credentials. */
    ANSWERS_SERVER_401(BrokenProxy::answersServer401),
    /** Shows the proxy's user and password in failure messages. */
    LEAKS_PROXY_CREDENTIALS(BrokenProxy::leaksCredentials),
    /** A connection failure does not name the proxy it was to. */
    HIDES_PROXY_IN_FAILURES(BrokenProxy::hidesProxy),
    /** Failures come out as raw IOExceptions. */
    UNTYPED_PROXY_FAILURES(BrokenProxy::untypedFailures),
    /** Waits for a proxy's answer to CONNECT for ten minutes. */
    UNBOUNDED_PROXY_CONNECT(BrokenProxy::connectUnbounded),
    /** Never puts the configured credentials on a request. */
    IGNORES_CREDENTIALS(config(b -> b.credentials(null))),
    /** Signs in an interceptor: before GET-body mode, header defaults and redirects. */
    SIGNS_BEFORE_THE_WIRE(BrokenAuth::signsBeforeTheWire),
    /** Caches the first Authorization and sends it everywhere after. */
    CACHES_AUTHORIZATION(engine(BrokenAuth.CachesAuthorization::new)),
    /** A signer's exception comes out untyped. */
    RAW_SIGNER_FAILURES(BrokenAuth::rawSignerFailures),
    /** Shows the Authorization value in failures. */
    LEAKS_AUTHORIZATION(BrokenAuth::leaksAuthorization),
    /** Waits for a free connection for as long as it takes. */
    IGNORES_ACQUIRE_TIMEOUT(config(b -> b.connectionAcquireTimeout(null))),
    /** Reports the wait for a free connection as a connect timeout. */
    POOL_TIMEOUT_AS_CONNECT_TIMEOUT(BrokenPool::poolTimeoutAsConnectTimeout),
    /** Declares MAX_IDLE_TIME and never closes an idle connection. */
    KEEPS_IDLE_CONNECTIONS(engine(d -> new BrokenPool.Claims(d, Capability.MAX_IDLE_TIME))),
    /** Declares CONNECTION_TIME_TO_LIVE and never retires a connection. */
    IGNORES_TIME_TO_LIVE(engine(d -> new BrokenPool.Claims(d, Capability.CONNECTION_TIME_TO_LIVE))),
    /** Declares POOL_STATS and always tells an empty pool. */
    POOL_STATS_ALWAYS_EMPTY(engine(d -> new BrokenPool.Claims(d, Capability.POOL_STATS))),
    /** Declares SOCKS_PROXY; its library ignores a SOCKS proxy and goes direct. */
    IGNORES_SOCKS_PROXY(engine(d -> new BrokenPool.Claims(d, Capability.SOCKS_PROXY)));

    private final Function<TransportConfig, Transport> factory;

    Breakage(Function<TransportConfig, Transport> factory) {
      this.factory = factory;
    }

    /** A transport with this bug, for {@code config}. */
    public Transport create(TransportConfig config) {
      return factory.apply(config);
    }
  }

  /** A transport with {@code breakage}, for {@code config}. */
  public static Transport create(Breakage breakage, TransportConfig config) {
    return breakage.create(config);
  }

  // ------------------------------------------------------------------ building blocks

  static TransportConfig jdkConfig(TransportConfig c) {
    return c.toBuilder().provider("jdk").build();
  }

  static TransportEngine jdk(TransportConfig c) {
    for (TransportProvider p : Transports.providers()) {
      if (p.name().equals("jdk")) {
        return p.create(c);
      }
    }
    throw new IllegalStateException("the jdk provider is not on the class path");
  }

  private static Function<TransportConfig, Transport> engine(
      Function<TransportEngine, TransportEngine> broken) {
    return c -> Transports.wrap(broken.apply(jdk(c)), c);
  }

  private static Function<TransportConfig, Transport> config(
      Function<TransportConfig.Builder, TransportConfig.Builder> change) {
    return c -> Transports.create(jdkConfig(change.apply(c.toBuilder()).build()));
  }

  private static ExchangeRequest with(ExchangeRequest r, Request request) {
    return new ExchangeRequest(request, r.connectTimeout(), r.responseTimeout());
  }

  /** Threads and transports the broken ones leak on purpose, released by the self-test. */
  static final List<AutoCloseable> LEAKED = new CopyOnWriteArrayList<>();

  static void releaseLeaks() {
    for (AutoCloseable c : LEAKED) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
    LEAKED.clear();
  }

  static SSLContext trustAll() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new TrustAll()}, null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  // ------------------------------------------------------------------ broken engines

  static final class DropsBodies extends ForwardingEngine {
    DropsBodies(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Request q = r.request();
      String m = q.method().toUpperCase(Locale.ROOT);
      if ((m.equals("GET") || m.equals("DELETE")) && q.hasBody()) {
        q = q.toBuilder().body(Body.empty()).build();
      }
      return delegate.start(with(r, q), l);
    }
  }

  static final class Retrying extends ForwardingEngine {
    Retrying(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      TransportEngine engine = delegate;
      Handles.Slot current = new Handles.Slot();
      AtomicBoolean retried = new AtomicBoolean();
      class Attempt extends Swallowing {
        private boolean swallow;

        Attempt() {
          super(l);
        }

        @Override
        public void onResponseHeaders(int status, Headers headers) {
          if (!retried.get() && (status == 408 || status == 429 || status >= 500)) {
            swallow = true;
            swallowBody(); // the api never sees these headers, so it gives no demand for the body
            return;
          }
          super.onResponseHeaders(status, headers);
        }

        @Override
        public void onBody(ByteBuffer chunk) {
          if (!swallow) {
            super.onBody(chunk);
          }
        }

        @Override
        public void onComplete() {
          if (swallow && retried.compareAndSet(false, true)) {
            current.replace(() -> new Attempt().start(engine, r));
            return;
          }
          super.onComplete();
        }

        @Override
        protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
          if (retried.compareAndSet(false, true)) {
            current.replace(() -> new Attempt().start(engine, r));
            return;
          }
          super.onAnyFailure(fault, cause, built);
        }
      }
      current.replace(() -> new Attempt().start(engine, r));
      return current.onAbort(() -> retried.set(true));
    }
  }

  /**
   * A listener of one attempt that may keep a response from the api (a resend of its own): the api
   * then gives no demand for that body, so the attempt asks for all of it itself.
   */
  abstract static class Swallowing extends ForwardingListener {
    private volatile Exchange self;
    private volatile boolean wantAll;

    Swallowing(ExchangeListener l) {
      super(l);
    }

    /** Starts this attempt on {@code engine}; returns its exchange. */
    Exchange start(TransportEngine engine, ExchangeRequest r) {
      Exchange e = engine.start(r, this);
      self = e;
      if (wantAll) {
        e.request(Long.MAX_VALUE);
      }
      return e;
    }

    /** The response is kept from the api: read its body through to the end anyway. */
    void swallowBody() {
      wantAll = true;
      Exchange e = self;
      if (e != null) {
        e.request(Long.MAX_VALUE);
      }
    }
  }

  static final class NoResponseTimeout extends ForwardingEngine {
    NoResponseTimeout(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      ExchangeRequest longer =
          new ExchangeRequest(r.request(), r.connectTimeout(), Duration.ofHours(1));
      return delegate.start(
          longer,
          new ForwardingListener(l) {
            @Override
            public void onRequestSent() {
              // never told: the response timeout never starts
            }
          });
    }
  }

  static final class SingleIoThread extends ForwardingEngine {
    private final ExecutorService loop =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "broken-event-loop");
              t.setDaemon(true);
              return t;
            });

    SingleIoThread(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ExchangeListener() {
            @Override
            public void onRequestSent() {
              loop.execute(l::onRequestSent);
            }

            @Override
            public void onResponseHeaders(int status, Headers headers) {
              loop.execute(() -> l.onResponseHeaders(status, headers));
            }

            @Override
            public void onBody(ByteBuffer chunk) {
              ByteBuffer copy = ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
              loop.execute(() -> l.onBody(copy));
            }

            @Override
            public void onComplete() {
              loop.execute(l::onComplete);
            }

            @Override
            public void onFailure(TransportException failure) {
              loop.execute(() -> l.onFailure(failure));
            }

            @Override
            public void onFailure(Fault fault, Throwable cause) {
              loop.execute(() -> l.onFailure(fault, cause));
            }
          });
    }

    @Override
    public void close() {
      super.close();
      loop.shutdown();
    }
  }

  /**
   * Its own limit of exchanges per host, over the engine's; with {@code completesFirst}, an
   * exchange's completion (and the continuations the api lends it, run at once) comes before the
   * exchange's place is given back.
   */
  static final class PerHostLimit extends ForwardingEngine {
    private final int limit;
    private final boolean completesFirst;
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, Deque<Runnable>> waiting = new HashMap<>();

    PerHostLimit(TransportEngine d, int limit, boolean completesFirst) {
      super(d);
      this.limit = limit;
      this.completesFirst = completesFirst;
    }

    /** The end of an exchange reaches the api before or after its place is given back. */
    private void inOrder(Runnable deliver, Runnable release) {
      if (completesFirst) {
        deliver.run();
        release.run();
      } else {
        release.run();
        deliver.run();
      }
    }

    @Override
    public boolean runAfterExchange(Runnable task) {
      if (!completesFirst) {
        return false;
      }
      task.run(); // "after the exchange": it is not over, its place is still taken
      return true;
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      String host = r.request().uri().getHost() + ":" + r.request().uri().getPort();
      Handles.Slot handle = new Handles.Slot();
      AtomicBoolean released = new AtomicBoolean();
      Runnable release =
          () -> {
            if (released.compareAndSet(false, true)) {
              Runnable next;
              synchronized (this) {
                Deque<Runnable> q = waiting.get(host);
                next = q == null ? null : q.poll();
                if (next == null) {
                  running.merge(host, -1, Integer::sum);
                }
              }
              if (next != null) {
                next.run();
              }
            }
          };
      Runnable go =
          () ->
              handle.set(
                  delegate.start(
                      r,
                      new ForwardingListener(l) {
                        @Override
                        public void onComplete() {
                          inOrder(() -> super.onComplete(), release);
                        }

                        @Override
                        protected void onAnyFailure(
                            Fault fault, Throwable cause, TransportException built) {
                          inOrder(() -> super.onAnyFailure(fault, cause, built), release);
                        }
                      }));
      boolean now;
      synchronized (this) {
        int n = running.getOrDefault(host, 0);
        now = n < limit;
        if (now) {
          running.put(host, n + 1);
        } else {
          waiting.computeIfAbsent(host, k -> new ArrayDeque<>()).add(go);
        }
      }
      if (now) {
        go.run();
      }
      return handle;
    }
  }

  static final class LeaksUserAgent extends ForwardingEngine {
    LeaksUserAgent(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          with(
              r,
              r.request().toBuilder()
                  .setHeader("User-Agent", "Java-http-client/" + System.getProperty("java.version"))
                  .build()),
          l);
    }
  }

  static final class AddsHeaders extends ForwardingEngine {
    AddsHeaders(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Request.Builder b = r.request().toBuilder().header("Accept", "*/*");
      if (r.request().header("Accept-Encoding") == null) {
        b.header("Accept-Encoding", "gzip");
      }
      return delegate.start(with(r, b.build()), l);
    }
  }

  static final class StripsContentEncoding extends ForwardingEngine {
    StripsContentEncoding(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            @Override
            public void onResponseHeaders(int status, Headers headers) {
              super.onResponseHeaders(
                  status, headers.toBuilder().remove("Content-Encoding").build());
            }
          });
    }
  }

  static final class PartialSuccess extends ForwardingEngine {
    PartialSuccess(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            private boolean headers;

            @Override
            public void onResponseHeaders(int status, Headers h) {
              headers = true;
              super.onResponseHeaders(status, h);
            }

            @Override
            protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
              if (built instanceof MalformedResponseException || malformed(fault)) {
                if (!headers) {
                  super.onResponseHeaders(200, Headers.empty());
                }
                super.onComplete();
                return;
              }
              super.onAnyFailure(fault, cause, built);
            }
          });
    }
  }

  static final class NewClientPerExchange implements TransportEngine {
    private final TransportConfig config;
    private final Set<Capability> caps;

    NewClientPerExchange(TransportConfig config) {
      this.config = config;
      TransportEngine probe = jdk(config);
      this.caps = probe.capabilities();
      probe.close();
    }

    @Override
    public String name() {
      return "jdk";
    }

    @Override
    public Set<Capability> capabilities() {
      return caps;
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      TransportEngine one = jdk(config);
      Exchange e =
          one.start(
              r,
              new ForwardingEngine.ForwardingListener(l) {
                @Override
                public void onComplete() {
                  super.onComplete();
                  one.close();
                }

                @Override
                protected void onAnyFailure(
                    Fault fault, Throwable cause, TransportException built) {
                  super.onAnyFailure(fault, cause, built);
                  one.close();
                }
              });
      return Handles.of(
          () -> e,
          () -> {
            e.abort();
            one.close();
          });
    }

    @Override
    public void close() {}
  }

  static final class IgnoresConnectTimeout extends ForwardingEngine {
    IgnoresConnectTimeout(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          new ExchangeRequest(r.request(), Duration.ofSeconds(30), r.responseTimeout()), l);
    }
  }

  static final class AbortNoOp extends ForwardingEngine {
    AbortNoOp(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Exchange e = delegate.start(r, l);
      return Handles.of(() -> e, () -> {});
    }
  }

  static final class LeaksThreads extends ForwardingEngine {
    LeaksThreads(TransportEngine d) {
      super(d);
      ExecutorService leak = Executors.newFixedThreadPool(1, r -> new Thread(r, "broken-leak"));
      leak.execute(() -> {});
      LEAKED.add(leak::shutdownNow);
    }
  }

  static final class KnownMethodsOnly extends ForwardingEngine {
    private static final Set<String> KNOWN =
        Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

    KnownMethodsOnly(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      String m = r.request().method();
      if (m.equals("HEAD")) {
        return delegate.start(with(r, r.request().toBuilder().method("GET").build()), l);
      }
      if (!KNOWN.contains(m)) {
        return delegate.start(with(r, r.request().toBuilder().method("POST").build()), l);
      }
      return delegate.start(r, l);
    }
  }

  static final class EmptyBodyIsError extends ForwardingEngine {
    EmptyBodyIsError(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            private long bytes;

            @Override
            public void onBody(ByteBuffer chunk) {
              bytes += chunk.remaining();
              super.onBody(chunk);
            }

            @Override
            public void onComplete() {
              if (bytes == 0) {
                super.onFailure(
                    new MalformedResponseException("expected a body", r.request(), "jdk", null));
                return;
              }
              super.onComplete();
            }
          });
    }
  }

  static final class PadsEmptyBody extends ForwardingEngine {
    PadsEmptyBody(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Request q = r.request();
      if (!q.hasBody() && Set.of("POST", "PUT", "PATCH").contains(q.method())) {
        q = q.toBuilder().body(Body.of("\n".getBytes(StandardCharsets.US_ASCII), null)).build();
      }
      return delegate.start(with(r, q), l);
    }
  }

  static final class Latin1Bodies extends ForwardingEngine {
    Latin1Bodies(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Request q = r.request();
      if (q.hasBody()) {
        byte[] mangled =
            new String(q.body().bytes(), StandardCharsets.ISO_8859_1)
                .getBytes(StandardCharsets.UTF_8);
        q = q.toBuilder().body(Body.of(mangled, q.body().contentType())).build();
      }
      return delegate.start(with(r, q), l);
    }
  }

  static final class DropsLastChunk extends ForwardingEngine {
    DropsLastChunk(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            private ByteBuffer held;

            @Override
            public void onBody(ByteBuffer chunk) {
              if (held != null) {
                super.onBody(held);
              }
              held = ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
            }
          });
    }
  }

  static final class ReencodesUri extends ForwardingEngine {
    ReencodesUri(TransportEngine d) {
      super(d);
    }

    private static String latin1(String raw) {
      String decoded = java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
      StringBuilder sb = new StringBuilder();
      for (char c : decoded.toCharArray()) {
        if (c < 0x80 && (Character.isLetterOrDigit(c) || "/?&=-._~".indexOf(c) >= 0)) {
          sb.append(c);
        } else {
          byte[] b = String.valueOf(c).getBytes(StandardCharsets.ISO_8859_1);
          for (byte x : b) {
            sb.append('%').append(String.format("%02X", x & 0xff));
          }
        }
      }
      return sb.toString();
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      URI u = r.request().uri();
      String rebuilt =
          u.getScheme()
              + "://"
              + u.getRawAuthority()
              + latin1(u.getRawPath())
              + (u.getRawQuery() == null ? "" : "?" + latin1(u.getRawQuery()));
      return delegate.start(with(r, r.request().toBuilder().uri(URI.create(rebuilt)).build()), l);
    }
  }

  static final class LastHeaderWins extends ForwardingEngine {
    LastHeaderWins(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Map<String, Headers.Field> last = new LinkedHashMap<>();
      for (Headers.Field f : r.request().headers().fields()) {
        last.remove(f.name().toLowerCase(Locale.ROOT));
        last.put(f.name().toLowerCase(Locale.ROOT), f);
      }
      Headers.Builder h = Headers.builder();
      last.values().forEach(f -> h.add(f.name(), f.value()));
      return delegate.start(with(r, r.request().toBuilder().headers(h.build()).build()), l);
    }
  }

  static final class LossyResponseHeaders extends ForwardingEngine {
    private static final Set<String> KNOWN =
        Set.of(
            "content-type",
            "content-length",
            "content-encoding",
            "transfer-encoding",
            "location",
            "retry-after",
            "etag",
            "connection",
            "date");

    LossyResponseHeaders(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            @Override
            public void onResponseHeaders(int status, Headers headers) {
              Headers.Builder b = Headers.builder();
              for (String name : headers.names()) {
                if (KNOWN.contains(name.toLowerCase(Locale.ROOT))) {
                  b.add(name, headers.first(name));
                }
              }
              super.onResponseHeaders(status, b.build());
            }
          });
    }
  }

  static final class StickyAuthorization extends ForwardingEngine {
    private volatile String last;

    StickyAuthorization(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      String auth = r.request().header("Authorization");
      if (auth != null) {
        last = auth;
      } else if (last != null) {
        return delegate.start(
            with(r, r.request().toBuilder().header("Authorization", last).build()), l);
      }
      return delegate.start(r, l);
    }
  }

  static final class DropsCause extends ForwardingEngine {
    DropsCause(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            @Override
            protected void onAnyFailure(Fault fault, Throwable cause, TransportException f) {
              if (fault != null) {
                super.onAnyFailure(fault, null, null); // the library's exception dropped
                return;
              }
              TransportException bare = f;
              if (f instanceof TlsException) {
                bare = new TlsException(f.getMessage(), f.request(), f.transport(), null);
              } else if (f instanceof ConnectionException) {
                bare = new ConnectionException(f.getMessage(), f.request(), f.transport(), null);
              } else if (f instanceof MalformedResponseException) {
                bare =
                    new MalformedResponseException(
                        f.getMessage(), f.request(), f.transport(), null);
              }
              super.onAnyFailure(null, null, bare);
            }
          });
    }
  }

  static final class ConnectTimeoutCoversQueue extends ForwardingEngine {
    private static final ScheduledExecutorService TIMER =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "broken-queue-timer");
              t.setDaemon(true);
              return t;
            });

    ConnectTimeoutCoversQueue(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicBoolean sent = new AtomicBoolean();
      AtomicBoolean ended = new AtomicBoolean();
      AtomicReference<Exchange> handle = new AtomicReference<>();
      TIMER.schedule(
          () -> {
            if (!sent.get() && ended.compareAndSet(false, true)) {
              l.onFailure(
                  new ConnectTimeoutException(r.connectTimeout(), r.request(), "jdk", null));
              Exchange h = handle.get();
              if (h != null) {
                h.abort();
              }
            }
          },
          r.connectTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
      handle.set(
          delegate.start(
              r,
              new ForwardingListener(l) {
                @Override
                public void onRequestSent() {
                  sent.set(true);
                  super.onRequestSent();
                }

                @Override
                public void onResponseHeaders(int status, Headers headers) {
                  sent.set(true);
                  super.onResponseHeaders(status, headers);
                }

                @Override
                public void onComplete() {
                  if (ended.compareAndSet(false, true)) {
                    super.onComplete();
                  }
                }

                @Override
                protected void onAnyFailure(
                    Fault fault, Throwable cause, TransportException built) {
                  if (ended.compareAndSet(false, true)) {
                    super.onAnyFailure(fault, cause, built);
                  }
                }
              }));
      return handle.get();
    }
  }

  /**
   * A library socket idle timeout: armed when the request is sent and again at the headers and
   * every body chunk, it aborts the exchange and reports a ResponseTimeoutException when it passes.
   */
  static class ConnectAsReadTimeout extends ForwardingEngine {
    private static final ScheduledExecutorService TIMER =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "broken-read-timer");
              t.setDaemon(true);
              return t;
            });

    ConnectAsReadTimeout(TransportEngine d) {
      super(d);
    }

    /** The library's idle timeout for {@code r}. */
    Duration idle(ExchangeRequest r) {
      return r.connectTimeout();
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicReference<Exchange> handle = new AtomicReference<>();
      AtomicInteger progress = new AtomicInteger();
      AtomicBoolean done = new AtomicBoolean();
      Duration idle = idle(r);
      long millis = idle.toMillis();
      Runnable[] arm = new Runnable[1];
      arm[0] =
          () -> {
            int seen = progress.get();
            TIMER.schedule(
                () -> {
                  if (!done.get() && progress.get() == seen && done.compareAndSet(false, true)) {
                    Exchange h = handle.get();
                    if (h != null) {
                      h.abort();
                    }
                    l.onFailure(
                        new ResponseTimeoutException(
                            idle,
                            r.request(),
                            "jdk",
                            new java.net.SocketTimeoutException("Read timed out")));
                  }
                },
                millis,
                TimeUnit.MILLISECONDS);
          };
      handle.set(
          delegate.start(
              r,
              new ExchangeListener() {
                @Override
                public void onRequestSent() {
                  l.onRequestSent();
                  arm[0].run();
                }

                @Override
                public void onResponseHeaders(int status, Headers headers) {
                  progress.incrementAndGet();
                  if (!done.get()) {
                    l.onResponseHeaders(status, headers);
                    arm[0].run();
                  }
                }

                @Override
                public void onBody(ByteBuffer chunk) {
                  progress.incrementAndGet();
                  if (!done.get()) {
                    l.onBody(chunk);
                    arm[0].run();
                  }
                }

                @Override
                public void onComplete() {
                  if (done.compareAndSet(false, true)) {
                    l.onComplete();
                  }
                }

                @Override
                public void onFailure(TransportException failure) {
                  if (done.compareAndSet(false, true)) {
                    l.onFailure(failure);
                  }
                }

                @Override
                public void onFailure(Fault fault, Throwable cause) {
                  if (done.compareAndSet(false, true)) {
                    l.onFailure(fault, cause);
                  }
                }
              }));
      return Handles.of(() -> handle.get(), () -> handle.get().abort());
    }
  }

  static final class SharedListener extends ForwardingEngine {
    private volatile ExchangeListener current;

    SharedListener(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      current = l;
      return delegate.start(
          r,
          new ExchangeListener() {
            @Override
            public void onRequestSent() {
              current.onRequestSent();
            }

            @Override
            public void onResponseHeaders(int status, Headers headers) {
              current.onResponseHeaders(status, headers);
            }

            @Override
            public void onBody(ByteBuffer chunk) {
              current.onBody(chunk);
            }

            @Override
            public void onComplete() {
              current.onComplete();
            }

            @Override
            public void onFailure(TransportException failure) {
              current.onFailure(failure);
            }

            @Override
            public void onFailure(Fault fault, Throwable cause) {
              current.onFailure(fault, cause);
            }
          });
    }
  }

  static final class NoCapabilities extends ForwardingEngine {
    NoCapabilities(TransportEngine d) {
      super(d);
    }

    @Override
    public Set<Capability> capabilities() {
      return EnumSet.noneOf(Capability.class);
    }
  }

  // ------------------------------------------------------------------ broken transports

  static final class RawIoException extends ForwardingTransport {
    RawIoException(Transport d) {
      super(d);
    }

    private static Throwable raw(Throwable e) {
      Throwable t = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      for (Throwable c = t; c != null; c = c.getCause()) {
        if (c instanceof IOException) {
          return c;
        }
      }
      return t;
    }

    @Override
    public CompletableFuture<Response> send(Request request) {
      CompletableFuture<Response> out = new CompletableFuture<>();
      CompletableFuture<Response> in = delegate.send(request);
      in.whenComplete(
          (r, e) -> {
            if (e == null) {
              out.complete(r);
            } else {
              out.completeExceptionally(raw(e));
            }
          });
      out.whenComplete((r, e) -> in.cancel(true)); // cancellation flows down (only the errors leak)
      return out;
    }

    @Override
    public Response execute(Request request) {
      try {
        return delegate.execute(request);
      } catch (TransportException e) {
        throw BrokenTransports.<RuntimeException>sneaky(raw(e));
      }
    }
  }

  @SuppressWarnings("unchecked")
  static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }

  static final class NaiveExecute extends ForwardingTransport {
    NaiveExecute(Transport d) {
      super(d);
    }

    @Override
    public Response execute(Request request) {
      return delegate.send(request).join();
    }

    @Override
    public boolean isTransportThread() {
      return false;
    }
  }

  static final class IgnoresAcceptStatus extends ForwardingTransport {
    IgnoresAcceptStatus(Transport d) {
      super(d);
    }

    @Override
    public CompletableFuture<Response> send(Request request) {
      return delegate
          .send(request)
          .thenCompose(
              r ->
                  r.status() >= 400
                      ? CompletableFuture.failedFuture(HttpStatusException.of(r))
                      : CompletableFuture.completedFuture(r));
    }
  }

  static final class GenericStatusErrors extends ForwardingTransport {
    GenericStatusErrors(Transport d) {
      super(d);
    }

    private static Throwable generic(Throwable e) {
      Throwable t = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      if (t instanceof HttpStatusException h) {
        return new HttpStatusException(h.response());
      }
      return t;
    }

    @Override
    public CompletableFuture<Response> send(Request request) {
      CompletableFuture<Response> out = new CompletableFuture<>();
      CompletableFuture<Response> in = delegate.send(request);
      in.whenComplete(
          (r, e) -> {
            if (e == null) {
              out.complete(r);
            } else {
              out.completeExceptionally(generic(e));
            }
          });
      out.whenComplete((r, e) -> in.cancel(true));
      return out;
    }

    @Override
    public Response execute(Request request) {
      try {
        return delegate.execute(request);
      } catch (HttpStatusException e) {
        throw (HttpStatusException) generic(e);
      }
    }
  }

  static final class DropsOverrides extends ForwardingTransport {
    DropsOverrides(Transport d) {
      super(d);
    }

    private static Request strip(Request r) {
      return Request.builder(r.method(), r.uri())
          .headers(r.headers())
          .body(r.body())
          .acceptStatus(r.acceptStatus())
          .build();
    }

    @Override
    public CompletableFuture<Response> send(Request request) {
      return delegate.send(strip(request));
    }

    @Override
    public Response execute(Request request) {
      return delegate.execute(strip(request));
    }
  }

  static final class NaiveSendAll extends ForwardingTransport {
    NaiveSendAll(Transport d) {
      super(d);
    }

    @Override
    public CompletableFuture<List<Response>> sendAll(List<Request> requests) {
      List<Response> done = new CopyOnWriteArrayList<>();
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (Request r : requests) {
        all.add(delegate.send(r).whenComplete((resp, e) -> done.add(resp)));
      }
      return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]))
          .thenApply(v -> List.copyOf(done));
    }
  }

  static final class CloseNoOp extends ForwardingTransport {
    CloseNoOp(Transport d) {
      super(d);
      LEAKED.add(d);
    }

    @Override
    public void close() {}
  }

  // ------------------------------------------------------------------ a minimal engine

  /**
   * A tiny HTTP/1.1 engine on blocking sockets (plain http, one connection per exchange, no
   * pooling), whose only bug is the {@code Host} header without the port.
   */
  static final class MiniEngine implements TransportEngine {
    private final ExecutorService io =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "broken-mini-io");
              t.setDaemon(true);
              return t;
            });

    MiniEngine(TransportConfig config) {}

    @Override
    public String name() {
      return "jdk";
    }

    @Override
    public Set<Capability> capabilities() {
      return EnumSet.of(Capability.GET_WITH_BODY);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicReference<Socket> socket = new AtomicReference<>();
      io.execute(() -> run(r, l, socket));
      return Handles.dropsDemand(
          () -> {
            Socket s = socket.get();
            if (s != null) {
              try {
                s.close();
              } catch (IOException ignored) {
                // closing
              }
            }
          });
    }

    private static void run(ExchangeRequest r, ExchangeListener l, AtomicReference<Socket> ref) {
      Request q = r.request();
      URI u = URI.create(q.uri().toASCIIString());
      try (Socket s = new Socket()) {
        ref.set(s);
        try {
          s.connect(
              new java.net.InetSocketAddress(u.getHost(), u.getPort()),
              (int) r.connectTimeout().toMillis());
        } catch (IOException e) {
          l.onFailure(new ConnectionException("connect failed", q, "jdk", e));
          return;
        }
        StringBuilder sb = new StringBuilder();
        String target = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        sb.append(q.method()).append(' ').append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(u.getHost()).append("\r\n"); // the bug: no port
        for (Headers.Field f : q.headers().fields()) {
          sb.append(f.name()).append(": ").append(f.value()).append("\r\n");
        }
        byte[] body = q.body().bytes();
        sb.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        s.getOutputStream().write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        l.onRequestSent();
        var in = new java.io.BufferedInputStream(s.getInputStream());
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.")) {
          l.onFailure(new MalformedResponseException("bad status line", q, "jdk", null));
          return;
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        Headers.Builder h = Headers.builder();
        long length = -1;
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
          int c = line.indexOf(':');
          String name = line.substring(0, c).strip();
          String value = line.substring(c + 1).strip();
          h.add(name, value);
          if (name.equalsIgnoreCase("Content-Length")) {
            length = Long.parseLong(value);
          }
        }
        l.onResponseHeaders(code, h.build());
        if (!q.method().equals("HEAD") && code != 204 && code != 304) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          byte[] buf = new byte[8192];
          long left = length < 0 ? Long.MAX_VALUE : length;
          int n;
          while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
            out.write(buf, 0, n);
            left -= n;
          }
          if (length >= 0 && left > 0) {
            l.onFailure(new MalformedResponseException("body cut short", q, "jdk", null));
            return;
          }
          l.onBody(ByteBuffer.wrap(out.toByteArray()));
        }
        l.onComplete();
      } catch (IOException | RuntimeException e) {
        l.onFailure(new MalformedResponseException("exchange failed: " + e, q, "jdk", e));
      }
    }

    private static String line(java.io.InputStream in) throws IOException {
      StringBuilder sb = new StringBuilder();
      int c;
      boolean any = false;
      while ((c = in.read()) >= 0) {
        any = true;
        if (c == '\n') {
          int len = sb.length();
          if (len > 0 && sb.charAt(len - 1) == '\r') {
            sb.setLength(len - 1);
          }
          return sb.toString();
        }
        sb.append((char) c);
      }
      return any ? sb.toString() : null;
    }

    @Override
    public void close() {
      io.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ timeouts of the library

  static final class SocketTimeoutFromResponseTimeout extends ConnectAsReadTimeout {
    SocketTimeoutFromResponseTimeout(TransportEngine d) {
      super(d);
    }

    @Override
    Duration idle(ExchangeRequest r) {
      return r.responseTimeout();
    }
  }

  private static final ScheduledExecutorService LIBRARY_TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "broken-library-timer");
            t.setDaemon(true);
            return t;
          });

  /**
   * Hands the listener on until {@link #end()}; after it, nothing more reaches it. For the
   * breakages that end an exchange themselves.
   */
  static class Gate extends ForwardingListener {
    private final AtomicBoolean ended = new AtomicBoolean();

    Gate(ExchangeListener l) {
      super(l);
    }

    /** True the first time: the caller then ends the exchange. */
    boolean end() {
      return ended.compareAndSet(false, true);
    }

    boolean open() {
      return !ended.get();
    }

    @Override
    public void onRequestSent() {
      if (open()) {
        super.onRequestSent();
      }
    }

    @Override
    public void onResponseHeaders(int status, Headers headers) {
      if (open()) {
        super.onResponseHeaders(status, headers);
      }
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      if (open()) {
        super.onBody(chunk);
      }
    }

    @Override
    public void onComplete() {
      if (end()) {
        super.onComplete();
      }
    }

    @Override
    protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
      if (end()) {
        super.onAnyFailure(fault, cause, built);
      }
    }
  }

  static final class CallTimeoutFromResponseTimeout extends ForwardingEngine {
    CallTimeoutFromResponseTimeout(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Gate gate = new Gate(l);
      Exchange h = delegate.start(r, gate);
      LIBRARY_TIMER.schedule(
          () -> {
            if (gate.end()) {
              h.abort();
              l.onFailure(
                  new ResponseTimeoutException(
                      r.responseTimeout(),
                      r.request(),
                      "jdk",
                      new java.io.InterruptedIOException("timeout")));
            }
          },
          r.responseTimeout().toMillis(),
          TimeUnit.MILLISECONDS);
      return h;
    }
  }

  static final class StalledBodyCompletes extends ForwardingEngine {
    private static final long QUIET_MILLIS = 500;

    StalledBodyCompletes(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicInteger progress = new AtomicInteger();
      AtomicReference<Exchange> handle = new AtomicReference<>();
      Gate gate =
          new Gate(l) {
            private void watch() {
              int seen = progress.incrementAndGet();
              LIBRARY_TIMER.schedule(
                  () -> {
                    if (progress.get() == seen && end()) {
                      Exchange h = handle.get();
                      if (h != null) {
                        h.abort();
                      }
                      l.onComplete(); // "the read timed out: that must be the end of the body"
                    }
                  },
                  QUIET_MILLIS,
                  TimeUnit.MILLISECONDS);
            }

            @Override
            public void onResponseHeaders(int status, Headers headers) {
              super.onResponseHeaders(status, headers);
              watch();
            }

            @Override
            public void onBody(ByteBuffer chunk) {
              super.onBody(chunk);
              watch();
            }
          };
      handle.set(delegate.start(r, gate));
      return Handles.of(() -> handle.get(), () -> handle.get().abort());
    }
  }

  // ------------------------------------------------------------------ stale connections

  static final class StaleAsNoResponse extends ForwardingEngine {
    StaleAsNoResponse(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            @Override
            protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
              if (fault == Fault.STALE_CONNECTION
                  || built instanceof dev.switchboard.StaleConnectionException) {
                super.onAnyFailure(
                    Fault.NO_RESPONSE, built == null ? cause : built.getCause(), null);
                return;
              }
              super.onAnyFailure(fault, cause, built);
            }
          });
    }
  }

  static final class ResendsOnClosedConnection extends ForwardingEngine {
    ResendsOnClosedConnection(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Handles.Slot current = new Handles.Slot();
      AtomicBoolean resent = new AtomicBoolean();
      TransportEngine engine = delegate;
      class Attempt extends ForwardingListener {
        private volatile boolean responded;

        Attempt() {
          super(l);
        }

        private boolean resend() {
          if (!responded && resent.compareAndSet(false, true)) {
            current.replace(() -> engine.start(r, new Attempt()));
            return true;
          }
          return false;
        }

        @Override
        public void onResponseHeaders(int status, Headers headers) {
          responded = true;
          super.onResponseHeaders(status, headers);
        }

        @Override
        protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
          boolean closed =
              fault == Fault.STALE_CONNECTION
                  || fault == Fault.NO_RESPONSE
                  || built instanceof MalformedResponseException;
          if (closed && resend()) {
            return;
          }
          super.onAnyFailure(fault, cause, built);
        }
      }
      current.replace(() -> engine.start(r, new Attempt()));
      return current.onAbort(() -> resent.set(true));
    }
  }

  // ------------------------------------------------------------------ wording and names

  /**
   * Builds the exception for each fault itself (the SPI before Faults), named {@code name}: with
   * the library's words ({@code libraryWords}), or with Switchboard's.
   */
  static final class WordsItself extends ForwardingEngine {
    private final String name;
    private final boolean libraryWords;

    WordsItself(TransportEngine d, String name, boolean libraryWords) {
      super(d);
      this.name = name;
      this.libraryWords = libraryWords;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicBoolean sent = new AtomicBoolean();
      String engineName = delegate.name();
      return delegate.start(
          r,
          new ForwardingListener(l) {
            @Override
            public void onRequestSent() {
              sent.set(true);
              super.onRequestSent();
            }

            @Override
            protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
              if (fault == null) {
                super.onAnyFailure(null, null, built);
                return;
              }
              Request q = r.request();
              String words =
                  libraryWords
                      ? (cause == null ? fault.toString() : cause.toString())
                      : switchboardWords(fault);
              String named = libraryWords ? name : engineName;
              super.onAnyFailure(
                  null,
                  null,
                  switch (fault) {
                    case REFUSED, CONNECT_FAILED -> new ConnectionException(words, q, named, cause);
                    case CONNECT_TIMEOUT ->
                        new ConnectTimeoutException(r.connectTimeout(), q, named, cause);
                    case TLS -> new TlsException(words, q, named, cause);
                    case STALE_CONNECTION ->
                        new dev.switchboard.StaleConnectionException(words, q, named, cause);
                    case NO_RESPONSE, MALFORMED_HEAD, BODY_CUT ->
                        new MalformedResponseException(words, q, named, cause);
                    default -> new TransportException(words, q, named, sent.get(), cause);
                  });
            }
          });
    }

    private static String switchboardWords(Fault fault) {
      return switch (fault) {
        case REFUSED -> "connection refused";
        case CONNECT_FAILED -> "could not connect";
        case TLS -> "TLS handshake failed";
        case STALE_CONNECTION -> "the server closed a reused connection before responding";
        case NO_RESPONSE -> "the server closed the connection before responding";
        case MALFORMED_HEAD -> "the response head is not valid HTTP";
        case BODY_CUT -> "the connection closed before the end of the response body";
        default -> "the exchange failed";
      };
    }
  }

  // ------------------------------------------------------------------ response head

  static final class HeadLimit8Kib extends ForwardingEngine {
    private static final int LIMIT = 8 * 1024;

    HeadLimit8Kib(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicReference<Exchange> handle = new AtomicReference<>();
      Gate gate =
          new Gate(l) {
            @Override
            public void onResponseHeaders(int status, Headers headers) {
              // as the library reads it: the status line, each field line, the empty line
              int size = "HTTP/1.1 200 OK\r\n".length() + 2;
              for (int i = 0; i < headers.size(); i++) {
                size += headers.name(i).length() + 2 + headers.value(i).length() + 2;
              }
              if (size > LIMIT && end()) {
                Exchange h = handle.get();
                if (h != null) {
                  h.abort();
                }
                l.onFailure(
                    Fault.HEAD_TOO_LARGE,
                    new IOException("HTTP header is larger than " + LIMIT + " bytes."));
                return;
              }
              super.onResponseHeaders(status, headers);
            }
          };
      handle.set(delegate.start(r, gate));
      return Handles.of(() -> handle.get(), () -> handle.get().abort());
    }
  }

  // ------------------------------------------------------------------ streaming

  static final class ReadsAhead extends ForwardingEngine {
    ReadsAhead(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Exchange e = delegate.start(r, l);
      e.request(Long.MAX_VALUE); // everything, now; the api's demand is dropped
      return Handles.dropsDemand(e::abort);
    }
  }

  /** {@code r} with {@code body} instead of its own. */
  private static ExchangeRequest withBody(ExchangeRequest r, Body body) {
    return with(r, r.request().toBuilder().body(body).build());
  }

  private static final Exchange NOTHING = Handles.dropsDemand(() -> {});

  static final class BuffersRequestBody extends ForwardingEngine {
    BuffersRequestBody(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Body b = r.request().body();
      if (b.isInMemory()) {
        return delegate.start(r, l);
      }
      byte[] all;
      try (java.io.InputStream in = b.openStream()) {
        all = in.readAllBytes();
      } catch (IOException | RuntimeException e) {
        l.onFailure(Fault.FAILED, e);
        return NOTHING;
      }
      return delegate.start(withBody(r, Body.of(all, b.contentType())), l);
    }
  }

  /**
   * Ends at a length mismatch of the body's source instead of failing (chunked: who could tell).
   */
  static java.io.InputStream lenient(java.io.InputStream in) {
    return new java.io.FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (dev.switchboard.spi.BodySourceException e) {
          if (e.getCause() == null) {
            return -1; // "fewer bytes than declared": send what there is
          }
          throw e;
        }
      }
    };
  }

  static final class IgnoresDeclaredLength extends ForwardingEngine {
    IgnoresDeclaredLength(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Body b = r.request().body();
      if (b.isInMemory()) {
        return delegate.start(r, l);
      }
      return delegate.start(
          withBody(r, Body.ofInputStream(() -> lenient(b.openStream()), -1, b.contentType())), l);
    }
  }

  static final class DropsChunkedTail extends ForwardingEngine {
    DropsChunkedTail(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Body b = r.request().body();
      if (b.isInMemory() || b.length() >= 0) {
        return delegate.start(r, l);
      }
      return delegate.start(
          withBody(r, Body.ofInputStream(() -> blocksOnly(b.openStream()), -1, b.contentType())),
          l);
    }

    /** Only whole 8 KiB blocks of {@code in}: the partial last one is lost. */
    static java.io.InputStream blocksOnly(java.io.InputStream in) {
      return new java.io.InputStream() {
        private final byte[] block = new byte[8192];
        private int pos;
        private int end;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (pos == end) {
            int n = in.readNBytes(block, 0, block.length);
            if (n < block.length) {
              return -1; // the bug
            }
            pos = 0;
            end = n;
          }
          int n = Math.min(len, end - pos);
          System.arraycopy(block, pos, b, off, n);
          pos += n;
          return n;
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      };
    }
  }

  static final class ReordersChunks extends ForwardingEngine {
    ReordersChunks(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            private long delivered;
            private boolean swapped;
            private ByteBuffer held;

            @Override
            public void onBody(ByteBuffer chunk) {
              if (!swapped && held == null && delivered >= 4L * 1024 * 1024) {
                held = ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
                return;
              }
              delivered += chunk.remaining();
              super.onBody(chunk);
              if (held != null) {
                ByteBuffer h = held;
                held = null;
                swapped = true;
                super.onBody(h);
              }
            }

            @Override
            public void onComplete() {
              if (held != null) {
                super.onBody(held);
                held = null;
              }
              super.onComplete();
            }
          });
    }
  }

  static final class AbortIgnoredAfterHeaders extends ForwardingEngine {
    AbortIgnoredAfterHeaders(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicBoolean headers = new AtomicBoolean();
      Exchange e =
          delegate.start(
              r,
              new ForwardingListener(l) {
                @Override
                public void onResponseHeaders(int status, Headers h) {
                  headers.set(true);
                  super.onResponseHeaders(status, h);
                }
              });
      return Handles.of(
          () -> e,
          () -> {
            if (!headers.get()) {
              e.abort();
            }
          });
    }
  }

  static final class BodyCutAsEnd extends ForwardingEngine {
    BodyCutAsEnd(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            private volatile boolean headers;

            @Override
            public void onResponseHeaders(int status, Headers h) {
              headers = true;
              super.onResponseHeaders(status, h);
            }

            @Override
            protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
              if (headers
                  && (fault == Fault.BODY_CUT || built instanceof MalformedResponseException)) {
                super.onComplete();
                return;
              }
              super.onAnyFailure(fault, cause, built);
            }
          });
    }
  }

  static final class IdleTimerIgnoresDemand extends ForwardingEngine {
    private static final long IDLE_MILLIS = 1500;

    IdleTimerIgnoresDemand(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      AtomicInteger progress = new AtomicInteger();
      AtomicReference<Exchange> handle = new AtomicReference<>();
      Gate gate =
          new Gate(l) {
            private void arm() {
              int seen = progress.incrementAndGet();
              LIBRARY_TIMER.schedule(
                  () -> {
                    if (progress.get() == seen && end()) {
                      Exchange h = handle.get();
                      if (h != null) {
                        h.abort();
                      }
                      l.onFailure(
                          new dev.switchboard.ReadTimeoutException(
                              Duration.ofMillis(IDLE_MILLIS),
                              r.request(),
                              "jdk",
                              new java.net.SocketTimeoutException("Read timed out")));
                    }
                  },
                  IDLE_MILLIS,
                  TimeUnit.MILLISECONDS);
            }

            @Override
            public void onResponseHeaders(int status, Headers headers) {
              super.onResponseHeaders(status, headers);
              arm();
            }

            @Override
            public void onBody(ByteBuffer chunk) {
              super.onBody(chunk);
              arm();
            }
          };
      handle.set(delegate.start(r, gate));
      return Handles.of(() -> handle.get(), () -> handle.get().abort());
    }
  }

  static final class ErrorStatusStreams extends ForwardingTransport {
    private static final int[] ALL_ERRORS =
        java.util.stream.IntStream.rangeClosed(400, 599).toArray();

    ErrorStatusStreams(Transport d) {
      super(d);
    }

    @Override
    public CompletableFuture<dev.switchboard.StreamingResponse> stream(Request request) {
      return delegate.stream(request.toBuilder().acceptStatus(ALL_ERRORS).build());
    }
  }

  static final class FollowsRedirects extends ForwardingEngine {
    FollowsRedirects(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Handles.Slot current = new Handles.Slot();
      TransportEngine engine = delegate;
      class Hop extends Swallowing {
        private final ExchangeRequest req;
        private final int hops;
        private URI next;

        Hop(ExchangeRequest req, int hops) {
          super(l);
          this.req = req;
          this.hops = hops;
        }

        @Override
        public void onResponseHeaders(int status, Headers headers) {
          String location = headers.first("Location");
          if (hops < 5 && location != null && Set.of(301, 302, 303, 307, 308).contains(status)) {
            next = req.request().uri().resolve(location);
            swallowBody();
            return;
          }
          super.onResponseHeaders(status, headers);
        }

        @Override
        public void onBody(ByteBuffer chunk) {
          if (next == null) {
            super.onBody(chunk);
          }
        }

        @Override
        public void onComplete() {
          if (next != null) {
            ExchangeRequest again = with(req, req.request().toBuilder().uri(next).build());
            current.replace(() -> new Hop(again, hops + 1).start(engine, again));
            return;
          }
          super.onComplete();
        }
      }
      current.replace(() -> new Hop(r, 0).start(engine, r));
      return current;
    }
  }

  static final class ReusesBodyStream extends ForwardingEngine {
    private final Map<Body, java.io.InputStream> opened =
        java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    ReusesBodyStream(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Body b = r.request().body();
      if (b.isInMemory() || !b.isRepeatable()) {
        return delegate.start(r, l);
      }
      java.io.InputStream in = opened.computeIfAbsent(b, Body::openStream);
      return delegate.start(
          withBody(
              r,
              Body.ofInputStream(
                  () ->
                      new java.io.FilterInputStream(in) {
                        @Override
                        public void close() {
                          // kept open for "the next attempt"
                        }
                      },
                  b.length(),
                  b.contentType())),
          l);
    }
  }

  static final class Retries503 extends ForwardingEngine {
    Retries503(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Handles.Slot current = new Handles.Slot();
      AtomicBoolean retried = new AtomicBoolean();
      TransportEngine engine = delegate;
      class Attempt extends Swallowing {
        private boolean swallow;

        Attempt() {
          super(l);
        }

        @Override
        public void onResponseHeaders(int status, Headers headers) {
          if (status == 503 && !retried.get()) {
            swallow = true;
            swallowBody();
            return;
          }
          super.onResponseHeaders(status, headers);
        }

        @Override
        public void onBody(ByteBuffer chunk) {
          if (!swallow) {
            super.onBody(chunk);
          }
        }

        @Override
        public void onComplete() {
          if (swallow && retried.compareAndSet(false, true)) {
            current.replace(() -> new Attempt().start(engine, r));
            return;
          }
          super.onComplete();
        }
      }
      current.replace(() -> new Attempt().start(engine, r));
      return current;
    }
  }

  static final class LosesBodySourceFailure extends ForwardingEngine {
    LosesBodySourceFailure(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      return delegate.start(
          r,
          new ForwardingListener(l) {
            @Override
            protected void onAnyFailure(Fault fault, Throwable cause, TransportException built) {
              Throwable t = built != null ? built : cause;
              if (dev.switchboard.spi.BodySourceException.find(t) != null) {
                super.onAnyFailure(
                    Fault.NO_RESPONSE, new IOException("Connection reset by peer"), null);
                return;
              }
              super.onAnyFailure(fault, cause, built);
            }
          });
    }
  }

  static final class EndsUploadOnSourceFailure extends ForwardingEngine {
    EndsUploadOnSourceFailure(TransportEngine d) {
      super(d);
    }

    @Override
    public Exchange start(ExchangeRequest r, ExchangeListener l) {
      Body b = r.request().body();
      if (b.isInMemory() || b.length() >= 0) {
        return delegate.start(r, l);
      }
      AtomicReference<IOException> failed = new AtomicReference<>();
      Body ending =
          Body.ofInputStream(() -> endsOnFailure(b.openStream(), failed), -1, b.contentType());
      return delegate.start(
          withBody(r, ending),
          new ForwardingListener(l) {
            private boolean reported;

            @Override
            public void onResponseHeaders(int status, Headers headers) {
              IOException failure = failed.get();
              if (failure != null) {
                reported = true;
                delegate.onFailure(Fault.CLOSED, failure);
                return;
              }
              super.onResponseHeaders(status, headers);
            }

            @Override
            public void onBody(ByteBuffer chunk) {
              if (!reported) {
                super.onBody(chunk);
              }
            }

            @Override
            public void onComplete() {
              if (!reported) {
                super.onComplete();
              }
            }
          });
    }

    /** {@code in}, ending where it fails, with the failure kept in {@code failed}. */
    static java.io.InputStream endsOnFailure(
        java.io.InputStream in, AtomicReference<IOException> failed) {
      return new java.io.FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (failed.get() != null) {
            return -1;
          }
          try {
            return super.read(b, off, len);
          } catch (IOException e) {
            failed.compareAndSet(null, e);
            return -1;
          }
        }
      };
    }
  }
}
