package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.spi.BodySourceException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming kinds of {@link Body}, their engine views, and the incremental decoders. */
class BodyStreamsTest {
  @TempDir Path dir;

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /** Everything a publisher gives, asking one buffer at a time. */
  private static byte[] drain(Flow.Publisher<ByteBuffer> p) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CompletableFuture<Void> done = new CompletableFuture<>();
    p.subscribe(
        new Flow.Subscriber<>() {
          private Flow.Subscription s;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            s.request(1);
          }

          @Override
          public void onNext(ByteBuffer item) {
            byte[] b = new byte[item.remaining()];
            item.get(b);
            out.writeBytes(b);
            s.request(1);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            done.complete(null);
          }
        });
    done.get(10, TimeUnit.SECONDS);
    return out.toByteArray();
  }

  @Test
  void aFileBodyIsRepeatableAndReadExactlyThroughBothViews() throws Exception {
    byte[] content = random(300_001);
    Path f = Files.write(dir.resolve("up.bin"), content);
    Body b = Body.ofFile(f, "application/octet-stream");
    assertEquals(content.length, b.length());
    assertTrue(b.isRepeatable());
    assertFalse(b.isInMemory());
    try (InputStream in = b.openStream()) {
      assertArrayEquals(content, in.readAllBytes());
    }
    assertArrayEquals(content, drain(b.publisher()));
    assertArrayEquals(content, drain(b.publisher()), "a second attempt reads it again");
    IllegalStateException e = assertThrows(IllegalStateException.class, b::bytes);
    assertTrue(e.getMessage().contains("openStream()"), e.getMessage());
  }

  @Test
  void aMissingFileIsRefusedWhenTheBodyIsMade() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Body.ofFile(dir.resolve("none"), null));
    assertTrue(e.getMessage().contains("readable regular file"), e.getMessage());
  }

  @Test
  void anInputStreamBodyOpensOneStreamPerAttempt() throws Exception {
    byte[] content = random(70_000);
    int[] opened = {0};
    Body b =
        Body.ofInputStream(
            () -> {
              opened[0]++;
              return new ByteArrayInputStream(content);
            },
            -1,
            null);
    assertEquals(-1, b.length());
    assertFalse(b.isEmpty());
    assertArrayEquals(content, drain(b.publisher()));
    try (InputStream in = b.openStream()) {
      assertArrayEquals(content, in.readAllBytes());
    }
    assertEquals(2, opened[0]);
  }

  @Test
  void aSourceShorterOrLongerThanItsDeclaredLengthFails() {
    Body shorter = Body.ofInputStream(() -> new ByteArrayInputStream(new byte[10]), 11, null);
    BodySourceException e =
        assertThrows(BodySourceException.class, () -> shorter.openStream().readAllBytes());
    assertEquals("the body's source ended after 10 of the 11 bytes declared", e.getMessage());
    Body longer = Body.ofInputStream(() -> new ByteArrayInputStream(new byte[12]), 11, null);
    assertThrows(BodySourceException.class, () -> longer.openStream().readAllBytes());
    Exception viaPublisher = assertThrows(Exception.class, () -> drain(shorter.publisher()));
    assertInstanceOf(BodySourceException.class, viaPublisher.getCause());
  }

  @Test
  void aSupplierThatThrowsOrGivesNullIsASourceFailure() {
    Body throwing =
        Body.ofInputStream(
            () -> {
              throw new IllegalStateException("no disk");
            },
            -1,
            null);
    BodySourceException e =
        assertThrows(BodySourceException.class, () -> throwing.openStream().read());
    assertTrue(e.getMessage().contains("no disk"), e.getMessage());
    Body nothing = Body.ofInputStream(() -> null, -1, null);
    assertThrows(BodySourceException.class, () -> nothing.openStream().read());
  }

  @Test
  void aPublisherBodyIsNotRepeatableAndReadsAsAStream() throws Exception {
    SubmissionPublisher<ByteBuffer> p = new SubmissionPublisher<>();
    Body b = Body.ofPublisher(p, 6, "text/plain");
    assertFalse(b.isRepeatable());
    assertTrue(b.claimSend());
    assertFalse(b.claimSend(), "a body sent once cannot be claimed again");
    InputStream in = b.openStream();
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    while (p.getNumberOfSubscribers() == 0) {
      Thread.sleep(5);
    }
    p.submit(ByteBuffer.wrap("abc".getBytes()));
    p.submit(ByteBuffer.wrap("def".getBytes()));
    p.close();
    assertEquals("abcdef", new String(read.get(10, TimeUnit.SECONDS)));
  }

  @Test
  void closingAPublishersStreamWakesAReaderBlockedOnIt() throws Exception {
    SubmissionPublisher<ByteBuffer> p = new SubmissionPublisher<>();
    InputStream in = Body.ofPublisher(p, -1, null).openStream();
    CompletableFuture<Integer> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return in.read();
              } catch (IOException e) {
                return -2;
              }
            });
    while (p.getNumberOfSubscribers() == 0) {
      Thread.sleep(5);
    }
    in.close();
    assertEquals(-2, read.get(10, TimeUnit.SECONDS));
  }

  @Test
  void lengthsBelowMinusOneAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Body.ofInputStream(() -> InputStream.nullInputStream(), -2, null));
  }

  // ---------------------------------------------------------------- incremental decoding

  /** A source giving {@code data} a few bytes per read, with "nothing yet" in between. */
  private static Decoding.Source trickle(byte[] data, int step) {
    return new Decoding.Source() {
      private int pos;
      private boolean pause;

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos == data.length) {
          return -1;
        }
        pause = !pause;
        if (pause) {
          return 0;
        }
        int n = Math.min(Math.min(step, len), data.length - pos);
        System.arraycopy(data, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  private static byte[] decodeAll(Decoding.Source s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[777];
    int n;
    while ((n = s.read(buf, 0, buf.length)) >= 0) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(z)) {
      gz.write(plain);
    }
    return z.toByteArray();
  }

  @Test
  void gzipDecodesWhateverTheSplitAndAcrossMembers() throws Exception {
    byte[] a = "first member ".repeat(5000).getBytes();
    byte[] b = random(100_000);
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.writeBytes(gzip(a));
    both.writeBytes(gzip(b));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(a);
    expected.writeBytes(b);
    for (int step : new int[] {1, 3, 4096}) {
      assertArrayEquals(
          expected.toByteArray(),
          decodeAll(Decoding.of(trickle(both.toByteArray(), step), "gzip")),
          "split every " + step + " bytes");
    }
  }

  @Test
  void deflateAcceptsZlibAndRawDeflate() throws Exception {
    byte[] plain = "deflated ".repeat(10_000).getBytes();
    ByteArrayOutputStream zlib = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(zlib)) {
      d.write(plain);
    }
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(raw, new Deflater(6, true))) {
      d.write(plain);
    }
    assertArrayEquals(plain, decodeAll(Decoding.of(trickle(zlib.toByteArray(), 5), "deflate")));
    assertArrayEquals(plain, decodeAll(Decoding.of(trickle(raw.toByteArray(), 5), "deflate")));
  }

  @Test
  void aTruncatedOrCorruptedGzipBodyFails() throws Exception {
    byte[] z = gzip(random(50_000));
    byte[] cut = java.util.Arrays.copyOf(z, z.length - 3);
    IOException e =
        assertThrows(IOException.class, () -> decodeAll(Decoding.of(trickle(cut, 100), "gzip")));
    assertTrue(e.getMessage().contains("ends too early"), e.getMessage());
    byte[] bad = z.clone();
    bad[bad.length - 6] ^= 0x55; // the CRC
    IOException crc =
        assertThrows(IOException.class, () -> decodeAll(Decoding.of(trickle(bad, 100), "gzip")));
    assertTrue(crc.getMessage().contains("trailer"), crc.getMessage());
    IOException notGzip =
        assertThrows(
            IOException.class,
            () -> decodeAll(Decoding.of(trickle("plain text here".getBytes(), 4), "gzip")));
    assertTrue(notGzip.getMessage().contains("not gzip"), notGzip.getMessage());
  }

  @Test
  void anEmptyGzipBodyIsEmpty() throws Exception {
    assertEquals(0, decodeAll(Decoding.of(trickle(new byte[0], 1), "gzip")).length);
  }
}
