package dev.switchboard.examples.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * The body of a {@code _bulk} request, written one document at a time as it is read: an action line
 * and a source line per document, never more than one document in memory.
 */
final class NdjsonStream extends InputStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Iterator<BulkDocument> documents;
  private final AutoCloseable onClose;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
  private byte[] current = new byte[0];
  private int position;
  private long count;
  private boolean closed;

  NdjsonStream(Iterator<BulkDocument> documents, AutoCloseable onClose) {
    this.documents = documents;
    this.onClose = onClose;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("the bulk body was closed");
    }
    if (len == 0) {
      return 0;
    }
    int done = 0;
    while (done < len) {
      if (position == current.length && !next()) {
        break;
      }
      int n = Math.min(len - done, current.length - position);
      System.arraycopy(current, position, b, off + done, n);
      position += n;
      done += n;
    }
    return done == 0 ? -1 : done;
  }

  /** Writes the next document's two lines; {@code false} when there is none. */
  private boolean next() throws IOException {
    if (!documents.hasNext()) {
      return false;
    }
    BulkDocument d = documents.next();
    if (d == null) {
      throw new IOException("document " + count + " of the bulk load is null");
    }
    line.reset();
    Map<String, Object> action =
        d.id() == null ? Map.of() : Map.of("_id", d.id()); // the index is in the URL
    JSON.writeValue(line, Map.of("index", action));
    line.write('\n');
    JSON.writeValue(line, d.source()); // compact: never a raw newline inside
    line.write('\n');
    current = line.toByteArray();
    position = 0;
    count++;
    return true;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (onClose != null) {
      try {
        onClose.close();
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(e);
      }
    }
  }
}
