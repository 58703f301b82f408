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
import java.util.List;
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

  /**
   * The read that completes the declared length returns only once the source has ended there: a
   * source that fails at its end (or gives more) hands over none of those bytes.
   */
  @Test
  void theReadThatCompletesTheDeclaredLengthWaitsForTheSourcesEnd() throws Exception {
    Body failsAtItsEnd =
        Body.ofInputStream(
            () ->
                new InputStream() {
                  private int given;

                  @Override
                  public int read() throws IOException {
                    if (given == 10) {
                      throw new IOException("trailing checksum mismatch");
                    }
                    given++;
                    return 'x';
                  }
                },
            10,
            null);
    InputStream in = failsAtItsEnd.openStream();
    byte[] buffer = new byte[100];
    BodySourceException e = assertThrows(BodySourceException.class, () -> in.read(buffer));
    assertTrue(e.getMessage().contains("trailing checksum mismatch"), e.getMessage());
    InputStream longer =
        Body.ofInputStream(() -> new ByteArrayInputStream(new byte[11]), 10, null).openStream();
    BodySourceException more =
        assertThrows(BodySourceException.class, () -> longer.read(new byte[10]));
    assertEquals(
        "the body's source gave more than the 10 bytes its length declares", more.getMessage());
    InputStream exact =
        Body.ofInputStream(() -> new ByteArrayInputStream(new byte[10]), 10, null).openStream();
    assertEquals(10, exact.read(new byte[10]));
    assertEquals(-1, exact.read());
  }

  /**
   * A publisher body's item that completes the declared length is passed on only with the source's
   * {@code onComplete}, and never when the source fails instead; a source that needs demand to find
   * its end still gets it.
   */
  @Test
  void aPublishersLastItemWaitsForItsEnd() throws Exception {
    assertEquals(
        List.of("abc", "def", "complete"),
        events(Body.ofPublisher(new Scripted(null, false), 6, null)));
    assertEquals(
        List.of("abc", "error: the body's publisher failed: java.io.IOException: lost"),
        events(Body.ofPublisher(new Scripted(new IOException("lost"), false), 6, null)));
    assertEquals(
        List.of("abc", "def", "complete"),
        events(Body.ofPublisher(new Scripted(null, true), 6, null)));
    assertEquals(
        List.of("abc", "def", "complete"),
        events(Body.ofPublisher(new Scripted(null, false), -1, null)),
        "unknown length: nothing to hold");
  }

  /** What a subscriber asking one item at a time sees of {@code body.publisher()}. */
  private static List<String> events(Body body) throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    body.publisher()
        .subscribe(
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
                seen.add(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
                s.request(1);
              }

              @Override
              public void onError(Throwable t) {
                seen.add("error: " + t.getMessage());
                done.complete(null);
              }

              @Override
              public void onComplete() {
                seen.add("complete");
                done.complete(null);
              }
            });
    done.get(10, TimeUnit.SECONDS);
    return seen;
  }

  /**
   * Gives "abc" and "def" against demand, then ends with {@code failure} (or completes), at once
   * after the last item or, when {@code endNeedsDemand}, only at the next request.
   */
  private static final class Scripted implements Flow.Publisher<ByteBuffer> {
    private final Throwable failure;
    private final boolean endNeedsDemand;

    Scripted(Throwable failure, boolean endNeedsDemand) {
      this.failure = failure;
      this.endNeedsDemand = endNeedsDemand;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
      java.util.Deque<String> items = new java.util.ArrayDeque<>(List.of("abc", "def"));
      s.onSubscribe(
          new Flow.Subscription() {
            private boolean ended;

            @Override
            public synchronized void request(long n) {
              for (long i = 0; i < n && !items.isEmpty(); i++) {
                s.onNext(ByteBuffer.wrap(items.poll().getBytes()));
                if (items.isEmpty() && !endNeedsDemand) {
                  end();
                  return;
                }
              }
              if (items.isEmpty()) {
                end();
              }
            }

            private void end() {
              if (ended) {
                return;
              }
              ended = true;
              if (failure == null) {
                s.onComplete();
              } else {
                s.onError(failure);
              }
            }

            @Override
            public void cancel() {}
          });
    }
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
