package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parts of the layer on their own, on the test's thread: no engine, no timer, no pool. */
class LayerPartsTest {
  private static final Request GET = Request.get("http://127.0.0.1:9/x");

  /** What a stream asked of its exchange. */
  private static final class RecordingUpstream implements StreamedBody.Upstream {
    long requested;
    final List<Boolean> clock = new ArrayList<>();
    TransportException aborted;
    boolean ended;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void readClock(boolean running) {
      clock.add(running);
    }

    @Override
    public void abort(TransportException reason) {
      aborted = reason;
    }

    @Override
    public void ended() {
      ended = true;
    }

    boolean clockRunning() {
      return clock.get(clock.size() - 1);
    }

    /**
     * The engine's reader on the pull path: each read gives the next of {@code pulls} (a byte
     * array, or a failure the engine reports to {@code body} first, as the SPI asks), then -1.
     */
    final java.util.ArrayDeque<Object> pulls = new java.util.ArrayDeque<>();

    StreamedBody body;
    int reads;
    boolean reportsFailures = true;

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      reads++;
      Object next = pulls.poll();
      if (next == null) {
        body.complete();
        return -1;
      }
      if (next instanceof TransportException e) {
        if (reportsFailures) {
          body.fail(e);
        }
        throw new IOException("the engine's own words");
      }
      byte[] bytes = (byte[]) next;
      if (bytes.length > len) {
        pulls.push(java.util.Arrays.copyOfRange(bytes, len, bytes.length));
      }
      int n = Math.min(len, bytes.length);
      System.arraycopy(bytes, 0, b, off, n);
      return n;
    }
  }

  private static StreamedBody pulled(RecordingUpstream up, String encoding, Object... pulls) {
    StreamedBody body = new StreamedBody(up, Runnable::run, GET, "t", encoding);
    up.body = body;
    up.pulls.addAll(List.of(pulls));
    body.start();
    body.pull();
    return body;
  }

  private static ByteBuffer chunk(int n) {
    return ByteBuffer.wrap(new byte[n]);
  }

  @Test
  void aStreamAsksAheadUntilItsWindowIsFullThenWaitsForTheConsumer() throws IOException {
    RecordingUpstream up = new RecordingUpstream();
    StreamedBody body = new StreamedBody(up, Runnable::run, GET, "t", null);
    body.start();
    assertEquals(StreamedBody.AHEAD, up.requested);
    assertTrue(up.clockRunning(), "waiting for the server: the read clock runs");
    int size = 64 * 1024;
    long given = 0;
    while (given < up.requested) { // the engine delivers everything asked for
      body.accept(chunk(size));
      given++;
    }
    long bound = StreamedBody.WINDOW / size + StreamedBody.AHEAD;
    assertTrue(given <= bound, "asked for " + given + " chunks, more than the window allows");
    assertFalse(up.clockRunning(), "nothing asked for: the consumer's time is not silence");
    InputStream in = body.inputStream();
    long before = up.requested;
    int read = 0;
    while (up.requested == before) { // the consumer takes bytes until there is room again
      assertEquals(size, in.readNBytes(size).length);
      read++;
      assertTrue(read <= given, "never asked again");
    }
    assertTrue(given - read < bound, "asked again only once the window had room");
    assertTrue(up.clockRunning());
  }

  @Test
  void theEndAndFailuresReachTheReaderAfterTheBytesBeforeThem() throws IOException {
    RecordingUpstream up = new RecordingUpstream();
    StreamedBody body = new StreamedBody(up, Runnable::run, GET, "t", null);
    body.start();
    body.accept(ByteBuffer.wrap("abc".getBytes()));
    ReadTimeoutException timeout =
        new ReadTimeoutException(java.time.Duration.ofSeconds(1), GET, "t", null);
    body.fail(timeout);
    InputStream in = body.inputStream();
    assertEquals("abc", new String(in.readNBytes(3)));
    IOException e = assertThrows(IOException.class, in::read);
    assertEquals(timeout, e.getCause());
    assertTrue(up.ended);
  }

  @Test
  void oneReadTakesEveryChunkAlreadyThereAndAFailureAfterThemWaitsForTheNextRead()
      throws IOException {
    StreamedBody body = new StreamedBody(new RecordingUpstream(), Runnable::run, GET, "t", null);
    body.start();
    for (int i = 0; i < 8; i++) {
      byte[] b = new byte[8192];
      java.util.Arrays.fill(b, (byte) i);
      body.accept(ByteBuffer.wrap(b));
    }
    body.complete();
    InputStream in = body.inputStream();
    byte[] buffer = new byte[128 * 1024];
    assertEquals(8 * 8192, in.read(buffer), "one read takes every chunk already there");
    assertEquals(7, buffer[8 * 8192 - 1]);
    assertEquals(-1, in.read(buffer));

    RecordingUpstream up = new RecordingUpstream();
    StreamedBody failing = new StreamedBody(up, Runnable::run, GET, "t", null);
    failing.start();
    failing.accept(ByteBuffer.wrap("abc".getBytes()));
    failing.accept(ByteBuffer.wrap("def".getBytes()));
    ReadTimeoutException timeout =
        new ReadTimeoutException(java.time.Duration.ofSeconds(1), GET, "t", null);
    failing.fail(timeout);
    InputStream f = failing.inputStream();
    assertEquals(6, f.read(buffer), "the bytes before the failure");
    assertEquals("abcdef", new String(buffer, 0, 6));
    IOException e = assertThrows(IOException.class, () -> f.read(buffer));
    assertEquals(timeout, e.getCause());
    assertThrows(IOException.class, () -> f.read(buffer), "and at every read after");
  }

  /**
   * Chunks of every size, read in pieces of every size while more arrive: every byte comes out
   * once, in order, whichever arrays the chunks reuse.
   */
  @Test
  void bytesComeOutExactlyWhateverTheChunkAndReadSizes() throws IOException {
    java.util.Random random = new java.util.Random(42);
    StreamedBody body = new StreamedBody(new RecordingUpstream(), Runnable::run, GET, "t", null);
    body.start();
    InputStream in = body.inputStream();
    long given = 0;
    long taken = 0;
    byte[] buffer = new byte[70_000];
    for (int i = 0; i < 2000; i++) {
      int size = 1 + random.nextInt(i % 3 == 0 ? 100 : 20_000);
      byte[] b = new byte[size];
      for (int k = 0; k < size; k++) {
        b[k] = (byte) ((given + k) * 31 + ((given + k) >> 8));
      }
      body.accept(ByteBuffer.wrap(b));
      java.util.Arrays.fill(b, (byte) 0); // the engine reuses its buffer
      given += size;
      while (taken < given && random.nextBoolean()) {
        int want = 1 + random.nextInt((int) Math.min(buffer.length, given - taken));
        int n = in.read(buffer, 0, want);
        assertTrue(n > 0 && n <= want, "read " + n + " of " + want);
        for (int k = 0; k < n; k++) {
          long pos = taken + k;
          assertEquals((byte) (pos * 31 + (pos >> 8)), buffer[k], "byte " + pos);
        }
        taken += n;
      }
    }
    body.complete();
    int n;
    while ((n = in.read(buffer)) > 0) {
      for (int k = 0; k < n; k++) {
        long pos = taken + k;
        assertEquals((byte) (pos * 31 + (pos >> 8)), buffer[k], "byte " + pos);
      }
      taken += n;
    }
    assertEquals(given, taken);
  }

  @Test
  void aPulledBodyIsReadOneEngineReadPerCallWithNoClockBetweenReads() throws IOException {
    RecordingUpstream up = new RecordingUpstream();
    StreamedBody body = pulled(up, null, "abc".getBytes(), "defgh".getBytes());
    assertFalse(up.clockRunning(), "pulled: the clock runs only inside the consumer's reads");
    InputStream in = body.inputStream();
    byte[] buffer = new byte[100];
    assertEquals(3, in.read(buffer), "one engine read per call: a second one could block");
    assertEquals("abc", new String(buffer, 0, 3));
    assertEquals(2, in.read(buffer, 0, 2));
    assertEquals(3, in.read(buffer, 2, 50));
    assertEquals("defgh", new String(buffer, 0, 5));
    assertEquals(-1, in.read(buffer));
    assertEquals(-1, in.read(buffer));
    assertEquals(4, up.reads, "no engine read after the end");
    assertTrue(up.ended);
    assertFalse(up.clockRunning());
  }

  @Test
  void aPulledBodyIsDecodedAndItsFailuresAreTheExchangesOwn() throws IOException {
    byte[] text = "a pulled body, gzip, in pieces ".repeat(200).getBytes();
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(text);
    }
    byte[] all = gz.toByteArray();
    List<Object> pieces = new ArrayList<>();
    for (int i = 0; i < all.length; i += 7) {
      pieces.add(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + 7)));
    }
    RecordingUpstream up = new RecordingUpstream();
    StreamedBody body = pulled(up, "gzip", pieces.toArray());
    assertEquals(new String(text), new String(body.inputStream().readAllBytes()));

    ReadTimeoutException timeout =
        new ReadTimeoutException(java.time.Duration.ofSeconds(1), GET, "t", null);
    RecordingUpstream failing = new RecordingUpstream();
    InputStream in = pulled(failing, null, "abc".getBytes(), timeout).inputStream();
    assertEquals("abc", new String(in.readNBytes(3)));
    IOException e = assertThrows(IOException.class, in::read);
    assertEquals(
        timeout, e.getCause(), "the failure the exchange recorded, not the engine's words");
    assertThrows(IOException.class, in::read, "and at every read after");
    assertEquals(2, failing.reads, "no engine read after a failure");

    RecordingUpstream silent = new RecordingUpstream();
    silent.reportsFailures = false;
    InputStream broken = pulled(silent, null, timeout).inputStream();
    IOException unreported = assertThrows(IOException.class, broken::read);
    MalformedResponseException typed =
        assertInstanceOf(MalformedResponseException.class, unreported.getCause());
    assertTrue(typed.getMessage().contains("without reporting a fault"), typed.getMessage());
    assertEquals(typed, silent.aborted, "an engine that broke the contract is aborted");
  }

  @Test
  void closingBeforeTheEndAbortsAndAfterItDoesNot() {
    RecordingUpstream early = new RecordingUpstream();
    StreamedBody open = new StreamedBody(early, Runnable::run, GET, "t", null);
    open.start();
    InputStream in = open.inputStream();
    open.close();
    assertTrue(early.aborted.getMessage().contains("closed before the end"));
    IOException afterClose = assertThrows(IOException.class, in::read);
    assertEquals("the streaming response is closed", afterClose.getMessage());
    assertNull(afterClose.getCause(), "a read after close() is no decoding failure");
    RecordingUpstream late = new RecordingUpstream();
    StreamedBody done = new StreamedBody(late, Runnable::run, GET, "t", null);
    done.start();
    done.complete();
    done.close();
    assertNull(late.aborted);
    assertTrue(late.ended);
  }

  @Test
  void oneReaderOnly() {
    StreamedBody body = new StreamedBody(new RecordingUpstream(), Runnable::run, GET, "t", null);
    body.inputStream();
    IllegalStateException e = assertThrows(IllegalStateException.class, body::publisher);
    assertTrue(e.getMessage().contains("one reader"), e.getMessage());
  }

  @Test
  void theWireRequestGetsAgentAndEncodingAndGetBodyMode() {
    TransportConfig config = TransportConfig.builder().getWithBody(GetWithBody.AS_POST).build();
    WirePreparation p = new WirePreparation(config, "t", Set.of());
    Request search =
        Request.builder("GET", URI.create("http://127.0.0.1:9/_search")).json(1).build();
    Request wire = p.prepare(search);
    assertEquals("POST", wire.method());
    assertTrue(wire.headers().first("User-Agent").endsWith("(t)"));
    assertEquals("gzip, deflate", wire.headers().first("Accept-Encoding"));
    WirePreparation strict = new WirePreparation(TransportConfig.defaults(), "t", Set.of());
    assertInstanceOf(
        UnsupportedFeatureException.class,
        assertThrows(TransportException.class, () -> strict.prepare(search)));
    TransportException relative =
        assertThrows(TransportException.class, () -> strict.prepare(Request.get(URI.create("/x"))));
    assertTrue(relative.getMessage().contains("ClusterTransport"));
  }
}
