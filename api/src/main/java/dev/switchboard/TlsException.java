package dev.switchboard;

/**
 * The TLS handshake failed: an untrusted or expired certificate, a certificate for another host
 * name, or no protocol or cipher in common. Nothing of the request was sent.
 */
public class TlsException extends ConnectionException {
  /** Creates an exception; see {@link TransportException}. */
  public TlsException(String message, Request request, String transport, Throwable cause) {
    super(message, request, transport, cause);
  }
}
