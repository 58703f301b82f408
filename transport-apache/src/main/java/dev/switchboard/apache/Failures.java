package dev.switchboard.apache;

import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.StaleConnectionException;
import dev.switchboard.TlsException;
import dev.switchboard.TransportException;
import dev.switchboard.spi.ExchangeRequest;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * Maps what the library reports onto the error model. {@code written} says whether the request head
 * had been handed to a connection: before that every failure is a connect-phase one and nothing was
 * sent.
 *
 * <table>
 *   <caption>Library exceptions and what they become</caption>
 *   <tr><th>library</th><th>before written</th><th>after</th></tr>
 *   <tr><td>{@code DeadlineTimeoutException} (no pooled connection free in time; our requests
 *       disable that bound, so it is not expected; mapped all the same),
 *       {@code org.apache.hc.client5.http.ConnectTimeoutException}</td>
 *       <td colspan="2">{@link ConnectTimeoutException}</td></tr>
 *   <tr><td>{@code CancellationException}, {@code IllegalStateException} (the client is
 *       closed)</td>
 *       <td colspan="2">{@link TransportException}</td></tr>
 *   <tr><td>{@code RequestNotExecutedException} (HTTP/2 refused the stream)</td>
 *       <td colspan="2">{@link ConnectionException}</td></tr>
 *   <tr><td>{@code SSLException}</td><td>{@link TlsException}</td>
 *       <td>{@link MalformedResponseException}</td></tr>
 *   <tr><td>{@code SocketTimeoutException} (TLS handshake, or the socket idle)</td>
 *       <td>{@link ConnectTimeoutException}</td><td>{@link ResponseTimeoutException}</td></tr>
 *   <tr><td>{@code ConnectionClosedException}, {@code SocketException} on a reused connection
 *       that sent nothing</td><td>-</td><td>{@link StaleConnectionException}</td></tr>
 *   <tr><td>other {@code IOException} ({@code HttpHostConnectException}, refused, reset,
 *       {@code ConnectionClosedException}, {@code MalformedChunkCodingException}…)</td>
 *       <td>{@link ConnectionException}</td><td>{@link MalformedResponseException}</td></tr>
 *   <tr><td>{@code HttpException} ({@code ParseException}, {@code ProtocolException})</td>
 *       <td>{@link TransportException}</td><td>{@link MalformedResponseException}</td></tr>
 * </table>
 */
final class Failures {
  private Failures() {}

  static TransportException map(
      Throwable failure, ExchangeRequest exchange, boolean written, boolean stale) {
    Throwable t = TransportException.unwrap(failure);
    Request request = exchange.request();
    String name = ApacheEngine.NAME;
    if (t instanceof TransportException te) {
      return te;
    }
    if (t instanceof DeadlineTimeoutException
        || t instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
      return new ConnectTimeoutException(exchange.connectTimeout(), request, name, t);
    }
    if (t instanceof CancellationException || t instanceof IllegalStateException) {
      // the client is shut down (its pool refuses leases), or never started (what our own aborts
      // cause is never reported)
      return new TransportException(
          "the Apache client cannot run the exchange; is it closed? (a wrapped client is closed by"
              + " its owner): "
              + t.getMessage(),
          request,
          name,
          written,
          t);
    }
    if (t instanceof RequestNotExecutedException) {
      return new ConnectionException(
          "the server refused the request unprocessed", request, name, t);
    }
    if (!written) {
      if (t instanceof SSLException) {
        return new TlsException("TLS handshake failed: " + t.getMessage(), request, name, t);
      }
      if (t instanceof SocketTimeoutException) {
        return new ConnectTimeoutException(exchange.connectTimeout(), request, name, t);
      }
      if (t instanceof IOException) {
        return new ConnectionException("no connection: " + t, request, name, t);
      }
      return new TransportException("the request could not be sent: " + t, request, name, false, t);
    }
    if (t instanceof SocketTimeoutException) {
      return new ResponseTimeoutException(exchange.responseTimeout(), request, name, t);
    }
    if (stale && (t instanceof ConnectionClosedException || t instanceof SocketException)) {
      return new StaleConnectionException(
          "the server closed a reused connection without answering: " + t, request, name, t);
    }
    if (t instanceof IOException || t instanceof HttpException) {
      return new MalformedResponseException(
          "the response could not be read: " + t, request, name, t);
    }
    return new TransportException("the exchange failed: " + t, request, name, true, t);
  }
}
