package dev.switchboard.jdk;

import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.TlsException;
import dev.switchboard.TransportException;
import dev.switchboard.spi.ExchangeRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;

/**
 * Maps what the JDK client throws onto the error model, the JDK's exception as cause. Whether the
 * request may have reached the server is known from the body publisher: the JDK asks for the
 * content length as it writes the headers, so before that nothing was sent.
 */
final class JdkFailures {
  private JdkFailures() {}

  static TransportException map(
      Throwable error,
      ExchangeRequest exchange,
      ConnectionLimiter.Origin host,
      boolean headersWritten,
      boolean responseStarted,
      boolean resendRefused) {
    Request request = exchange.request();
    Throwable t = TransportException.unwrap(error);
    String detail = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (resendRefused) {
      return new MalformedResponseException(
          "the connection closed without a response; the JDK HttpClient would have sent the"
              + " request again, which Switchboard transports never do",
          request,
          JdkEngine.NAME,
          t);
    }
    if (t instanceof HttpConnectTimeoutException) {
      return new ConnectTimeoutException(exchange.connectTimeout(), request, JdkEngine.NAME, t);
    }
    if (t instanceof HttpTimeoutException) { // only a user's client with a request timeout
      return headersWritten
          ? new ResponseTimeoutException(exchange.responseTimeout(), request, JdkEngine.NAME, t)
          : new ConnectTimeoutException(exchange.connectTimeout(), request, JdkEngine.NAME, t);
    }
    if (t instanceof SSLException && !headersWritten) {
      return new TlsException("TLS handshake failed: " + detail, request, JdkEngine.NAME, t);
    }
    if (t instanceof ConnectException
        || t instanceof NoRouteToHostException
        || t instanceof UnknownHostException
        || t instanceof UnresolvedAddressException) {
      return new ConnectionException(
          "cannot connect to " + host + ": " + (t.getMessage() == null ? "refused" : detail),
          request,
          JdkEngine.NAME,
          t);
    }
    if (t instanceof IOException) {
      if (!headersWritten) {
        return new ConnectionException(
            "the connection failed before the request was written: " + detail,
            request,
            JdkEngine.NAME,
            t);
      }
      return new MalformedResponseException(
          responseStarted
              ? "the response body was cut short: " + detail
              : "no valid response: " + detail,
          request,
          JdkEngine.NAME,
          t);
    }
    if (t instanceof CancellationException) {
      return new TransportException(
          "the exchange was aborted", request, JdkEngine.NAME, headersWritten, t);
    }
    if (t instanceof IllegalArgumentException && responseStarted) {
      return new MalformedResponseException(
          "the response headers are not valid: " + detail, request, JdkEngine.NAME, t);
    }
    return new TransportException(
        "the JDK HttpClient failed: " + detail, request, JdkEngine.NAME, headersWritten, t);
  }
}
