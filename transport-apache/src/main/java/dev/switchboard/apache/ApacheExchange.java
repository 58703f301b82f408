package dev.switchboard.apache;

import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.async.AsyncExecCallback;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.client5.http.async.AsyncExecRuntime;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One exchange: maps the {@link Request} onto the library's request, streams the response to the
 * {@link ExchangeListener}, and maps the outcome.
 *
 * <p><b>When the request counts as sent.</b> With a body: when {@link BodyProducer} has handed the
 * last byte to the connection (the response timeout must not run while a large body uploads).
 * Without one: when the library hands the request head to a connection it has leased and connected,
 * seen as {@link HttpContext#setRequest} on this exchange's own context, which both HTTP/1.1 and
 * HTTP/2 stream handlers call just before writing the head (also for a client the caller built,
 * where we cannot add interceptors). Until then a failure is a connect-phase one and {@code
 * requestSent()} is false.
 *
 * <p><b>Completion.</b> {@code onComplete} is reported from {@link #releaseResources()}, which the
 * client calls after it has returned the connection to the pool, so that a request sent from the
 * completion finds that connection free instead of opening another.
 *
 * <p>Data callbacks come from the connection's I/O thread in order; a failure may come from another
 * thread only when it ends the exchange (an abort), and so, rarely, may the completion (see {@link
 * #fail}); exactly one of {@code onComplete} or {@code onFailure} is reported.
 */
final class ApacheExchange implements Exchange, AsyncResponseConsumer<Void>, FutureCallback<Void> {
  private final ExchangeRequest exchange;
  private final ExchangeListener listener;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final AtomicBoolean written = new AtomicBoolean();
  private volatile boolean sentReported;
  private volatile boolean bodyEnded;
  private volatile boolean headersReceived;
  private volatile EndpointDetails reusedConnection;
  private volatile long receivedBefore;
  private volatile boolean aborted;
  private volatile Future<Void> future;
  private volatile AsyncExecRuntime runtime;
  private FutureCallback<Void> result;

  ApacheExchange(ExchangeRequest exchange, ExchangeListener listener) {
    this.exchange = exchange;
    this.listener = listener;
  }

  void execute(CloseableHttpAsyncClient client, RequestConfig config) {
    try {
      Request request = exchange.request();
      URI uri = request.uri();
      HttpRequest head =
          new BasicHttpRequest(request.method(), HttpHost.create(uri), pathAndQuery(uri));
      Headers fields = request.headers();
      for (int i = 0, n = fields.size(); i < n; i++) {
        String name = fields.name(i);
        // the library writes the framing itself (and refuses a request that already has it)
        if (!name.equalsIgnoreCase("Content-Length")
            && !name.equalsIgnoreCase("Transfer-Encoding")) {
          head.addHeader(name, fields.value(i));
        }
      }
      BodyProducer body =
          request.hasBody()
              ? new BodyProducer(request.body().asReadOnlyBuffer(), this::requestSent)
              : null;
      Context context = new Context(body == null);
      context.setRequestConfig(config);
      Future<Void> f = client.execute(new BasicRequestProducer(head, body), this, context, this);
      future = f;
      if (aborted) {
        f.cancel(true);
      }
    } catch (RuntimeException e) { // a client that is not running throws CancellationException
      fail(e);
    }
  }

  /** The request target, its encoding untouched, and non-ASCII characters sent as UTF-8 %XX. */
  private static String pathAndQuery(URI uri) {
    String path = uri.getRawPath();
    String query = uri.getRawQuery();
    path = path == null || path.isEmpty() ? "/" : path;
    String target = query == null ? path : path + "?" + query;
    for (int i = 0; i < target.length(); i++) {
      if (target.charAt(i) > 0x7e) {
        return pathAndQuery(URI.create(uri.toASCIIString()));
      }
    }
    return target;
  }

  /** The context of this exchange only: tells when the request head goes to a connection. */
  private final class Context extends HttpClientContext {
    private final boolean sentWithHead;

    Context(boolean sentWithHead) {
      this.sentWithHead = sentWithHead;
    }

    ApacheExchange exchange() {
      return ApacheExchange.this;
    }

    @Override
    public void setRequest(HttpRequest request) {
      super.setRequest(request);
      if (written.compareAndSet(false, true)) {
        EndpointDetails connection = getEndpointDetails();
        if (connection != null && connection.getRequestCount() > 0) {
          receivedBefore = connection.getReceivedBytesCount();
          reusedConnection = connection;
        }
      }
      if (sentWithHead) {
        requestSent();
      }
    }
  }

  private boolean written() {
    return written.get();
  }

  /** Whether this ran on a reused connection that has not sent a byte since the request. */
  private boolean stale() {
    EndpointDetails connection = reusedConnection;
    return connection != null
        && !headersReceived
        && connection.getReceivedBytesCount() == receivedBefore;
  }

  private void requestSent() {
    if (!sentReported && !ended.get()) {
      sentReported = true;
      listener.onRequestSent();
    }
  }

  /**
   * Cancels the library's future and discards the exchange's connection. The cancel alone can miss
   * in 5.6: when the pool hands over a connection at once, the future's link to the running
   * exchange is overwritten by the finished lease, so the exchange would go on (seen with reused
   * connections and with fast connects); discarding the endpoint closes it whatever the future did.
   */
  @Override
  public void request(long n) {
    // TODO(#19): demand-driven delivery; until then the body comes as fast as it arrives
  }

  @Override
  public void abort() {
    ended.set(true); // the api layer has settled the exchange: nothing more is reported
    aborted = true;
    Future<Void> f = future;
    if (f != null) {
      f.cancel(true);
    }
    AsyncExecRuntime r = runtime;
    if (r != null) {
      r.discardEndpoint();
    }
  }

  /**
   * The first step of the client's exec chain ({@link ApacheTransports#configure}): remembers the
   * exchange's runtime, through which {@link #abort()} reaches its connection.
   */
  static void captureRuntime(
      HttpRequest request,
      AsyncEntityProducer entity,
      AsyncExecChain.Scope scope,
      AsyncExecChain chain,
      AsyncExecCallback callback)
      throws HttpException, IOException {
    if (scope.clientContext instanceof Context context) {
      context.exchange().runtime = scope.execRuntime;
    }
    chain.proceed(request, entity, scope, callback);
  }

  // ---------------------------------------------------------------- the response, as it arrives

  @Override
  public void consumeResponse(
      HttpResponse response,
      EntityDetails entity,
      HttpContext context,
      FutureCallback<Void> resultCallback)
      throws ProtocolException {
    Headers headers;
    try {
      Header[] fields = response.getHeaders();
      Headers.Builder b = Headers.builder(fields.length); // exactly full: built without a copy
      for (Header h : fields) {
        b.add(h.getName(), h.getValue());
      }
      headers = b.build();
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("unusable response header: " + e.getMessage(), e);
    }
    headersReceived = true;
    requestSent(); // a response may come before the body was all written
    if (!ended.get()) {
      listener.onResponseHeaders(response.getCode(), headers);
    }
    result = resultCallback;
    if (entity == null) {
      bodyEnded = true;
      resultCallback.completed(null);
    }
  }

  @Override
  public void informationResponse(HttpResponse response, HttpContext context) {
    // 1xx: nothing to report
  }

  /**
   * No window of our own: the listener copies each chunk before returning, so nothing ever queues
   * here, and the body limit is enforced by the api layer aborting the exchange.
   */
  @Override
  public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
    capacityChannel.update(Integer.MAX_VALUE);
  }

  @Override
  public void consume(ByteBuffer src) {
    int end = src.limit();
    if (!ended.get()) {
      listener.onBody(src);
    }
    src.position(end);
  }

  @Override
  public void streamEnd(List<? extends Header> trailers) {
    bodyEnded = true;
    result.completed(null);
  }

  @Override
  public void releaseResources() {
    if (bodyEnded && ended.compareAndSet(false, true)) {
      listener.onComplete();
    }
  }

  // ---------------------------------------------------------------- the outcome

  @Override
  public void completed(Void ignored) {
    // reported from releaseResources()
  }

  @Override
  public void failed(Exception cause) {
    fail(cause);
  }

  @Override
  public void cancelled() {
    fail(new CancellationException("the Apache client cancelled the exchange"));
  }

  /**
   * Reports the failure, unless the whole response had been read: a failure after that is the
   * library tidying up, not a failed exchange, and the exchange is reported complete. Seen with 5.6
   * on loopback: when the response has come and been read before the caller's thread, still in
   * {@code execute}, links the running exchange to the request's future, the client finds that
   * future done, cancels the exchange it has just run, and the cancel arrives here as {@code
   * failed(InterruptedIOException)} before {@link #releaseResources()} has reported the completion
   * (seen once, in a latency benchmark).
   */
  private void fail(Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      if (bodyEnded) {
        listener.onComplete();
        return;
      }
      listener.onFailure(
          Failures.fault(cause, written(), headersReceived, stale()), Failures.cause(cause));
    }
  }
}
