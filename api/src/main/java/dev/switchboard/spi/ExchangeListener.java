package dev.switchboard.spi;

import dev.switchboard.Headers;
import dev.switchboard.TransportException;
import java.nio.ByteBuffer;

/**
 * Receives the progress of one exchange from its {@link TransportEngine}. Implemented by
 * Switchboard; engines only call it.
 *
 * <p>Every method returns quickly and never throws; it may be called on the library's I/O thread.
 * Calls come in this order, never concurrently: {@link #onRequestSent()}, {@link
 * #onResponseHeaders}, {@link #onBody} any number of times, then exactly one of {@link
 * #onComplete()} or {@link #onFailure}. {@code onFailure} may come at any point instead.
 */
public interface ExchangeListener {
  /**
   * The request has been written (or handed to the connection, when the library gives no later
   * hook). The response timeout runs from here to {@link #onResponseHeaders}.
   */
  void onRequestSent();

  /** The status line and headers arrived. Called once. */
  void onResponseHeaders(int status, Headers headers);

  /**
   * A chunk of the body arrived, exactly as it came off the wire (not decompressed). The listener
   * copies what it needs before returning; the engine may reuse the buffer afterwards.
   */
  void onBody(ByteBuffer chunk);

  /** The body ended normally. */
  void onComplete();

  /**
   * The exchange failed; {@code failure} is already mapped onto the error model, with the library's
   * exception as its cause.
   */
  void onFailure(TransportException failure);
}
