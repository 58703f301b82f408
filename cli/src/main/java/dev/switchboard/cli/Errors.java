package dev.switchboard.cli;

import dev.switchboard.TransportException;

/** Renders a failure as one line: its type and its message. */
final class Errors {
  private Errors() {}

  /** {@code ConnectTimeoutException: connect timeout of 2s passed (GET http://… via jdk)}. */
  static String oneLine(Throwable e) {
    Throwable t = TransportException.unwrap(e);
    String message = t.getMessage();
    String line =
        t.getClass().getSimpleName()
            + (message == null || message.isBlank() ? "" : ": " + message.strip());
    return line.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
