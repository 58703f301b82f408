package dev.switchboard;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/** Decodes gzip and deflate bodies, never producing more than a limit. */
final class BodyDecoder {
  /** Thrown when decoding would pass the limit. */
  static final class TooLarge extends Exception {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  private BodyDecoder() {}

  /** Whether every coding in {@code contentEncoding} is one this decoder handles. */
  static boolean canDecode(String contentEncoding) {
    for (String c : contentEncoding.split(",")) {
      String coding = c.strip().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip")
          && !coding.equals("x-gzip")
          && !coding.equals("deflate")
          && !coding.equals("identity")) {
        return false;
      }
    }
    return true;
  }

  /** Undoes the codings, last applied first. */
  static byte[] decode(byte[] body, int length, String contentEncoding, long limit)
      throws IOException, TooLarge {
    String[] codings = contentEncoding.split(",");
    byte[] data = body;
    int len = length;
    for (int i = codings.length - 1; i >= 0; i--) {
      String coding = codings[i].strip().toLowerCase(Locale.ROOT);
      switch (coding) {
        case "gzip", "x-gzip" -> data = readAll(new GZIPInputStream(stream(data, len)), limit);
        case "deflate" -> data = inflate(data, len, limit);
        default -> {
          continue;
        }
      }
      len = data.length;
    }
    if (len != data.length) {
      byte[] exact = new byte[len];
      System.arraycopy(data, 0, exact, 0, len);
      return exact;
    }
    return data;
  }

  private static ByteArrayInputStream stream(byte[] data, int len) {
    return new ByteArrayInputStream(data, 0, len);
  }

  /** HTTP "deflate" is zlib-wrapped, but some servers send raw deflate: accept both. */
  private static byte[] inflate(byte[] data, int len, long limit) throws IOException, TooLarge {
    try {
      return inflate(data, len, limit, false);
    } catch (DataFormatException zlibFailed) {
      try {
        return inflate(data, len, limit, true);
      } catch (DataFormatException rawFailed) {
        throw new IOException("body is neither zlib nor raw deflate: " + rawFailed.getMessage());
      }
    }
  }

  private static byte[] inflate(byte[] data, int len, long limit, boolean nowrap)
      throws DataFormatException, TooLarge, IOException {
    Inflater inflater = new Inflater(nowrap);
    try {
      inflater.setInput(data, 0, len);
      Growable out = new Growable(Math.max(64, len * 4), limit);
      byte[] chunk = new byte[16 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0) {
          if (inflater.needsInput() || inflater.needsDictionary()) {
            throw new IOException("deflate body is truncated");
          }
        }
        out.append(chunk, 0, n);
      }
      return out.toArray();
    } finally {
      inflater.end();
    }
  }

  private static byte[] readAll(InputStream in, long limit) throws IOException, TooLarge {
    try (in) {
      Growable out = new Growable(16 * 1024, limit);
      byte[] chunk = new byte[16 * 1024];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        out.append(chunk, 0, n);
      }
      return out.toArray();
    }
  }

  /** A byte buffer that refuses to grow past a limit. */
  static final class Growable {
    private byte[] buf;
    private int size;
    private final long limit;

    Growable(int initial, long limit) {
      this.buf = new byte[(int) Math.max(16, Math.min(initial, Math.min(limit, 1 << 20)))];
      this.limit = limit;
    }

    void append(byte[] src, int off, int n) throws TooLarge {
      ensure(n);
      System.arraycopy(src, off, buf, size, n);
      size += n;
    }

    void append(java.nio.ByteBuffer src) throws TooLarge {
      int n = src.remaining();
      ensure(n);
      src.get(buf, size, n);
      size += n;
    }

    private void ensure(int n) throws TooLarge {
      long needed = (long) size + n;
      if (needed > limit) {
        throw new TooLarge();
      }
      if (needed > buf.length) {
        long grown = Math.max(needed, Math.min((long) buf.length * 2, limit));
        if (grown > Integer.MAX_VALUE - 8) {
          throw new TooLarge();
        }
        buf = java.util.Arrays.copyOf(buf, (int) grown);
      }
    }

    int size() {
      return size;
    }

    byte[] array() {
      return buf;
    }

    byte[] toArray() {
      return size == buf.length ? buf : java.util.Arrays.copyOf(buf, size);
    }
  }
}
