package dev.switchboard.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Renders a failure as one line: its type and its message. */
final class Errors {
  private Errors() {}

  /**
   * The failure itself, without {@code CompletionException}/{@code ExecutionException} wrappers.
   */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** {@code ConnectTimeoutException: connect timeout of 2s passed (GET http://… via jdk)}. */
  static String oneLine(Throwable e) {
    Throwable t = unwrap(e);
    String message = t.getMessage();
    String line =
        t.getClass().getSimpleName()
            + (message == null || message.isBlank() ? "" : ": " + message.strip());
    return line.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
