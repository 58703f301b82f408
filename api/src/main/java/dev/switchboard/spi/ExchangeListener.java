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
 * #onComplete()} or an {@code onFailure}. An {@code onFailure} may come at any point instead.
 * {@code onBody} comes only against the demand given through {@link Exchange#request}; the other
 * calls need none.
 *
 * <p>A failure whose cause chain holds a {@link BodySourceException} (the request body's own source
 * failed) is reported as that, whatever {@link Fault} the engine chose.
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
   * A chunk of the body arrived, exactly as it came off the wire (not decompressed), within the
   * demand Switchboard gave through {@link Exchange#request}: one call uses one unit of demand,
   * whatever the chunk's size. The listener copies what it needs before returning; the engine may
   * reuse the buffer afterwards. An empty chunk is allowed and uses a unit too.
   */
  void onBody(ByteBuffer chunk);

  /** The body ended normally. */
  void onComplete();

  /**
   * The exchange failed with {@code fault}; {@code cause} is the library's exception (or {@code
   * null}). Switchboard builds the typed exception, its message and {@code requestSent()} from
   * these, so the same failure reads the same on every transport. This is how an engine reports
   * what happened on the wire.
   */
  void onFailure(Fault fault, Throwable cause);

  /**
   * The exchange failed with an exception the engine built itself: only for what no {@link Fault}
   * describes, such as an {@link dev.switchboard.UnsupportedFeatureException} for a request the
   * library cannot send. Wire failures go to {@link #onFailure(Fault, Throwable)}.
   */
  void onFailure(TransportException failure);
}
