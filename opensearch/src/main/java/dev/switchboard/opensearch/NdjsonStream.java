package dev.switchboard.opensearch;

import jakarta.json.stream.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.NdJsonpSerializable;

/**
 * The newline-delimited JSON of a {@link NdJsonpSerializable} request (a bulk), serialized one item
 * at a time as the stream is read: memory stays at one item whatever the request's size. Nested
 * serializables (an operation that is itself several lines) are written in place, as the client's
 * own transports write them.
 */
final class NdjsonStream extends InputStream {
  private final JsonpMapper mapper;

  /** The serializables being written, innermost first, each with what is left of its items. */
  private final Deque<Level> levels = new ArrayDeque<>();

  private final Chunk chunk = new Chunk();
  private int position;

  NdjsonStream(NdJsonpSerializable root, JsonpMapper mapper) {
    this.mapper = mapper;
    levels.push(new Level(root));
  }

  @Override
  public int read() {
    if (!fill()) {
      return -1;
    }
    return chunk.bytes()[position++] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) {
    if (length == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(length, chunk.size() - position);
    System.arraycopy(chunk.bytes(), position, into, offset, n);
    position += n;
    return n;
  }

  /** Makes sure unread bytes are in the chunk; false at the end. */
  private boolean fill() {
    while (position == chunk.size()) {
      Object next = nextItem();
      if (next == null) {
        return false;
      }
      chunk.reset();
      position = 0;
      JsonGenerator generator = mapper.jsonProvider().createGenerator(chunk);
      mapper.serialize(next, generator);
      generator.close();
      chunk.write('\n');
    }
    return true;
  }

  private Object nextItem() {
    while (!levels.isEmpty()) {
      Level top = levels.peek();
      if (!top.items.hasNext()) {
        levels.pop();
        continue;
      }
      Object item = top.items.next();
      // an operation lists itself as its first line (its header): written, not entered again
      if (item instanceof NdJsonpSerializable nested && item != top.owner) {
        levels.push(new Level(nested));
        continue;
      }
      return item;
    }
    return null;
  }

  private static final class Level {
    final NdJsonpSerializable owner;
    final Iterator<?> items;

    Level(NdJsonpSerializable owner) {
      this.owner = owner;
      this.items = owner._serializables();
    }
  }

  /** A buffer whose bytes are read in place, and which a closed generator leaves open. */
  private static final class Chunk extends ByteArrayOutputStream {
    Chunk() {
      super(1024);
    }

    byte[] bytes() {
      return buf;
    }

    @Override
    public void close() {
      // the generator closes its output after each item; the chunk is reused
    }
  }
}
