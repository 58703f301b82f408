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
  void closingBeforeTheEndAbortsAndAfterItDoesNot() {
    RecordingUpstream early = new RecordingUpstream();
    StreamedBody open = new StreamedBody(early, Runnable::run, GET, "t", null);
    open.start();
    open.close();
    assertTrue(early.aborted.getMessage().contains("closed before the end"));
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
