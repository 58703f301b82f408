package dev.switchboard.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadBufferTest {

  @Test
  void aThreadReusesItsBufferAndGrowsItOnlyForALargerBody() throws Exception {
    AtomicReference<AssertionError> failed = new AtomicReference<>();
    Thread t = // a fresh thread: no buffer yet
        new Thread(
            () -> {
              try {
                ByteBuffer small = OkHttpExchange.readBuffer(207);
                assertEquals(207, small.capacity(), "no larger than a small body");
                small.put((byte) 1);
                ByteBuffer again = OkHttpExchange.readBuffer(100);
                assertSame(small, again, "reused for a body that fits");
                assertEquals(0, again.position(), "handed out cleared");
                assertEquals(again.capacity(), again.remaining());
                ByteBuffer larger = OkHttpExchange.readBuffer(5_000);
                assertNotSame(small, larger);
                assertEquals(5_000, larger.capacity());
                assertEquals(16 * 1024, OkHttpExchange.readBuffer(-1).capacity(), "unknown length");
                assertEquals(16 * 1024, OkHttpExchange.readBuffer(10_000_000).capacity());
                assertTrue(OkHttpExchange.readBuffer(0).capacity() > 0, "never empty");
              } catch (AssertionError e) {
                failed.set(e);
              }
            });
    t.start();
    t.join();
    if (failed.get() != null) {
      throw failed.get();
    }
  }

  @Test
  void anEmptyBodyStillGetsRoomToReadTheEnd() throws Exception {
    AtomicReference<ByteBuffer> seen = new AtomicReference<>();
    Thread t = new Thread(() -> seen.set(OkHttpExchange.readBuffer(0)));
    t.start();
    t.join();
    assertEquals(1, seen.get().capacity());
  }
}
