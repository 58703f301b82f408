package dev.switchboard.spi;

import java.io.IOException;

/**
 * A response body that the consumer's own thread reads from the library: the pull path, offered
 * through {@link ExchangeListener#offerBodyReader} by an engine whose library reads blocking (an
 * {@code InputStream} or Okio {@code Source} over a socket). Reading on the consumer's thread
 * spares the hand-off of every chunk from the engine's thread to the consumer's, which on a busy
 * machine costs more than the read itself; an engine that pushes (an event loop) does not offer
 * one.
 *
 * <p>Once Switchboard has taken a reader, the exchange's body goes only through it: the engine
 * makes no {@link ExchangeListener#onBody} call and ignores {@link Exchange#request}. Switchboard
 * calls {@link #read} from one thread at a time (not always the same one), and only while its
 * consumer wants bytes, so that the connection is read no further ahead than the consumer; it runs
 * the read timeout around each call and {@linkplain Exchange#abort() aborts} the exchange when it
 * passes.
 */
public interface BodyReader {
  /**
   * Reads up to {@code len} bytes of the body, exactly as they come off the wire (not
   * decompressed), into {@code b} from {@code off}, blocking until at least one byte is there, the
   * body has ended or the read failed. {@code len} is at least 1.
   *
   * <ul>
   *   <li>Returns the number of bytes read, at least 1.
   *   <li>At the end of the body: releases the connection (back to the pool when the library can
   *       reuse it), calls {@link ExchangeListener#onComplete()}, then returns -1 (and -1 again on
   *       any later call).
   *   <li>On a failure: releases the connection, reports it through {@link
   *       ExchangeListener#onFailure(Fault, Throwable)} as the fault it is (a body cut short is
   *       {@link Fault#BODY_CUT}) and then throws an {@code IOException}. After {@link
   *       Exchange#abort()} it reports nothing and throws.
   * </ul>
   *
   * <p>{@link Exchange#abort()}, from any thread, must make a blocked {@code read} return promptly
   * (by closing the connection under it); an interrupt of the reading thread need not.
   *
   * @throws IOException when the body could not be read
   */
  int read(byte[] b, int off, int len) throws IOException;
}
