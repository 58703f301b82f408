package dev.switchboard.bench;

import java.net.URI;

/**
 * One way of sending a GET: a library used raw, or the same library through Switchboard. Every
 * implementation reads the whole body and fails on a status other than 200.
 */
interface Client extends AutoCloseable {
  /** Told once when a request sent with {@link #send} has ended. */
  @FunctionalInterface
  interface Done {
    /**
     * @param error {@code null} on success
     */
    void done(Throwable error);
  }

  /** Sends a GET to {@code uri} and returns at once; {@code done} is told when it has ended. */
  void send(URI uri, Done done);

  /** Sends a GET to {@code uri} and waits for it; returns the body's length. */
  int call(URI uri) throws Exception;

  /** Sends a GET to {@code uri}, waits, and returns the body as the caller would get it. */
  byte[] bytes(URI uri) throws Exception;

  /** Sends a GET to {@code uri}, waits, and returns the body read as JSON into a {@code Map}. */
  Object json(URI uri) throws Exception;

  @Override
  void close();
}
