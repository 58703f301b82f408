package dev.switchboard;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A response whose body is read as it arrives, never held whole in memory: from {@link
 * Transport#stream(Request)} (when the headers arrived) or {@link Transport#openStream(Request)}.
 *
 * <p>Read the body through <em>one</em> of {@link #body()} (a blocking {@link InputStream}) or
 * {@link #publisher()} (a {@link Flow.Publisher} for a single subscriber); asking for the second
 * throws {@link IllegalStateException}. The body is decoded from gzip or deflate as it streams
 * (when compression is on), so {@link #headers()} carry no {@code Content-Encoding} then.
 *
 * <p>Back-pressure: the transport reads no further ahead of the consumer than a bounded window
 * (about 256 KiB of the body as it came off the wire), so a slow consumer slows the server rather
 * than filling memory. The read timeout counts only the server's silence while the transport is
 * waiting for bytes, never the time the consumer takes. The request timeout, when set, covers the
 * whole body.
 *
 * <p>Where the transport's library reads blocking (okhttp), the consumer's own thread reads the
 * body from the library's source, with no thread between (the pull path of {@link
 * dev.switchboard.spi.BodyReader}): {@code read()} then blocks in the socket read itself, which the
 * read timeout, {@link #close()} and the transport's {@code close()} end, an interrupt does not;
 * and the publisher's callback thread reads the socket while its subscriber's demand is outstanding
 * (it blocks for the server's silence, bounded by the read timeout: with a callback executor of
 * your own, size it for the streams you read this way). The window above is then the library's own
 * buffer (one Okio segment, 8 KiB). Other transports deliver into the window from their I/O thread.
 *
 * <p>A failure while the body is read surfaces from {@code read()} as an {@link
 * java.io.IOException} whose cause is the typed {@link TransportException} ({@link
 * ReadTimeoutException}, {@link MalformedResponseException}, ...), and from the publisher as {@code
 * onError} with the typed exception itself.
 *
 * <p>{@link #close()} releases the exchange: after the whole body was read the connection goes back
 * to the pool; before, the exchange is aborted and its connection closed. Always close it
 * (try-with-resources); closing is idempotent and also ends a publisher's subscription. A body that
 * is not read and not closed holds its connection until the read timeout, which does not run while
 * the window is full, so an abandoned stream holds its connection until the transport is closed.
 */
public final class StreamingResponse implements AutoCloseable {
  private final Request request;
  private final int status;
  private final Headers headers;
  private final String transport;
  private final StreamedBody body;

  StreamingResponse(
      Request request, int status, Headers headers, String transport, StreamedBody body) {
    this.request = request;
    this.status = status;
    this.headers = headers;
    this.transport = transport;
    this.body = Objects.requireNonNull(body, "body");
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** The headers (without Content-Encoding when the body is decoded as it streams). */
  public Headers headers() {
    return headers;
  }

  /** The first value of header {@code name}, or {@code null}. */
  public String header(String name) {
    return headers.first(name);
  }

  /** The request that was sent last (after redirects, GET-body mode and interceptors). */
  public Request request() {
    return request;
  }

  /** The name of the transport that received it. */
  public String transport() {
    return transport;
  }

  /**
   * The body as a blocking stream, decoded. {@code read} blocks until bytes arrive, the body ends
   * (-1) or the exchange fails (an {@link java.io.IOException} whose cause is the typed {@link
   * TransportException}). Closing the stream closes this response.
   *
   * @throws IllegalStateException when {@link #publisher()} was asked for
   */
  public InputStream body() {
    return body.inputStream();
  }

  /**
   * The body as a publisher of decoded, read-only buffers, for one subscriber; its signals come on
   * the transport's callback executor, never on an I/O thread (on the pull path that thread reads
   * the socket too; see above). The subscriber may keep the buffers. Cancelling the subscription
   * closes this response. A failure is {@code onError} with the typed {@link TransportException}.
   *
   * @throws IllegalStateException when {@link #body()} was asked for
   */
  public Flow.Publisher<ByteBuffer> publisher() {
    return body.publisher();
  }

  /**
   * Releases the exchange: returns the connection after a fully read body, aborts the exchange
   * (closing its connection) before that. Idempotent; never throws.
   */
  @Override
  public void close() {
    body.close();
  }

  @Override
  public String toString() {
    return "StreamingResponse[" + status + " " + request.summary() + " via " + transport + "]";
  }
}
