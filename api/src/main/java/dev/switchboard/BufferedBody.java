package dev.switchboard;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A response body read whole, for {@code send} (bounded by {@link
 * TransportConfig#maxResponseBytes()}) and for a stream's answer that is not streamed (an error
 * status, whose start is kept, or a redirect to follow); then decoded and mapped to a {@link
 * Response} or an {@link HttpStatusException}.
 */
final class BufferedBody {
  private final BodyDecoder.Growable bytes;
  private final long limit;
  private final boolean keepStart;

  /**
   * @param declared the Content-Length, or -1
   * @param limit the most bytes kept
   * @param keepStart true to keep the first {@code limit} bytes of a longer body ({@link #append}
   *     then says it is full), false to refuse a longer body
   */
  BufferedBody(long declared, long limit, boolean keepStart) {
    this.bytes =
        new BodyDecoder.Growable(declared > 0 ? (int) Math.min(declared, limit) : 8192, limit);
    this.limit = limit;
    this.keepStart = keepStart;
  }

  /**
   * Appends a chunk; returns false when the body is full and the rest is to be dropped (only when
   * keeping the start).
   *
   * @throws BodyDecoder.TooLarge when the body passes the limit and is not to be cut
   */
  boolean append(ByteBuffer chunk) throws BodyDecoder.TooLarge {
    if (keepStart && bytes.size() + (long) chunk.remaining() > limit) {
      ByteBuffer part = chunk.duplicate();
      part.limit(part.position() + (int) (limit - bytes.size()));
      bytes.append(part);
      return false;
    }
    bytes.append(chunk);
    return true;
  }

  /**
   * The response, decoded, or the failure its status or its encoding is.
   *
   * @param compression whether to decode (the configuration's {@code compression})
   */
  Object toOutcome(
      Request wire, int status, Headers headers, String transport, boolean compression, long max) {
    Headers h = headers;
    byte[] body = bytes.size() == 0 ? new byte[0] : bytes.toArray();
    String encoding = h.first("Content-Encoding");
    if (compression && encoding != null && body.length > 0 && BodyDecoder.canDecode(encoding)) {
      try {
        body = BodyDecoder.decode(body, body.length, encoding, max);
      } catch (BodyDecoder.TooLarge e) {
        return new ResponseTooLargeException(max, wire, transport);
      } catch (IOException | RuntimeException e) {
        if (!keepStart) {
          return new MalformedResponseException(
              "the body claims Content-Encoding '" + encoding + "' but cannot be decoded",
              wire,
              transport,
              e);
        }
        h = null; // the start of an error body may be cut mid-stream: keep it as it came
      }
      if (h != null) {
        h = h.toBuilder().remove("Content-Encoding").remove("Content-Length").build();
      } else {
        h = headers;
      }
    } else if (compression && encoding != null && body.length == 0) {
      h = h.toBuilder().remove("Content-Encoding").build();
    }
    Response response = Response.received(wire, status, h, body, transport);
    return wire.accepts(status) ? response : HttpStatusException.of(response);
  }
}
