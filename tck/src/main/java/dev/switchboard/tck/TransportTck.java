package dev.switchboard.tck;

import dev.switchboard.Capability;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conformance kit: extend it in a transport module's tests, implement {@link #create}, and the
 * whole kit runs.
 *
 * <pre>{@code
 * class JdkTransportTckTest extends TransportTck {
 *   protected Transport create(TransportConfig config) {
 *     return Transports.create(config.toBuilder().provider("jdk").build());
 *   }
 * }
 * }</pre>
 *
 * <p>The checks are grouped by area in nested classes; each check's display name is its stable id
 * ({@code area.check}, e.g. {@code get-body.get-json-body-intact}), the catalogue is {@code
 * TCK.md}. The servers are the kit's own, on {@code 127.0.0.1} with free ports. Where the transport
 * declares it lacks a capability, the check verifies the documented alternative instead and is
 * reported as {@link CheckStatus#ALTERNATIVE_VERIFIED}.
 *
 * <p>When the class has run, the results are written to {@code
 * target/switchboard-tck/<transport>.json} ({@link TckReport}), and {@code matrix.md} beside it is
 * rewritten from every report in that directory ({@link TckMatrix}). JUnit configuration parameters
 * (or system properties of the same name):
 *
 * <ul>
 *   <li>{@value #REPORT_DIR}: the directory of the report (default {@code target/switchboard-tck});
 *   <li>{@value #REPORT}: {@code false} writes no report;
 *   <li>{@value #REPORT_NAME}: the report's name instead of the transport's name.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(TckExtension.class)
public abstract class TransportTck {
  /** Configuration parameter: the directory reports are written to. */
  public static final String REPORT_DIR = "switchboard.tck.reportDir";

  /** Configuration parameter: {@code false} disables the report file. */
  public static final String REPORT = "switchboard.tck.report";

  /** Configuration parameter: the report's name (default: the transport's name). */
  public static final String REPORT_NAME = "switchboard.tck.reportName";

  private Function<String, Optional<String>> parameters = k -> Optional.empty();
  private TckContext ctx;
  private final List<CheckResult> results = new ArrayList<>();
  private Throwable setupFailure;

  /** For subclasses. */
  protected TransportTck() {}

  /**
   * Creates the transport under test for {@code config}. Called many times, once per configuration
   * a check needs; the kit closes every transport it created.
   *
   * @param config the configuration to honour (its provider is unset: set yours)
   * @return a new transport
   */
  protected abstract Transport create(TransportConfig config);

  /**
   * Optional: creates the transport from a library client built by "the user" (the adapter's public
   * factory that wraps an existing client), for {@code lifecycle.user-supplied-client}. The default
   * returns {@code null} and that check is skipped.
   *
   * @param config the configuration whose options the library client should reflect
   * @return a transport wrapping a user-built client, or {@code null}
   */
  protected Transport createWithUserClient(TransportConfig config) {
    return null;
  }

  /**
   * The value of a JUnit configuration parameter, falling back to the system property of the same
   * name.
   *
   * @param key the parameter's name
   * @return the value, if set
   */
  protected final Optional<String> parameter(String key) {
    Optional<String> v = parameters.apply(key);
    if (v.isPresent()) {
      return v;
    }
    return Optional.ofNullable(System.getProperty(key));
  }

  final void configure(Function<String, Optional<String>> parameters) {
    this.parameters = parameters;
  }

  final TckContext context() {
    return ctx;
  }

  final void record(CheckResult result) {
    synchronized (results) {
      results.add(result);
    }
  }

  final List<CheckResult> results() {
    synchronized (results) {
      return List.copyOf(results);
    }
  }

  private Path reportDir() {
    return Path.of(parameter(REPORT_DIR).orElse("target/switchboard-tck"));
  }

  final void writeReport() {
    if (parameter(REPORT).map("false"::equalsIgnoreCase).orElse(false)) {
      return;
    }
    Path dir = reportDir();
    reportFor().write(dir);
    TckMatrix.fromDirectory(dir).writeMarkdown(dir.resolve("matrix.md"));
  }

  final TckReport reportFor() {
    List<CheckResult> all = new ArrayList<>(results());
    if (setupFailure != null) {
      all.add(
          new CheckResult("kit.setup", CheckStatus.FAILED, TckExtension.message(setupFailure), 0));
    }
    String name =
        parameter(REPORT_NAME)
            .orElse(ctx != null && ctx.name != null ? ctx.name : getClass().getSimpleName());
    List<String> caps =
        ctx == null ? List.of() : ctx.capabilities.stream().map(Capability::name).sorted().toList();
    return new TckReport(name, caps, all);
  }

  @BeforeAll
  final void startKit() {
    Path dir = reportDir().toAbsolutePath();
    Path work = dir.resolveSibling(dir.getFileName() + "-work"); // certificates, not reports
    ctx = new TckContext(this::create, this::createWithUserClient, work);
    try (Transport probe = create(TransportConfig.defaults())) {
      if (probe == null) {
        throw new IllegalStateException("create(TransportConfig) returned null");
      }
      ctx.name = probe.name();
      ctx.capabilities = probe.capabilities();
      ctx.wireMock(); // started once, up front: its start-up is not any check's time
    } catch (RuntimeException | Error e) {
      setupFailure = e;
      throw e;
    }
  }

  @AfterEach
  final void endCheck() {
    ctx.endCheck();
  }

  @AfterAll
  final void stopKit() {
    if (ctx != null) {
      ctx.shutdown();
    }
  }

  // ======================================================================== methods

  /** Area {@code methods}. */
  @Nested
  @DisplayName("methods")
  @Timeout(60)
  class Methods {
    private final MethodsChecks c = new MethodsChecks(ctx);

    @Test
    @DisplayName("methods.standard-methods")
    void standardMethods() throws Exception {
      c.standardMethods();
    }

    @Test
    @DisplayName("methods.extension-method")
    void extensionMethod() throws Exception {
      c.extensionMethod();
    }

    @Test
    @DisplayName("methods.head-ignores-content-length")
    void headIgnoresContentLength() throws Exception {
      c.headIgnoresContentLength();
    }

    @Test
    @DisplayName("methods.no-content-204")
    void noContent() throws Exception {
      c.noContent();
    }

    @Test
    @DisplayName("methods.not-modified-304")
    void notModified() throws Exception {
      c.notModified();
    }

    @Test
    @DisplayName("methods.empty-post-content-length-zero")
    void emptyPost() throws Exception {
      c.emptyPostContentLengthZero();
    }
  }

  // ======================================================================== get-body

  /** Area {@code get-body}. */
  @Nested
  @DisplayName("get-body")
  @Timeout(60)
  class GetBody {
    private final GetBodyChecks c = new GetBodyChecks(ctx);

    @Test
    @DisplayName("get-body.get-json-body-intact")
    void getJsonBodyIntact() throws Exception {
      c.getJsonBodyIntact();
    }

    @Test
    @DisplayName("get-body.delete-json-body-intact")
    void deleteJsonBodyIntact() throws Exception {
      c.deleteJsonBodyIntact();
    }

    @Test
    @DisplayName("get-body.as-post-mode")
    void asPostMode() throws Exception {
      c.asPostMode();
    }
  }

  // ======================================================================== bodies

  /** Area {@code bodies}. */
  @Nested
  @DisplayName("bodies")
  @Timeout(60)
  class Bodies {
    private final BodiesChecks c = new BodiesChecks(ctx);

    @Test
    @DisplayName("bodies.round-trip-0-bytes")
    void empty() throws Exception {
      c.roundTrip(0);
    }

    @Test
    @DisplayName("bodies.round-trip-1-byte")
    void oneByte() throws Exception {
      c.roundTrip(1);
    }

    @Test
    @DisplayName("bodies.round-trip-8-kib")
    void eightKib() throws Exception {
      c.roundTrip(8 * 1024);
    }

    @Test
    @DisplayName("bodies.round-trip-1-mib")
    void oneMib() throws Exception {
      c.roundTrip(1024 * 1024);
    }

    @Test
    @DisplayName("bodies.round-trip-16-mib")
    void sixteenMib() throws Exception {
      c.roundTrip(16 * 1024 * 1024);
    }

    @Test
    @DisplayName("bodies.all-byte-values")
    void allByteValues() throws Exception {
      c.allByteValues();
    }

    @Test
    @DisplayName("bodies.utf8-beyond-bmp")
    void utf8BeyondBmp() throws Exception {
      c.utf8BeyondBmp();
    }

    @Test
    @DisplayName("bodies.chunked-response")
    void chunkedResponse() throws Exception {
      c.chunkedResponse();
    }
  }

  // ======================================================================== urls-headers

  /** Area {@code urls-headers}. */
  @Nested
  @DisplayName("urls-headers")
  @Timeout(60)
  class UrlsHeaders {
    private final HeadersChecks c = new HeadersChecks(ctx);

    @Test
    @DisplayName("urls-headers.query-encoding-kept")
    void queryEncodingKept() throws Exception {
      c.queryEncodingKept();
    }

    @Test
    @DisplayName("urls-headers.non-ascii-uri-utf8")
    void nonAsciiUri() throws Exception {
      c.nonAsciiUriUtf8();
    }

    @Test
    @DisplayName("urls-headers.multi-valued-request-headers")
    void multiRequest() throws Exception {
      c.multiValuedRequestHeaders();
    }

    @Test
    @DisplayName("urls-headers.multi-valued-response-headers")
    void multiResponse() throws Exception {
      c.multiValuedResponseHeaders();
    }

    @Test
    @DisplayName("urls-headers.case-insensitive-lookup")
    void caseInsensitive() throws Exception {
      c.caseInsensitiveLookup();
    }

    @Test
    @DisplayName("urls-headers.host-carries-port")
    void hostPort() throws Exception {
      c.hostCarriesPort();
    }

    @Test
    @DisplayName("urls-headers.user-agent-exact")
    void userAgent() throws Exception {
      c.userAgent();
    }

    @Test
    @DisplayName("urls-headers.no-unrequested-headers")
    void noUnrequested() throws Exception {
      c.noUnrequestedHeaders();
    }

    @Test
    @DisplayName("urls-headers.no-accept-encoding-when-compression-off")
    void noAcceptEncoding() throws Exception {
      c.noAcceptEncodingWhenCompressionOff();
    }

    @Test
    @DisplayName("urls-headers.crlf-refused-before-sending")
    void crlf() throws Exception {
      c.crlfRefusedBeforeSending();
    }
  }

  // ======================================================================== decoding

  /** Area {@code decoding}. */
  @Nested
  @DisplayName("decoding")
  @Timeout(60)
  class Decoding {
    private final DecodingChecks c = new DecodingChecks(ctx);

    @Test
    @DisplayName("decoding.json-map")
    void jsonMap() throws Exception {
      c.jsonMap();
    }

    @Test
    @DisplayName("decoding.json-record-and-pojo")
    void jsonRecord() throws Exception {
      c.jsonRecordAndPojo();
    }

    @Test
    @DisplayName("decoding.json-generic-list")
    void jsonList() throws Exception {
      c.jsonGenericList();
    }

    @Test
    @DisplayName("decoding.charset-honoured")
    void charsets() throws Exception {
      c.charsets();
    }

    @Test
    @DisplayName("decoding.gzip-decoded")
    void gzip() throws Exception {
      c.gzipDecoded();
    }

    @Test
    @DisplayName("decoding.deflate-decoded")
    void deflate() throws Exception {
      c.deflateDecoded();
    }

    @Test
    @DisplayName("decoding.compression-off-leaves-body")
    void compressionOff() throws Exception {
      c.compressionOffLeavesBody();
    }

    @Test
    @DisplayName("decoding.invalid-json-decode-exception")
    void invalidJson() throws Exception {
      c.invalidJson();
    }

    @Test
    @DisplayName("decoding.too-large-declared")
    void tooLargeDeclared() throws Exception {
      c.tooLargeDeclared();
    }

    @Test
    @DisplayName("decoding.too-large-streamed")
    void tooLargeStreamed() throws Exception {
      c.tooLargeStreamed();
    }

    @Test
    @DisplayName("decoding.too-large-after-decoding")
    void tooLargeDecoded() throws Exception {
      c.tooLargeAfterDecoding();
    }
  }

  // ======================================================================== errors

  /** Area {@code errors}. */
  @Nested
  @DisplayName("errors")
  @Timeout(60)
  class Errors {
    private final ErrorsChecks c = new ErrorsChecks(ctx);

    @Test
    @DisplayName("errors.status-400-client-error")
    void s400() throws Exception {
      c.status(400, ErrorsChecks.typeOf(400));
    }

    @Test
    @DisplayName("errors.status-404-not-found")
    void s404() throws Exception {
      c.status(404, ErrorsChecks.typeOf(404));
    }

    @Test
    @DisplayName("errors.status-409-conflict")
    void s409() throws Exception {
      c.status(409, ErrorsChecks.typeOf(409));
    }

    @Test
    @DisplayName("errors.status-429-too-many-requests")
    void s429() throws Exception {
      c.status(429, ErrorsChecks.typeOf(429));
    }

    @Test
    @DisplayName("errors.status-500-server-error")
    void s500() throws Exception {
      c.status(500, ErrorsChecks.typeOf(500));
    }

    @Test
    @DisplayName("errors.status-503-server-error")
    void s503() throws Exception {
      c.status(503, ErrorsChecks.typeOf(503));
    }

    @Test
    @DisplayName("errors.error-body-decoded-from-gzip")
    void gzipError() throws Exception {
      c.errorBodyFromGzip();
    }

    @Test
    @DisplayName("errors.accept-status")
    void acceptStatus() throws Exception {
      c.acceptStatus();
    }

    @Test
    @DisplayName("errors.redirect-not-followed-by-default")
    void redirectDefault() throws Exception {
      c.redirectNotFollowedByDefault();
    }

    @Test
    @DisplayName("errors.redirect-followed-when-asked")
    void redirectFollowed() throws Exception {
      c.redirectFollowedWhenAsked();
    }

    @Test
    @DisplayName("errors.redirect-drops-authorization-across-origins")
    void redirectAuth() throws Exception {
      c.redirectDropsAuthorizationAcrossOrigins();
    }

    @Test
    @DisplayName("errors.connection-refused")
    void refused() throws Exception {
      c.connectionRefused();
    }

    @Test
    @DisplayName("errors.reset-mid-body")
    void reset() throws Exception {
      c.resetMidBody();
    }

    @Test
    @DisplayName("errors.truncated-body")
    void truncated() throws Exception {
      c.truncatedBody();
    }

    @Test
    @DisplayName("errors.empty-reply")
    void emptyReply() throws Exception {
      c.emptyReply();
    }

    @Test
    @DisplayName("errors.garbage")
    void garbage() throws Exception {
      c.garbage();
    }

    @Test
    @DisplayName("errors.library-exception-is-cause")
    void cause() throws Exception {
      c.libraryExceptionIsCause();
    }

    @Test
    @DisplayName("errors.no-retry-on-status")
    void noRetryStatus() throws Exception {
      c.noRetryOnStatus();
    }

    @Test
    @DisplayName("errors.no-retry-on-fresh-connection")
    void noRetryFresh() throws Exception {
      c.noRetryOnFreshConnection();
    }

    @Test
    @DisplayName("errors.no-retry-on-pooled-connection")
    void noRetryPooled() throws Exception {
      c.noRetryOnPooledConnection();
    }

    @Test
    @DisplayName("errors.stale-connection-get-resent-once")
    void staleGet() throws Exception {
      c.staleConnectionGetResentOnce();
    }

    @Test
    @DisplayName("errors.stale-connection-post-not-resent")
    void stalePost() throws Exception {
      c.staleConnectionPostNotResent();
    }

    @Test
    @DisplayName("errors.stale-connection-resend-off")
    void staleOff() throws Exception {
      c.staleConnectionResendOff();
    }

    @Test
    @DisplayName("errors.one-wording-per-failure")
    void oneWording() throws Exception {
      c.oneWordingPerFailure();
    }

    @Test
    @DisplayName("errors.exceptions-name-the-transport")
    void namesTransport() throws Exception {
      c.exceptionsNameTheTransport();
    }

    @Test
    @DisplayName("errors.large-response-head-accepted")
    void largeHead() throws Exception {
      c.largeResponseHeadAccepted();
    }

    @Test
    @DisplayName("errors.response-head-limit")
    void headLimit() throws Exception {
      c.responseHeadLimit();
    }
  }

  // ======================================================================== timeouts

  /** Area {@code timeouts}. */
  @Nested
  @DisplayName("timeouts")
  @Timeout(60)
  class Timeouts {
    private final TimeoutsChecks c = new TimeoutsChecks(ctx);

    @Test
    @DisplayName("timeouts.connect-timeout")
    void connect() throws Exception {
      c.connectTimeout();
    }

    @Test
    @DisplayName("timeouts.response-timeout")
    void response() throws Exception {
      c.responseTimeout();
    }

    @Test
    @DisplayName("timeouts.request-timeout")
    void request() throws Exception {
      c.requestTimeout();
    }

    @Test
    @DisplayName("timeouts.connect-override-both-ways")
    void connectOverride() throws Exception {
      c.connectOverride();
    }

    @Test
    @DisplayName("timeouts.response-override-both-ways")
    void responseOverride() throws Exception {
      c.responseOverride();
    }

    @Test
    @DisplayName("timeouts.request-override-both-ways")
    void requestOverride() throws Exception {
      c.requestOverride();
    }

    @Test
    @DisplayName("timeouts.connect-and-response-independent")
    void independent() throws Exception {
      c.independent();
    }

    @Test
    @DisplayName("timeouts.tls-handshake-within-connect-timeout")
    void tlsHandshake() throws Exception {
      c.tlsHandshakeWithinConnectTimeout();
    }

    @Test
    @DisplayName("timeouts.queue-wait-is-not-connect")
    void queueWait() throws Exception {
      c.queueWaitIsNotConnect();
    }

    @Test
    @DisplayName("timeouts.read-timeout")
    void read() throws Exception {
      c.readTimeout();
    }

    @Test
    @DisplayName("timeouts.read-override-both-ways")
    void readOverride() throws Exception {
      c.readOverride();
    }

    @Test
    @DisplayName("timeouts.body-pause-within-read-timeout")
    void bodyPause() throws Exception {
      c.bodyPauseWithinReadTimeout();
    }

    @Test
    @DisplayName("timeouts.no-library-timeout-decides")
    void noLibraryTimeout() throws Exception {
      c.noLibraryTimeoutDecides();
    }
  }

  // ======================================================================== concurrency

  /** Area {@code concurrency}. */
  @Nested
  @DisplayName("concurrency")
  @Timeout(60)
  class Concurrency {
    private final ConcurrencyChecks c = new ConcurrencyChecks(ctx);

    @Test
    @DisplayName("concurrency.fan-out-64-no-hidden-cap")
    void fanOut() throws Exception {
      c.fanOut();
    }

    @Test
    @DisplayName("concurrency.max-connections-per-host")
    void perHost() throws Exception {
      c.maxConnectionsPerHost();
    }

    @Test
    @DisplayName("concurrency.cancel-aborts-exchange")
    void cancel() throws Exception {
      c.cancelAborts();
    }

    @Test
    @DisplayName("concurrency.blocking-continuation-isolated")
    void blocking() throws Exception {
      c.blockingContinuationIsolated();
    }

    @Test
    @DisplayName("concurrency.blocking-continuations-run-at-once")
    void blockingContinuationsRunAtOnce() throws Exception {
      c.blockingContinuationsRunAtOnce();
    }

    @Test
    @DisplayName("concurrency.blocking-continuation-holds-no-connection")
    void blockingHoldsNoConnection() throws Exception {
      c.blockingContinuationHoldsNoConnection();
    }

    @Test
    @DisplayName("concurrency.execute-throws-unwrapped")
    void executeUnwrapped() throws Exception {
      c.executeUnwrapped();
    }

    @Test
    @DisplayName("concurrency.execute-on-transport-thread-refused")
    void executeOnThread() throws Exception {
      c.executeOnTransportThread();
    }

    @Test
    @DisplayName("concurrency.send-all-keeps-order")
    void sendAllOrder() throws Exception {
      c.sendAllKeepsOrder();
    }

    @Test
    @DisplayName("concurrency.send-all-fails-fast")
    void sendAllFailFast() throws Exception {
      c.sendAllFailsFast();
    }

    @Test
    @DisplayName("concurrency.sequential-requests-reuse-connection")
    void reuse() throws Exception {
      c.sequentialReuse();
    }

    @Test
    @DisplayName("concurrency.shared-by-threads")
    void shared() throws Exception {
      c.sharedByThreads();
    }
  }

  // ======================================================================== lifecycle

  /** Area {@code lifecycle}. */
  @Nested
  @DisplayName("lifecycle")
  @Timeout(60)
  class Lifecycle {
    private final LifecycleChecks c = new LifecycleChecks(ctx);

    @Test
    @DisplayName("lifecycle.close-fails-in-flight-and-later-sends")
    void close() throws Exception {
      c.closeFailsInFlight();
    }

    @Test
    @DisplayName("lifecycle.no-threads-left-after-close")
    void threads() throws Exception {
      c.noThreadsLeft();
    }

    @Test
    @DisplayName("lifecycle.user-supplied-client")
    void userClient() throws Exception {
      c.userSuppliedClient();
    }
  }

  // ======================================================================== tls

  /** Area {@code tls}. */
  @Nested
  @DisplayName("tls")
  @Timeout(60)
  class Tls {
    private final TlsChecks c = new TlsChecks(ctx);

    @Test
    @DisplayName("tls.self-signed-refused")
    void selfSigned() throws Exception {
      c.selfSignedRefused();
    }

    @Test
    @DisplayName("tls.trusted-with-ssl-context")
    void trusted() throws Exception {
      c.trustedAccepted();
    }

    @Test
    @DisplayName("tls.hostname-verified")
    void hostname() throws Exception {
      c.hostnameVerified();
    }
  }

  // ======================================================================== pool

  /** Area {@code pool}. */
  @Nested
  @DisplayName("pool")
  @Timeout(60)
  class Pool {
    private final PoolChecks c = new PoolChecks(ctx);

    @Test
    @DisplayName("pool.acquire-timeout-typed")
    void acquireTimeout() throws Exception {
      c.acquireTimeoutTyped();
    }

    @Test
    @DisplayName("pool.idle-connection-closed")
    void idleClosed() throws Exception {
      c.idleConnectionClosed();
    }

    @Test
    @DisplayName("pool.connection-time-to-live")
    void timeToLive() throws Exception {
      c.connectionRetiredAfterTimeToLive();
    }

    @Test
    @DisplayName("pool.stats-readable")
    void stats() throws Exception {
      c.statsReadable();
    }
  }

  // ======================================================================== auth

  /** Area {@code auth}. */
  @Nested
  @DisplayName("auth")
  @Timeout(60)
  class Auth {
    private final AuthChecks c = new AuthChecks(ctx);

    @Test
    @DisplayName("auth.credentials-sent")
    void credentialsSent() throws Exception {
      c.credentialsSent();
    }

    @Test
    @DisplayName("auth.bearer-asked-again-once-after-401")
    void bearer() throws Exception {
      c.bearerAskedAgainOnce();
    }

    @Test
    @DisplayName("auth.signer-sees-wire-request")
    void signer() throws Exception {
      c.signerSeesWireRequest();
    }

    @Test
    @DisplayName("auth.credentials-stay-with-origin")
    void origin() throws Exception {
      c.credentialsStayWithOrigin();
    }

    @Test
    @DisplayName("auth.signer-failure-typed")
    void signerFailure() throws Exception {
      c.signerFailureTyped();
    }

    @Test
    @DisplayName("auth.credentials-never-shown")
    void neverShown() throws Exception {
      c.credentialsNeverShown();
    }
  }

  // ======================================================================== proxy

  /** Area {@code proxy}. */
  @Nested
  @DisplayName("proxy")
  @Timeout(60)
  class Proxy {
    private final ProxyChecks c = new ProxyChecks(ctx);

    @Test
    @DisplayName("proxy.http-forward")
    void httpForward() throws Exception {
      c.httpForward();
    }

    @Test
    @DisplayName("proxy.https-connect")
    void httpsConnect() throws Exception {
      c.httpsConnect();
    }

    @Test
    @DisplayName("proxy.credentials-answer-407")
    void credentials() throws Exception {
      c.credentialsAnswer407();
    }

    @Test
    @DisplayName("proxy.connect-credentials")
    void connectCredentials() throws Exception {
      c.connectCredentials();
    }

    @Test
    @DisplayName("proxy.refused-credentials-typed")
    void refused() throws Exception {
      c.refusedCredentialsTyped();
    }

    @Test
    @DisplayName("proxy.server-401-not-answered")
    void server401() throws Exception {
      c.server401NotAnswered();
    }

    @Test
    @DisplayName("proxy.no-proxy-direct")
    void noProxy() throws Exception {
      c.noProxyDirect();
    }

    @Test
    @DisplayName("proxy.credentials-never-shown")
    void neverShown() throws Exception {
      c.credentialsNeverShown();
    }

    @Test
    @DisplayName("proxy.unreachable-proxy-named")
    void unreachable() throws Exception {
      c.unreachableProxyNamed();
    }

    @Test
    @DisplayName("proxy.misbehaving-proxy-typed")
    void misbehaving() throws Exception {
      c.misbehavingProxyTyped();
    }

    @Test
    @DisplayName("proxy.stalled-connect-bounded")
    void stalledConnect() throws Exception {
      c.stalledConnectBounded();
    }

    @Test
    @DisplayName("proxy.socks5")
    void socks5() throws Exception {
      c.socks5();
    }
  }

  // ======================================================================== config

  /** Area {@code config}. */
  @Nested
  @DisplayName("config")
  @Timeout(60)
  class Config {
    private final ConfigChecks c = new ConfigChecks(ctx);

    @Test
    @DisplayName("config.provider-discovered")
    void provider() throws Exception {
      c.providerDiscovered();
    }

    @Test
    @DisplayName("config.every-option-honoured-or-rejected")
    void everyOption() throws Exception {
      c.everyOptionHonouredOrRejected();
    }

    @Test
    @DisplayName("config.max-connections")
    void maxConnections() throws Exception {
      c.maxConnections();
    }

    @Test
    @DisplayName("config.max-redirects")
    void maxRedirects() throws Exception {
      c.maxRedirects();
    }

    @Test
    @DisplayName("config.callback-executor")
    void callbackExecutor() throws Exception {
      c.callbackExecutor();
    }

    @Test
    @DisplayName("config.http-version")
    void httpVersion() throws Exception {
      c.httpVersion();
    }

    @Test
    @DisplayName("config.interceptors-in-order")
    void interceptorsOrder() throws Exception {
      c.interceptorsInOrder();
    }

    @Test
    @DisplayName("config.interceptors-rewrite")
    void interceptorsRewrite() throws Exception {
      c.interceptorsRewrite();
    }

    @Test
    @DisplayName("config.interceptors-see-failures")
    void interceptorsFailures() throws Exception {
      c.interceptorsSeeFailures();
    }
  }

  // ======================================================================== streaming

  /** Area {@code streaming}. */
  @Nested
  @DisplayName("streaming")
  @Timeout(90)
  class Streaming {
    private final StreamingChecks c = new StreamingChecks(ctx);

    @Test
    @DisplayName("streaming.upload-file-content-length")
    void uploadFile() throws Exception {
      c.uploadFile();
    }

    @Test
    @DisplayName("streaming.upload-input-stream-known-length")
    void uploadInputStreamKnownLength() throws Exception {
      c.uploadInputStreamKnownLength();
    }

    @Test
    @DisplayName("streaming.upload-input-stream-chunked")
    void uploadInputStreamChunked() throws Exception {
      c.uploadInputStreamChunked();
    }

    @Test
    @DisplayName("streaming.upload-publisher")
    void uploadPublisher() throws Exception {
      c.uploadPublisher();
    }

    @Test
    @DisplayName("streaming.upload-streams-as-produced")
    void uploadStreamsAsProduced() throws Exception {
      c.uploadStreamsAsProduced();
    }

    @Test
    @DisplayName("streaming.upload-memory-bounded")
    void uploadMemoryBounded() throws Exception {
      c.uploadMemoryBounded();
    }

    @Test
    @DisplayName("streaming.get-with-streaming-body")
    void getWithStreamingBody() throws Exception {
      c.getWithStreamingBody();
    }

    @Test
    @DisplayName("streaming.download-body-byte-exact")
    void downloadBody() throws Exception {
      c.downloadBody();
    }

    @Test
    @DisplayName("streaming.download-publisher-byte-exact")
    void downloadPublisher() throws Exception {
      c.downloadPublisher();
    }

    @Test
    @DisplayName("streaming.download-gzip-decoded")
    void downloadGzipDecoded() throws Exception {
      c.downloadGzipDecoded();
    }

    @Test
    @DisplayName("streaming.back-pressure")
    void backPressure() throws Exception {
      c.backPressure();
    }

    @Test
    @DisplayName("streaming.download-memory-bounded")
    void memoryBoundedDownload() throws Exception {
      c.memoryBoundedDownload();
    }

    @Test
    @DisplayName("streaming.close-before-end-frees-connection")
    void closeBeforeEnd() throws Exception {
      c.closeBeforeEnd();
    }

    @Test
    @DisplayName("streaming.failure-mid-body-typed")
    void failureMidBody() throws Exception {
      c.failureMidBody();
    }

    @Test
    @DisplayName("streaming.read-timeout-counts-server-silence")
    void readTimeoutCountsServerSilence() throws Exception {
      c.readTimeoutCountsServerSilence();
    }

    @Test
    @DisplayName("streaming.error-status-fails-stream")
    void errorStatusFailsStream() throws Exception {
      c.errorStatusFailsStream();
    }

    @Test
    @DisplayName("streaming.redirect-of-publisher-refused")
    void redirectOfPublisherRefused() throws Exception {
      c.redirectOfPublisherRefused();
    }

    @Test
    @DisplayName("streaming.redirect-resends-repeatable-stream")
    void redirectResendsRepeatableStream() throws Exception {
      c.redirectResendsRepeatableStream();
    }

    @Test
    @DisplayName("streaming.retry-of-publisher-not-made")
    void retryOfPublisherNotMade() throws Exception {
      c.retryOfPublisherNotMade();
    }

    @Test
    @DisplayName("streaming.upload-source-failure")
    void uploadSourceFailure() throws Exception {
      c.uploadSourceFailure();
    }

    @Test
    @DisplayName("streaming.short-source-fails")
    void shortSourceFails() throws Exception {
      c.shortSourceFails();
    }

    @Test
    @DisplayName("streaming.source-failure-leaves-no-whole-request")
    void sourceFailureLeavesNoWholeRequest() throws Exception {
      c.sourceFailureLeavesNoWholeRequest();
    }
  }

  // ======================================================================== events

  /** Area {@code events}. */
  @Nested
  @DisplayName("events")
  @Timeout(60)
  class Events {
    private final EventsChecks c = new EventsChecks(ctx);

    @Test
    @DisplayName("events.plain-call-in-order")
    void plainCall() throws Exception {
      c.plainCall();
    }

    @Test
    @DisplayName("events.failure-typed")
    void failure() throws Exception {
      c.failure();
    }

    @Test
    @DisplayName("events.error-status")
    void errorStatus() throws Exception {
      c.errorStatus();
    }

    @Test
    @DisplayName("events.redirect-is-an-attempt")
    void redirect() throws Exception {
      c.redirect();
    }

    @Test
    @DisplayName("events.stale-connection-resend-is-an-attempt")
    void staleConnectionResend() throws Exception {
      c.staleConnectionResend();
    }

    @Test
    @DisplayName("events.retry-is-an-attempt")
    void retry() throws Exception {
      c.retry();
    }

    @Test
    @DisplayName("events.streaming-call")
    void streaming() throws Exception {
      c.streaming();
    }

    @Test
    @DisplayName("events.listener-headers-sent")
    void listenerHeadersSent() throws Exception {
      c.listenerHeadersSent();
    }

    @Test
    @DisplayName("events.listener-throws-changes-nothing")
    void listenerThrows() throws Exception {
      c.listenerThrows();
    }

    @Test
    @DisplayName("events.connection-reuse")
    void connectionReuse() throws Exception {
      c.connectionReuse();
    }

    @Test
    @DisplayName("events.concurrent-calls-kept-apart")
    void concurrentCallsKeptApart() throws Exception {
      c.concurrentCallsKeptApart();
    }
  }
}
