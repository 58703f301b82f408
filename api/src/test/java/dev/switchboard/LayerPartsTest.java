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
