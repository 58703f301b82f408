package dev.switchboard.opensearch;

import dev.switchboard.Body;
import jakarta.json.stream.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.NdJsonpSerializable;
import org.opensearch.client.transport.GenericSerializable;

/**
 * The body of an endpoint's request, written as the client's own transports write it: JSON through
 * the {@link JsonpMapper}, newline-delimited JSON for a bulk, or what a {@link GenericSerializable}
 * writes with the content type it names.
 *
 * <p>A bulk of up to {@link #BUFFERED_NDJSON_LIMIT} bytes is sent from memory with its length; a
 * larger one is streamed ({@code Transfer-Encoding: chunked}), serialized item by item as the
 * transport reads it, so its size never sits in memory. Both are repeatable: a failover or a
 * stale-connection resend serializes the request again.
 */
final class RequestBodies {
  /** A bulk larger than this is streamed instead of sent from memory. */
  static final int BUFFERED_NDJSON_LIMIT = 64 * 1024;

  static final String JSON = "application/json";
  static final String NDJSON = "application/x-ndjson";

  private RequestBodies() {}

  static Body of(Object request, JsonpMapper mapper) {
    if (request instanceof NdJsonpSerializable bulk) {
      return ndjson(bulk, mapper);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (request instanceof GenericSerializable generic) {
      String contentType = generic.serialize(out);
      return Body.of(out.toByteArray(), contentType);
    }
    JsonGenerator generator = mapper.jsonProvider().createGenerator(out);
    mapper.serialize(request, generator);
    generator.close();
    return Body.of(out.toByteArray(), JSON);
  }

  private static Body ndjson(NdJsonpSerializable bulk, JsonpMapper mapper) {
    byte[] head = new byte[BUFFERED_NDJSON_LIMIT + 1];
    int size = 0;
    try (InputStream in = new NdjsonStream(bulk, mapper)) {
      for (int n; size < head.length && (n = in.read(head, size, head.length - size)) > 0; ) {
        size += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // NdjsonStream does not throw it
    }
    if (size <= BUFFERED_NDJSON_LIMIT) {
      byte[] bytes = java.util.Arrays.copyOf(head, size);
      return Body.of(bytes, NDJSON);
    }
    return Body.ofInputStream(() -> new NdjsonStream(bulk, mapper), -1, NDJSON);
  }
}
