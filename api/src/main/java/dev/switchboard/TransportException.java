package dev.switchboard;

/**
 * The root of every failure Switchboard reports. Unchecked.
 *
 * <p>It carries the {@link #request()} that failed (its {@code toString} and this exception's
 * message show method and URI with credentials redacted), the {@link #transport()} name, and {@link
 * #requestSent()}: {@code false} when nothing could have reached the server, so a retry is safe for
 * any method. When the failure came from the HTTP library underneath, that library's exception is
 * the {@link #getCause() cause}; it never escapes on its own.
 */
public class TransportException extends RuntimeException {
  private final transient Request request;
  private final String transport;
  private final boolean requestSent;

  /**
   * Creates an exception.
   *
   * @param message what went wrong and, where it helps, what to do
   * @param request the request that failed, or {@code null} when there is none (at creation)
   * @param transport the transport's name, or {@code null}
   * @param requestSent whether any of the request may have reached the server
   * @param cause the library's exception, or {@code null}
   */
  public TransportException(
      String message, Request request, String transport, boolean requestSent, Throwable cause) {
    super(message, cause);
    this.request = request;
    this.transport = transport;
    this.requestSent = requestSent;
  }

  /**
   * The failure itself: {@code failure} without the {@link
   * java.util.concurrent.CompletionException} and {@link java.util.concurrent.ExecutionException}
   * wrappers that futures put around it (for {@code exceptionally}, {@code handle} or {@code get}).
   * Returns {@code failure} when it is not such a wrapper or has no cause; {@code null} for {@code
   * null}.
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The request that failed, or {@code null}. Its {@code toString} redacts credentials. */
  public Request request() {
    return request;
  }

  /** The name of the transport ({@code jdk}, {@code apache}, {@code okhttp}…), or {@code null}. */
  public String transport() {
    return transport;
  }

  /**
   * Whether any of the request may have reached the server. {@code false} means it certainly did
   * not, so sending it again is safe whatever the method.
   */
  public boolean requestSent() {
    return requestSent;
  }

  /** The message followed by the redacted method and URI and the transport's name. */
  @Override
  public String getMessage() {
    String base = super.getMessage();
    if (request == null && transport == null) {
      return base;
    }
    StringBuilder sb = new StringBuilder(base == null ? "" : base).append(" (");
    if (request != null) {
      sb.append(request.summary());
      if (transport != null) {
        sb.append(" via ");
      }
    }
    if (transport != null) {
      sb.append(transport);
    }
    return sb.append(')').toString();
  }
}
