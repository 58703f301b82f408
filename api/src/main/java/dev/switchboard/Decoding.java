package dev.switchboard;

import java.io.IOException;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Incremental decoding of a streaming body (gzip, deflate), fed as the raw bytes arrive, never
 * waiting for more than what is there: the decoder behind {@link StreamingResponse}.
 */
final class Decoding {
  private Decoding() {}

  /** A non-blocking source of bytes. */
  interface Source {
    /**
     * Reads up to {@code len} bytes: returns how many (more than 0), 0 when none are there yet, or
     * -1 at the end.
     *
     * @throws IOException when the bytes cannot be decoded or end too early
     */
    int read(byte[] b, int off, int len) throws IOException;

    /** Frees what the source holds (an {@link Inflater}'s native memory). */
    default void close() {}
  }

  /**
   * {@code raw} decoded from every coding in {@code contentEncoding}, last applied first, or {@code
   * raw} itself when there is none ({@code identity} only).
   */
  static Source of(Source raw, String contentEncoding) {
    Source s = raw;
    String[] codings = contentEncoding.split(",");
    for (int i = codings.length - 1; i >= 0; i--) {
      String coding = codings[i].strip().toLowerCase(Locale.ROOT);
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        s = new Inflating(s, true);
      } else if (coding.equals("deflate")) {
        s = new Inflating(s, false);
      }
    }
    return s;
  }

  /** gzip (RFC 1952, members in a row) or HTTP deflate (zlib, or raw deflate as some send). */
  private static final class Inflating implements Source {
    private static final int HEADER = 0;
    private static final int BODY = 1;
    private static final int TRAILER = 2;
    private static final int BETWEEN = 3;
    private static final int DONE = 4;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int FHCRC = 2;

    private final Source up;
    private final boolean gzip;
    private final byte[] in = new byte[16 * 1024];
    private int inPos;
    private int inLim;
    private boolean upEnded;
    private Inflater inflater;
    private final CRC32 crc = new CRC32();
    private long memberBytes;
    private int state = HEADER;
    // the fixed part of a gzip header (10 bytes), of deflate's 2-byte zlib check, or a trailer
    private final byte[] fixed = new byte[10];
    private int fixedCount;
    private int headerStep; // gzip: 0 fixed, 1 xlen, 2 extra, 3 name, 4 comment, 5 hcrc, 6 done
    private int skip;

    Inflating(Source up, boolean gzip) {
      this.up = up;
      this.gzip = gzip;
    }

    /** Fills the input window when it is empty: true when bytes are there, false to wait. */
    private boolean fill() throws IOException {
      if (inPos < inLim) {
        return true;
      }
      if (upEnded) {
        return false;
      }
      int n = up.read(in, 0, in.length);
      if (n < 0) {
        upEnded = true;
        return false;
      }
      inPos = 0;
      inLim = n;
      return n > 0;
    }

    /** The next input byte, -1 when none is there yet (or at the end: see upEnded). */
    private int next() throws IOException {
      if (!fill()) {
        return -1;
      }
      return in[inPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (true) {
        switch (state) {
          case HEADER -> {
            if (!(gzip ? gzipHeader() : zlibCheck())) {
              return waitOrEnd(fixedCount == 0 && headerStep == 0);
            }
            startMember();
          }
          case BODY -> {
            int n = inflate(b, off, len);
            if (n != 0) {
              return n;
            }
            if (state == BODY) {
              return 0; // waiting for input
            }
          }
          case TRAILER -> {
            while (fixedCount < 8) {
              int c = next();
              if (c < 0) {
                return waitOrEnd(false);
              }
              fixed[fixedCount++] = (byte) c;
            }
            checkTrailer();
            state = BETWEEN;
            fixedCount = 0;
          }
          case BETWEEN -> {
            int c = next();
            if (c < 0) {
              if (upEnded) {
                state = DONE;
                return -1;
              }
              return 0;
            }
            if (c != 0x1f) { // not another member: what follows is ignored, as GZIPInputStream does
              state = DONE;
              return -1;
            }
            fixed[0] = (byte) c;
            fixedCount = 1;
            headerStep = 0;
            state = HEADER;
          }
          default -> {
            return -1;
          }
        }
      }
    }

    /** 0 to wait for bytes; at the upstream's end, -1 where that is a clean end, else throws. */
    private int waitOrEnd(boolean cleanEndHere) throws IOException {
      if (!upEnded) {
        return 0;
      }
      if (cleanEndHere) {
        state = DONE;
        return -1;
      }
      throw new IOException("the " + (gzip ? "gzip" : "deflate") + " body ends too early");
    }

    private boolean zlibCheck() throws IOException {
      while (fixedCount < 2) {
        int c = next();
        if (c < 0) {
          return false;
        }
        fixed[fixedCount++] = (byte) c;
      }
      int cmf = fixed[0] & 0xff;
      int flg = fixed[1] & 0xff;
      boolean zlib = (cmf & 0x0f) == 8 && ((cmf << 8) | flg) % 31 == 0;
      inflater = new Inflater(!zlib);
      inflater.setInput(fixed, 0, 2);
      return true;
    }

    private boolean gzipHeader() throws IOException {
      while (true) {
        switch (headerStep) {
          case 0 -> {
            while (fixedCount < 10) {
              int c = next();
              if (c < 0) {
                return false;
              }
              fixed[fixedCount++] = (byte) c;
            }
            if ((fixed[0] & 0xff) != 0x1f || (fixed[1] & 0xff) != 0x8b || fixed[2] != 8) {
              throw new IOException("the body is not gzip (no gzip header)");
            }
            headerStep = 1;
            skip = 0;
          }
          case 1 -> {
            if ((fixed[3] & FEXTRA) == 0) {
              headerStep = 3;
              continue;
            }
            while (skip < 2) { // reads the 2-byte length, little-endian, into fixedCount's place
              int c = next();
              if (c < 0) {
                return false;
              }
              fixedCount = skip == 0 ? c : fixedCount | (c << 8);
              skip++;
            }
            skip = fixedCount;
            headerStep = 2;
          }
          case 2 -> {
            while (skip > 0) {
              if (next() < 0) {
                return false;
              }
              skip--;
            }
            headerStep = 3;
          }
          case 3, 4 -> {
            int flag = headerStep == 3 ? FNAME : FCOMMENT;
            if ((fixed[3] & flag) != 0) {
              while (true) {
                int c = next();
                if (c < 0) {
                  return false;
                }
                if (c == 0) {
                  break;
                }
              }
            }
            headerStep++;
            skip = 2;
          }
          case 5 -> {
            if ((fixed[3] & FHCRC) != 0) {
              while (skip > 0) {
                if (next() < 0) {
                  return false;
                }
                skip--;
              }
            }
            headerStep = 6;
            return true;
          }
          default -> {
            return true;
          }
        }
      }
    }

    private void startMember() {
      if (gzip) {
        if (inflater == null) {
          inflater = new Inflater(true);
        } else {
          inflater.reset();
        }
        crc.reset();
        memberBytes = 0;
      }
      fixedCount = 0;
      state = BODY;
    }

    private int inflate(byte[] b, int off, int len) throws IOException {
      while (true) {
        int n;
        try {
          n = inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
          throw new IOException(
              "the " + (gzip ? "gzip" : "deflate") + " body is corrupt: " + e.getMessage(), e);
        }
        if (n > 0) {
          if (gzip) {
            crc.update(b, off, n);
            memberBytes += n;
          }
          return n;
        }
        if (inflater.finished()) {
          inPos = inLim - inflater.getRemaining(); // what follows the deflate data
          if (gzip) {
            state = TRAILER;
            fixedCount = 0;
          } else {
            state = DONE;
          }
          return 0;
        }
        if (inflater.needsDictionary()) {
          throw new IOException("the deflate body needs a preset dictionary, which HTTP never has");
        }
        if (!fill()) {
          if (upEnded) {
            throw new IOException("the " + (gzip ? "gzip" : "deflate") + " body ends too early");
          }
          return 0;
        }
        inflater.setInput(in, inPos, inLim - inPos);
        inPos = inLim;
      }
    }

    private void checkTrailer() throws IOException {
      long expectedCrc = le32(0);
      long expectedSize = le32(4);
      if (expectedCrc != crc.getValue() || expectedSize != (memberBytes & 0xffffffffL)) {
        throw new IOException("the gzip body is corrupt (its trailer does not match the data)");
      }
    }

    private long le32(int at) {
      return (fixed[at] & 0xffL)
          | (fixed[at + 1] & 0xffL) << 8
          | (fixed[at + 2] & 0xffL) << 16
          | (fixed[at + 3] & 0xffL) << 24;
    }

    @Override
    public void close() {
      if (inflater != null) {
        inflater.end();
      }
      up.close();
    }
  }
}
