package dev.switchboard.apache;

import dev.switchboard.TransportException;
import dev.switchboard.spi.Fault;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.util.DeadlineTimeoutException;

/**
 * Tells which {@link Fault} a library exception is. {@code written} says whether the request head
 * had been handed to a connection (before that every failure is a connect-phase one), {@code
 * responseStarted} whether the response head had arrived, {@code stale} whether the exchange ran on
 * a reused connection that has not sent a byte since the request.
 *
 * <table>
 *   <caption>Library exceptions and the fault they are</caption>
 *   <tr><th>library</th><th>fault</th></tr>
 *   <tr><td>{@code org.apache.hc.client5.http.ConnectTimeoutException}, {@code
 *       DeadlineTimeoutException} (no pooled connection in time: our requests disable that bound;
 *       mapped all the same), {@code SocketTimeoutException} before the request was written (the TLS
 *       handshake)</td><td>{@link Fault#CONNECT_TIMEOUT}</td></tr>
 *   <tr><td>{@code CancellationException}, {@code IllegalStateException} (the client is
 *       closed)</td><td>{@link Fault#CLOSED}</td></tr>
 *   <tr><td>{@code RequestNotExecutedException} (HTTP/2 refused the stream)</td>
 *       <td>{@link Fault#NO_RESPONSE}</td></tr>
 *   <tr><td>before the request was written: {@code SSLException}; {@code ConnectException}
 *       (refused, with {@code HttpHostConnectException}); other {@code IOException}</td>
 *       <td>{@link Fault#TLS}; {@link Fault#REFUSED}; {@link Fault#CONNECT_FAILED}</td></tr>
 *   <tr><td>{@code ConnectionClosedException}, {@code SocketException} on a reused connection that
 *       sent nothing</td><td>{@link Fault#STALE_CONNECTION}</td></tr>
 *   <tr><td>{@code MessageConstraintException} (a line or the header count past the limits set
 *       from {@code maxResponseHeadBytes})</td><td>{@link Fault#HEAD_TOO_LARGE}</td></tr>
 *   <tr><td>{@code HttpException} ({@code ParseException}, {@code ProtocolException}) before the
 *       response head</td><td>{@link Fault#MALFORMED_HEAD}</td></tr>
 *   <tr><td>other {@code IOException} or {@code HttpException} ({@code
 *       MalformedChunkCodingException}, {@code ConnectionClosedException}, a reset): before the
 *       response head, after it</td><td>{@link Fault#NO_RESPONSE}, {@link Fault#BODY_CUT}</td></tr>
 * </table>
 */
final class Failures {
  private Failures() {}

  static Throwable cause(Throwable failure) {
    return TransportException.unwrap(failure);
  }

  static Fault fault(Throwable failure, boolean written, boolean responseStarted, boolean stale) {
    Throwable t = cause(failure);
    if (t instanceof org.apache.hc.core5.http.ConnectionRequestTimeoutException) {
      return Fault.POOL_TIMEOUT; // HC5's own lease timeout, when it noticed first
    }
    if (t instanceof DeadlineTimeoutException
        || t instanceof org.apache.hc.client5.http.ConnectTimeoutException) {
      return Fault.CONNECT_TIMEOUT;
    }
    if (t instanceof CancellationException || t instanceof IllegalStateException) {
      // the client is shut down (its pool refuses leases), or never started (what our own aborts
      // cause is never reported)
      return Fault.CLOSED;
    }
    if (t instanceof RequestNotExecutedException) {
      return Fault.NO_RESPONSE;
    }
    if (!written) {
      if (t instanceof SSLException) {
        return Fault.TLS;
      }
      if (t instanceof SocketTimeoutException) {
        return Fault.CONNECT_TIMEOUT;
      }
      if (t instanceof ConnectException) {
        return Fault.REFUSED;
      }
      return Fault.CONNECT_FAILED;
    }
    if (stale && (t instanceof ConnectionClosedException || t instanceof SocketException)) {
      return Fault.STALE_CONNECTION;
    }
    if (t instanceof MessageConstraintException) {
      return Fault.HEAD_TOO_LARGE;
    }
    if (!responseStarted && t instanceof HttpException) {
      return Fault.MALFORMED_HEAD;
    }
    if (t instanceof IOException || t instanceof HttpException) {
      return responseStarted ? Fault.BODY_CUT : Fault.NO_RESPONSE;
    }
    return Fault.FAILED;
  }
}
