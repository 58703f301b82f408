package dev.switchboard.apache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;

/**
 * Writes a request body straight from its bytes (no copy), whatever the method, with a {@code
 * Content-Length}; the Content-Type is already among the request's headers. Reports when the last
 * byte has been handed to the connection.
 *
 * <p>Not repeatable: transports never resend, and this keeps a caller's client that still has
 * automatic retries from resending a request with a body.
 */
final class BodyProducer implements AsyncEntityProducer {
  private final ByteBuffer content;
  private final Runnable written;
  private boolean ended;

  BodyProducer(ByteBuffer content, Runnable written) {
    this.content = content;
    this.written = written;
  }

  @Override
  public void produce(DataStreamChannel channel) throws IOException {
    if (ended) {
      return;
    }
    if (content.hasRemaining()) {
      channel.write(content);
    }
    if (!content.hasRemaining()) {
      ended = true;
      channel.endStream();
      written.run();
    }
  }

  @Override
  public int available() {
    return content.remaining();
  }

  @Override
  public long getContentLength() {
    return content.capacity();
  }

  @Override
  public String getContentType() {
    return null;
  }

  @Override
  public String getContentEncoding() {
    return null;
  }

  @Override
  public boolean isChunked() {
    return false;
  }

  @Override
  public Set<String> getTrailerNames() {
    return null;
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public void failed(Exception cause) {
    // the exchange reports the failure
  }

  @Override
  public void releaseResources() {
    // nothing held
  }
}
