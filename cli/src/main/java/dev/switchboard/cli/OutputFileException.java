package dev.switchboard.cli;

import java.nio.file.Path;

/**
 * {@code --output FILE} cannot be written: its directory is missing or not writable, it is a
 * directory, or writing failed on the way (a full disk). The response, if any, was abandoned.
 */
final class OutputFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  OutputFileException(Path file, String message, Throwable cause) {
    super("cannot write " + file + ": " + message, cause);
    this.file = file;
  }

  /** The file that could not be written. */
  Path file() {
    return file;
  }
}
