package dev.switchboard.spi;

import dev.switchboard.Headers;
import dev.switchboard.TransportException;
import java.nio.ByteBuffer;

/**
 * Receives the progress of one exchange from its {@link TransportEngine}. Implemented by
 * Switchboard; engines only call it.
 *
 * <p>Every method returns quickly and never throws; it may be called on the library's I/O thread.
 * Calls come in this order, never concurrently: {@link #onConnectionAcquired} (only engines that
 * declare {@link dev.switchboard.Capability#CONNECTION_EVENTS}), {@link #onRequestSent()}, {@link
 * #onResponseHeaders}, {@link #onBody} any number of times, then exactly one of {@link
 * #onComplete()} or an {@code onFailure}. An {@code onFailure} may come at any point instead.
 * {@code onBody} comes only against the demand given through {@link Exchange#request}; the other
 * calls need none. A body taken through {@link #offerBodyReader} comes through that reader instead
 * of {@code onBody}, and {@code onComplete} or {@code onFailure} from inside its {@code read}.
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

  /**
   * The exchange has a connection to send on: a new one, or one {@code reused} from the pool. An
   * engine that declares {@link dev.switchboard.Capability#CONNECTION_EVENTS} calls it once per
   * exchange, before {@link #onRequestSent}; others never do. The default does nothing.
   */
  default void onConnectionAcquired(boolean reused) {}

  /** The status line and headers arrived. Called once. */
  void onResponseHeaders(int status, Headers headers);

  /**
   * A chunk of the body arrived, exactly as it came off the wire (not decompressed), within the
   * demand Switchboard gave through {@link Exchange#request}: one call uses one unit of demand,
   * whatever the chunk's size. The listener copies what it needs before returning; the engine may
   * reuse the buffer afterwards. An empty chunk is allowed and uses a unit too.
   */
  void onBody(ByteBuffer chunk);

  /**
   * Offers the body as a {@link BodyReader} for the consumer's thread to read (the pull path),
   * instead of {@link #onBody} calls against demand. An engine whose library reads blocking may
   * offer one right after {@link #onResponseHeaders} returned, on the same thread, before any
   * {@code onBody}; an engine that pushes never calls this.
   *
   * <p>Returns {@code true} when Switchboard took the reader (a streaming response on its way to a
   * consumer): from then on the body goes through it alone, {@link #onComplete} and {@code
   * onFailure} come from inside {@link BodyReader#read}, and the engine must keep the exchange's
   * slot in its library's limits (a dispatcher's per-host count, say) until the reader has met the
   * end or a failure or the exchange has been aborted, exactly as it would while delivering.
   * Returns {@code false} when it did not (a buffered {@code send}, an error status, a redirect):
   * the engine delivers the body against demand as usual. Once only.
   *
   * <p>The default takes nothing, so that a listener that wraps Switchboard's and does not pass
   * this on leaves the engine on the demand path.
   */
  default boolean offerBodyReader(BodyReader reader) {
    return false;
  }

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
