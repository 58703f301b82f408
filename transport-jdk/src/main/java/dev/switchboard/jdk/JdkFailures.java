package dev.switchboard.jdk;

import dev.switchboard.TransportException;
import dev.switchboard.spi.Fault;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;

/**
 * Tells which {@link Fault} the JDK client's exception is. How far the request got is known from
 * the body publisher: the JDK asks for the content length as it writes the headers, so before that
 * nothing was sent; it asks again only to resend a request whose connection closed before any
 * response byte.
 *
 * <p>The JDK cannot say whether a connection was reused. A connection that closed before any
 * response byte is reported as {@link Fault#STALE_CONNECTION} when the origin has answered an
 * earlier exchange (its pool may hold a connection), else as {@link Fault#NO_RESPONSE}: so a fresh
 * transport's first request is never taken for a stale one, while a new connection opened beside
 * pooled ones may be (Switchboard then resends an idempotent request once, which RFC 9112 section
 * 9.3.1 allows after any connection closed before a response).
 */
final class JdkFailures {
  private JdkFailures() {}

  /** The JDK's own exception, without the futures' wrappers. */
  static Throwable cause(Throwable error) {
    return TransportException.unwrap(error);
  }

  static Fault fault(
      Throwable error,
      boolean headersWritten,
      boolean responseStarted,
      boolean resendRefused,
      boolean originAnsweredBefore) {
    Throwable t = cause(error);
    if (resendRefused || (headersWritten && !responseStarted && closedBeforeAnyByte(t))) {
      return originAnsweredBefore ? Fault.STALE_CONNECTION : Fault.NO_RESPONSE;
    }
    if (t instanceof HttpConnectTimeoutException) {
      return Fault.CONNECT_TIMEOUT;
    }
    if (t instanceof HttpTimeoutException) { // not set by the engine; only a user's doing
      return headersWritten ? Fault.FAILED : Fault.CONNECT_TIMEOUT;
    }
    if (t instanceof SSLException && !headersWritten) {
      return Fault.TLS;
    }
    if (t instanceof ConnectException) {
      return t.getMessage() == null || t.getMessage().contains("refused")
          ? Fault.REFUSED
          : Fault.CONNECT_FAILED;
    }
    if (t instanceof NoRouteToHostException
        || t instanceof UnknownHostException
        || t instanceof UnresolvedAddressException) {
      return Fault.CONNECT_FAILED;
    }
    if (t instanceof ProtocolException && !responseStarted) {
      return tooLarge(t) ? Fault.HEAD_TOO_LARGE : Fault.MALFORMED_HEAD;
    }
    if (t instanceof IOException) {
      if (!headersWritten) {
        return Fault.CONNECT_FAILED;
      }
      return responseStarted ? Fault.BODY_CUT : Fault.NO_RESPONSE;
    }
    if (t instanceof CancellationException) {
      return Fault.CLOSED;
    }
    if (t instanceof IllegalArgumentException && responseStarted) {
      return Fault.MALFORMED_HEAD;
    }
    return Fault.FAILED;
  }

  /** The JDK's way of saying "closed before any byte of the response": its resend trigger. */
  private static boolean closedBeforeAnyByte(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getClass().getSimpleName().equals("ConnectionExpiredException")) {
        return true;
      }
    }
    return false;
  }

  private static boolean tooLarge(Throwable t) {
    String m = t.getMessage();
    return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("too big");
  }
}
