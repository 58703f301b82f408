package dev.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps the streaming runner ({@link Stream}) compiling and honest, not measuring: every case on
 * every transport moves a few MiB up and down with the checksums checked at both ends, in this JVM
 * against an in-JVM server; no speed or heap figure is asserted (a loaded CI box and a shared test
 * JVM make them meaningless here).
 */
class StreamSmokeTest {
  @ParameterizedTest
  @ValueSource(strings = {"jdk", "apache", "okhttp"})
  void everyCaseMovesTheWholeBodyWithTheRightChecksum(String transport) throws Exception {
    long size = 3 * 1024 * 1024 + 12345; // not a whole number of blocks
    Stream.Options options =
        Stream.Options.parse(
            "transport=" + transport, "size=" + size, "rounds=1", "warmup=64k", "server=inproc");
    List<Stream.Run> runs = Stream.run(options, true);
    assertEquals(Stream.ALL_CASES.size(), runs.size());
    for (Stream.Run r : runs) {
      assertTrue(r.ok(), r.toString());
      assertEquals(size, r.bytes());
      assertTrue(r.nanos() > 0, r.toString());
    }
    String table = Stream.table(runs);
    assertEquals(2 + Stream.ALL_CASES.size(), table.lines().count(), table);
  }

  /** The apache-only references: HC5 raw, its bodies streamed off its I/O thread. */
  @Test
  void rawApacheStreamedOffItsIoThreadMovesTheWholeBodies() throws Exception {
    long size = 3 * 1024 * 1024 + 12345;
    Stream.Options options =
        Stream.Options.parse(
            "transport=apache",
            "size=" + size,
            "rounds=1",
            "warmup=64k",
            "server=inproc",
            "cases=up-raw-stream,down-raw-stream");
    List<Stream.Run> runs = Stream.run(options, true);
    assertEquals(2, runs.size());
    for (Stream.Run r : runs) {
      assertTrue(r.ok(), r.toString());
      assertEquals(size, r.bytes());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Stream.Options.parse("transport=jdk", "cases=down-raw-stream"));
    assertTrue(e.getMessage().contains("for apache"), e.getMessage());
  }

  @Test
  void theSourceThePublisherAndTheChecksumAgree() throws Exception {
    long size = 5 * StreamData.BLOCK + 7;
    long expected = StreamData.checksum(size);
    assertArrayEquals(new long[] {size, expected}, Stream.drain(StreamData.source(size)));

    CRC32C crc = new CRC32C();
    CompletableFuture<Long> done = new CompletableFuture<>();
    StreamData.publisher(size)
        .subscribe(
            new Flow.Subscriber<ByteBuffer>() {
              private long count;

              @Override
              public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
              }

              @Override
              public void onNext(ByteBuffer item) {
                count += item.remaining();
                crc.update(item);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onComplete() {
                done.complete(count);
              }
            });
    assertEquals(size, done.get(10, TimeUnit.SECONDS));
    assertEquals(expected, crc.getValue());
  }

  @Test
  void aReorderedOrShortBodyChangesTheChecksum() {
    long size = 4L * StreamData.BLOCK;
    byte[] whole = new byte[(int) size];
    StreamData.fill(0, whole, 0, whole.length);
    byte[] swapped = whole.clone();
    System.arraycopy(whole, 0, swapped, StreamData.BLOCK, StreamData.BLOCK);
    System.arraycopy(whole, StreamData.BLOCK, swapped, 0, StreamData.BLOCK);
    CRC32C a = new CRC32C();
    a.update(whole);
    CRC32C b = new CRC32C();
    b.update(swapped);
    assertEquals(StreamData.checksum(size), a.getValue());
    assertTrue(a.getValue() != b.getValue(), "two blocks swapped must change the checksum");
    assertTrue(StreamData.checksum(size - 1) != StreamData.checksum(size));
  }

  @Test
  void sizesParse() {
    assertEquals(1L << 30, Stream.parseSize("1g"));
    assertEquals(64L << 20, Stream.parseSize("64M"));
    assertEquals(123, Stream.parseSize("123"));
    assertThrows(IllegalArgumentException.class, () -> Stream.Options.parse("cases=up-sideways"));
  }
}
