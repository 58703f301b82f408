package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.spi.BodySourceException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming through the apache engine against a server on 127.0.0.1: request bodies from a file, an
 * {@code InputStream} of known and unknown length and a {@code Flow.Publisher}, framed as their
 * length says; a download read slowly that holds the server back; {@code close()} mid-body; a body
 * source that fails.
 */
class ApacheStreamingTest {
  private static final int UPLOAD = 3 * 1024 * 1024 + 17; // several of the publisher's chunks

  private static Transport apache(TransportConfig.Builder config) {
    return Transports.create(config.provider("apache").build());
  }

  private static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = StreamServer.patternAt(i);
    }
    return b;
  }

  /** Answers every request with the number of body bytes it received. */
  private static StreamServer echoLength() throws IOException {
    return new StreamServer(
        (r, socket, out) -> {
          byte[] text = Integer.toString(r.body().length).getBytes(StandardCharsets.US_ASCII);
          out.write(StreamServer.head(200, text.length));
          out.write(text);
          return true;
        });
  }

  private static void assertSentWithLength(StreamServer.Received r, byte[] expected) {
    assertFalse(r.chunked(), r.head());
    assertEquals(Long.toString(expected.length), r.header("Content-Length"), r.head());
    assertArrayEquals(expected, r.body());
  }

  @Test
  void uploadsAFileWithItsLength(@TempDir Path dir) throws Exception {
    byte[] bytes = pattern(UPLOAD);
    Path file = dir.resolve("upload.bin");
    Files.write(file, bytes);
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder())) {
      Response r =
          t.execute(Request.post(server.url("/file"), Body.ofFile(file, "application/x-ndjson")));
      assertEquals(Integer.toString(UPLOAD), r.text());
      StreamServer.Received got = server.requests.get(0);
      assertSentWithLength(got, bytes);
      assertEquals("application/x-ndjson", got.header("Content-Type"));
    }
  }

  @Test
  void uploadsAnInputStreamOfKnownLengthWithContentLengthAndOfUnknownLengthChunked()
      throws Exception {
    byte[] bytes = pattern(UPLOAD);
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder())) {
      t.execute(
          Request.post(
              server.url("/known"),
              Body.ofInputStream(() -> new ByteArrayInputStream(bytes), bytes.length, null)));
      t.execute(
          Request.post(
              server.url("/unknown"),
              Body.ofInputStream(() -> new ByteArrayInputStream(bytes), -1, null)));
      assertSentWithLength(server.requests.get(0), bytes);
      StreamServer.Received chunked = server.requests.get(1);
      assertTrue(chunked.chunked(), chunked.head());
      assertNull(chunked.header("Content-Length"), chunked.head());
      assertArrayEquals(bytes, chunked.body());
    }
  }

  @Test
  void sendsAGetWithAStreamingBodyIntact() throws Exception {
    byte[] bytes = pattern(200_000);
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder())) {
      t.execute(
          Request.builder("GET", java.net.URI.create(server.url("/_search")))
              .body(
                  Body.ofInputStream(
                      () -> new ByteArrayInputStream(bytes), bytes.length, "application/json"))
              .build());
      StreamServer.Received got = server.requests.get(0);
      assertTrue(got.requestLine().startsWith("GET /_search "), got.head());
      assertSentWithLength(got, bytes);
    }
  }

  /**
   * A publisher that emits {@code count} buffers of {@code size} bytes of the pattern, strictly on
   * demand, on the thread that asks (so inside the engine's own calls): the synchronous case.
   */
  private static Flow.Publisher<ByteBuffer> patternPublisher(int count, int size) {
    return subscriber ->
        subscriber.onSubscribe(
            new Flow.Subscription() {
              private long demand;
              private int sent;
              private boolean emitting;
              private boolean done;

              @Override
              public synchronized void request(long n) {
                demand += n;
                if (emitting) {
                  return; // the loop below goes on: no recursion
                }
                emitting = true;
                while (demand > 0 && sent < count && !done) {
                  demand--;
                  byte[] b = new byte[size];
                  for (int i = 0; i < size; i++) {
                    b[i] = StreamServer.patternAt((long) sent * size + i);
                  }
                  sent++;
                  subscriber.onNext(ByteBuffer.wrap(b));
                }
                if (sent == count && !done) {
                  done = true;
                  subscriber.onComplete();
                }
                emitting = false;
              }

              @Override
              public synchronized void cancel() {
                done = true;
              }
            });
  }

  @Test
  void uploadsAPublisherWithItsLengthOrChunked() throws Exception {
    int count = 100;
    int size = 10_000;
    byte[] bytes = pattern(count * size);
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder())) {
      t.execute(
          Request.post(
              server.url("/known"),
              Body.ofPublisher(patternPublisher(count, size), bytes.length, null)));
      t.execute(
          Request.post(
              server.url("/unknown"), Body.ofPublisher(patternPublisher(count, size), -1, null)));
      assertSentWithLength(server.requests.get(0), bytes);
      assertTrue(server.requests.get(1).chunked(), server.requests.get(1).head());
      assertArrayEquals(bytes, server.requests.get(1).body());
    }
  }

  /**
   * A source that has given every byte of its declared length but signals its end late: the server
   * must not get the whole request before the end is known, because HC5 stops asking for output
   * once it has read a final response, and the request's end would then never be written (a hang,
   * before the engine held the last byte back). Here the end comes when the server has answered, or
   * after a second: the request completes, and the server answered after the end.
   */
  @Test
  void aSourceThatEndsLateStillCompletesTheRequest() throws Exception {
    byte[] bytes = pattern(64 * 1024 + 3);
    AtomicReference<CountDownLatch> answered = new AtomicReference<>();
    try (StreamServer server =
            new StreamServer(
                (r, socket, out) -> {
                  byte[] text =
                      Integer.toString(r.body().length).getBytes(StandardCharsets.US_ASCII);
                  out.write(StreamServer.head(200, text.length));
                  out.write(text);
                  out.flush();
                  answered.get().countDown();
                  return true;
                });
        Transport t = apache(TransportConfig.builder())) {
      for (int round = 0; round < 2; round++) { // the connection serves the next request too
        answered.set(new CountDownLatch(1));
        LateEnd source = new LateEnd(bytes, answered.get(), null);
        Response r =
            t.send(Request.post(server.url("/late"), Body.ofPublisher(source, bytes.length, null)))
                .get(20, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals(Integer.toString(bytes.length), r.text());
        assertTrue(source.ended, "the source had ended when the response came");
        assertFalse(source.answeredBeforeTheEnd, "the server answered before the source's end");
        assertSentWithLength(server.requests.get(round), bytes);
      }
      assertEquals(1, server.connections.get(), "connections");
    }
  }

  /**
   * A source that fails after giving every byte of its declared length: the request fails naming
   * the source, and the server never had the whole request (it would have acted on a request the
   * caller was told had failed, and may send again).
   */
  @Test
  void aSourceThatFailsAfterItsLastByteNeverCompletesTheRequestAtTheServer() throws Exception {
    byte[] bytes = pattern(64 * 1024 + 3);
    CountDownLatch answered = new CountDownLatch(1);
    try (StreamServer server =
            new StreamServer(
                (r, socket, out) -> {
                  out.write(StreamServer.head(200, 2));
                  out.write("ok".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  answered.countDown();
                  return true;
                });
        Transport t = apache(TransportConfig.builder())) {
      LateEnd source = new LateEnd(bytes, answered, new IOException("the disk went away"));
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  t.send(
                          Request.post(
                              server.url("/late"), Body.ofPublisher(source, bytes.length, null)))
                      .get(20, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof TransportException, String.valueOf(e.getCause()));
      assertTrue(
          e.getCause().getMessage().contains("could not be read from its source"),
          e.getCause().getMessage());
      assertNotNull(BodySourceException.find(e.getCause()), "the source's failure in the chain");
      assertEquals(0, server.requests.size(), "whole requests the server received");
    }
  }

  /**
   * Gives all its bytes at the first demand, and its end only once {@code answered} is counted down
   * or a second has passed, on a thread of its own: {@code onError(failure)}, or {@code onComplete}
   * when {@code failure} is null.
   */
  private static final class LateEnd implements Flow.Publisher<ByteBuffer> {
    private final byte[] bytes;
    private final CountDownLatch answered;
    private final Throwable failure;
    volatile boolean ended;
    volatile boolean answeredBeforeTheEnd;

    LateEnd(byte[] bytes, CountDownLatch answered, Throwable failure) {
      this.bytes = bytes;
      this.answered = answered;
      this.failure = failure;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      AtomicBoolean sent = new AtomicBoolean();
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              if (!sent.compareAndSet(false, true)) {
                return;
              }
              subscriber.onNext(ByteBuffer.wrap(bytes));
              Thread late = new Thread(() -> end(subscriber), "late-end");
              late.setDaemon(true);
              late.start();
            }

            @Override
            public void cancel() {}
          });
    }

    private void end(Flow.Subscriber<? super ByteBuffer> subscriber) {
      try {
        answeredBeforeTheEnd = answered.await(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ended = true;
      if (failure == null) {
        subscriber.onComplete();
      } else {
        subscriber.onError(failure);
      }
    }
  }

  /**
   * A slow consumer holds the server back: the server's blocking writes stop far below the body's
   * size while the consumer pauses (what HC5, the socket buffers and the api's window hold), and
   * the whole body arrives intact once the consumer reads on.
   */
  @Test
  void aSlowConsumerHoldsTheServerBack() throws Exception {
    long size = 64L * 1024 * 1024;
    AtomicLong serverWrote = new AtomicLong();
    try (StreamServer server =
            new StreamServer(
                (r, socket, out) -> {
                  socket.setSendBufferSize(64 * 1024);
                  out.write(StreamServer.head(200, size));
                  byte[] block = new byte[16 * 1024];
                  for (long pos = 0; pos < size; pos += block.length) {
                    for (int i = 0; i < block.length; i++) {
                      block[i] = StreamServer.patternAt(pos + i);
                    }
                    out.write(block); // blocks while the client reads nothing
                    serverWrote.addAndGet(block.length);
                  }
                  return true;
                });
        Transport t = apache(TransportConfig.builder().readTimeout(Duration.ofMinutes(2)))) {
      StreamingResponse response =
          t.stream(Request.get(server.url("/big"))).get(60, TimeUnit.SECONDS);
      try (InputStream body = response.body()) {
        byte[] buf = new byte[64 * 1024];
        long read = readFully(body, buf, 1024 * 1024, 0); // a first MiB, then the consumer pauses
        long stalled = waitUntilStable(serverWrote, Duration.ofSeconds(60));
        assertTrue(
            stalled < size / 4,
            "the server wrote " + stalled + " of " + size + " bytes while the consumer paused");
        read = readFully(body, buf, size - read, read);
        assertEquals(size, read);
        assertEquals(-1, body.read());
      }
    }
  }

  /** Reads {@code n} bytes, checking each against the pattern from {@code position}. */
  private static long readFully(InputStream in, byte[] buf, long n, long position)
      throws IOException {
    long end = position + n;
    while (position < end) {
      int got = in.read(buf, 0, (int) Math.min(buf.length, end - position));
      if (got < 0) {
        break;
      }
      for (int i = 0; i < got; i++) {
        if (buf[i] != StreamServer.patternAt(position + i)) {
          throw new AssertionError("byte " + (position + i) + " differs");
        }
      }
      position += got;
    }
    return position;
  }

  /** Waits until {@code counter} has not moved for a second; returns its value then. */
  private static long waitUntilStable(AtomicLong counter, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    long last = counter.get();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long now = counter.get();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  @Test
  void closingMidBodyFreesTheConnectionAndTheTransportStaysUsable() throws Exception {
    long size = 64L * 1024 * 1024;
    try (StreamServer server =
            new StreamServer(
                (r, socket, out) -> {
                  if (r.requestLine().startsWith("GET /small")) {
                    out.write(StreamServer.head(200, 2));
                    out.write("ok".getBytes(StandardCharsets.US_ASCII));
                    return true;
                  }
                  out.write(StreamServer.head(200, size));
                  byte[] block = new byte[16 * 1024];
                  for (long pos = 0; pos < size; pos += block.length) {
                    out.write(block);
                  }
                  return true;
                });
        // one connection per host: the next request needs the one the stream held
        Transport t = apache(TransportConfig.builder().maxConnectionsPerHost(1))) {
      for (int i = 0; i < 3; i++) {
        StreamingResponse response =
            t.stream(Request.get(server.url("/big"))).get(60, TimeUnit.SECONDS);
        InputStream body = response.body();
        assertEquals(100_000, body.readNBytes(100_000).length);
        response.close();
        assertThrows(IOException.class, body::read);
      }
      Response small = t.send(Request.get(server.url("/small"))).get(60, TimeUnit.SECONDS);
      assertEquals("ok", small.text());
    }
  }

  @Test
  void aFailingInputStreamFailsTheRequestNamingTheBodysSource() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    java.util.function.Supplier<InputStream> failing =
        () ->
            new InputStream() {
              private int given;

              @Override
              public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
              }

              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                if (given >= 300_000) {
                  throw new IOException("disk unplugged");
                }
                int n = Math.min(len, 300_000 - given);
                given += n;
                return n;
              }

              @Override
              public void close() {
                closed.set(true);
              }
            };
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder())) {
      for (long length : new long[] {-1, 1_000_000}) {
        closed.set(false);
        TransportException e =
            assertThrows(
                TransportException.class,
                () ->
                    t.execute(
                        Request.post(
                            server.url("/fails"), Body.ofInputStream(failing, length, null))));
        assertTrue(e.getMessage().contains("request body"), e.getMessage());
        assertTrue(e.getMessage().contains("source"), e.getMessage());
        BodySourceException source = BodySourceException.find(e);
        assertNotNull(source, "the source's failure in the cause chain");
        Throwable user = source;
        while (user != null && !"disk unplugged".equals(user.getMessage())) {
          user = user.getCause();
        }
        assertNotNull(user, "the user's own exception in the cause chain");
        assertTrue(closed.get(), "the body's stream was closed");
      }
      // the transport goes on
      assertEquals("2", t.execute(Request.post(server.url("/ok"), Body.of("ok", null))).text());
    }
  }

  @Test
  void anUploadCutShortByTheDeadlineClosesItsSource() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return 'x';
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            try {
              Thread.sleep(20); // a slow source: the upload outlives the deadline
            } catch (InterruptedException e) {
              throw new java.io.InterruptedIOException();
            }
            int n = Math.min(len, 1024);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            return n;
          }

          @Override
          public void close() {
            closed.set(true);
          }
        };
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder())) {
      assertThrows(
          RequestTimeoutException.class,
          () ->
              t.execute(
                  Request.builder("POST", java.net.URI.create(server.url("/slow")))
                      .body(Body.ofInputStream(() -> endless, -1, null))
                      .requestTimeout(Duration.ofMillis(500))
                      .build()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!closed.get() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(closed.get(), "the body's stream was closed after the exchange was aborted");
      assertEquals("2", t.execute(Request.post(server.url("/ok"), Body.of("ok", null))).text());
    }
  }

  @Test
  void downloadsThroughThePublisherOneBufferAtATime() throws Exception {
    int size = 5 * 1024 * 1024 + 3;
    try (StreamServer server =
            new StreamServer(
                (r, socket, out) -> {
                  out.write(StreamServer.head(200, size));
                  out.write(pattern(size));
                  return true;
                });
        Transport t = apache(TransportConfig.builder())) {
      StreamingResponse response =
          t.stream(Request.get(server.url("/pub"))).get(60, TimeUnit.SECONDS);
      java.util.concurrent.CompletableFuture<Long> done =
          new java.util.concurrent.CompletableFuture<>();
      response
          .publisher()
          .subscribe(
              new Flow.Subscriber<>() {
                private Flow.Subscription subscription;
                private long position;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscription = s;
                  s.request(1);
                }

                @Override
                public void onNext(ByteBuffer item) {
                  while (item.hasRemaining()) {
                    if (item.get() != StreamServer.patternAt(position++)) {
                      done.completeExceptionally(
                          new AssertionError("byte " + (position - 1) + " differs"));
                      subscription.cancel();
                      return;
                    }
                  }
                  subscription.request(1);
                }

                @Override
                public void onError(Throwable e) {
                  done.completeExceptionally(e);
                }

                @Override
                public void onComplete() {
                  done.complete(position);
                }
              });
      assertEquals(size, done.get(60, TimeUnit.SECONDS));
    }
  }

  /**
   * A source that gives fewer or more bytes than the length declared fails the request (a body that
   * does not match its Content-Length is never sent as if it did), and the transport goes on.
   */
  @Test
  void aStreamShorterOrLongerThanItsDeclaredLengthFailsTheRequest() throws Exception {
    try (StreamServer server = echoLength();
        Transport t = apache(TransportConfig.builder().responseTimeout(Duration.ofSeconds(20)))) {
      for (int given : new int[] {300_000, 1_300_000}) {
        byte[] bytes = pattern(given);
        TransportException e =
            assertThrows(
                TransportException.class,
                () ->
                    t.execute(
                        Request.post(
                            server.url("/wrong-length"),
                            Body.ofInputStream(
                                () -> new ByteArrayInputStream(bytes), 1_000_000, null))));
        assertNotNull(BodySourceException.find(e), e.toString());
        assertTrue(e.getMessage().contains("1000000"), e.getMessage());
      }
      assertEquals("2", t.execute(Request.post(server.url("/ok"), Body.of("ok", null))).text());
    }
  }
}
