package dev.switchboard;

/**
 * The transport cannot do what was asked. Thrown by {@link Transports#create(TransportConfig)} for
 * an option it cannot honour, or as the failure of a request it cannot send faithfully; the message
 * says what to do instead. Nothing was sent.
 */
public class UnsupportedFeatureException extends TransportException {
  /** Creates an exception; {@code request} is {@code null} at creation time. */
  public UnsupportedFeatureException(String message, Request request, String transport) {
    super(message, request, transport, false, null);
  }

  /** Creates an exception with the library's own refusal as cause. */
  public UnsupportedFeatureException(
      String message, Request request, String transport, Throwable cause) {
    super(message, request, transport, false, cause);
  }
}
