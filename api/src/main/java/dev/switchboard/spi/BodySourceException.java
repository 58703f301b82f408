package dev.switchboard.spi;

import java.io.IOException;

/**
 * The source of a request body failed: the user's {@code InputStream} or {@code Flow.Publisher}
 * threw, a file could not be read, or the source gave fewer or more bytes than the body's declared
 * length. Thrown by the streams and publishers of {@link dev.switchboard.Body}; an engine passes it
 * on as the cause of its failure, wherever its library wraps it, and Switchboard reports it as a
 * failure of the request body rather than of the connection (never a stale connection, never
 * resent).
 */
public class BodySourceException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, caused by {@code cause} (may be null). */
  public BodySourceException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Returns the first {@code BodySourceException} in {@code t}'s cause chain, or null. */
  public static BodySourceException find(Throwable t) {
    for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
      if (t instanceof BodySourceException b) {
        return b;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof BodySourceException b) {
          return b;
        }
      }
    }
    return null;
  }
}
