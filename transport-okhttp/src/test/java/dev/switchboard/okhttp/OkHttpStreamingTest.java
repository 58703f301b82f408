package dev.switchboard.okhttp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.RequestTimeoutException;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.spi.BodySourceException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Streaming both ways on OkHttp: request bodies from their sources, response bodies on demand. */
@Timeout(120)
class OkHttpStreamingTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

  /** What an upload server received: the request's head and its body (de-chunked). */
  record Received(RawServer.RawRequest head, byte[] body) {}

  /** A transport that lets one call at a time reach the server: a held place shows as a wait. */
  private static Transport oneCallAtATime() {
    return transport(TransportConfig.builder().maxConnectionsPerHost(1).maxConnections(1));
  }

  private static Transport transport(TransportConfig.Builder config) {
    return Transports.create(config.provider("okhttp").build());
  }

  private static byte[] data(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Reads every request (Content-Length or chunked), answers 200 with the body's length. */
  private static RawServer uploadServer(List<Received> received) throws IOException {
    return new RawServer(
        c -> {
          RawServer.RawRequest r;
          while ((r = c.read()) != null) {
            byte[] body =
                "chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))
                    ? readChunked(c.in)
                    : r.body();
            received.add(new Received(r, body));
            c.respond(200, "", String.valueOf(body.length).getBytes(StandardCharsets.UTF_8));
          }
        });
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (; ; ) {
      String line = line(in);
      int semicolon = line.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? line : line.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return out.toByteArray();
      }
      out.write(in.readNBytes(size));
      line(in); // the CRLF after the chunk
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    if (c == -1 && sb.length() == 0) {
      throw new IOException("end of stream in a chunked body");
    }
    return sb.toString();
  }

  private static Response post(Transport t, RawServer server, Body body) throws Exception {
    return t.send(Request.post(server.uri("/upload"), body)).get(60, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ uploads

  @Test
  void fileUploadArrivesWithContentLength(@TempDir Path dir) throws Exception {
    byte[] bytes = data(3 * 1024 * 1024 + 17, 1);
    Path file = dir.resolve("upload.bin");
    Files.write(file, bytes);
    List<Received> received = new CopyOnWriteArrayList<>();
    try (RawServer server = uploadServer(received);
        Transport t = transport(TransportConfig.builder())) {
      Response r = post(t, server, Body.ofFile(file, "application/octet-stream"));
      assertEquals(200, r.status());
      Received got = received.get(0);
      assertEquals(String.valueOf(bytes.length), got.head().header("Content-Length"));
      assertNull(got.head().header("Transfer-Encoding"));
      assertEquals("application/octet-stream", got.head().header("Content-Type"));
      assertArrayEquals(bytes, got.body());
    }
  }

  @Test
  void inputStreamOfKnownLengthGoesWithContentLengthAndIsClosed() throws Exception {
    byte[] bytes = data(1024 * 1024 + 5, 2);
    AtomicInteger closed = new AtomicInteger();
    List<Received> received = new CopyOnWriteArrayList<>();
    try (RawServer server = uploadServer(received);
        Transport t = transport(TransportConfig.builder())) {
      Body body = Body.ofInputStream(() -> closeCounting(bytes, closed), bytes.length, "x/y");
      assertEquals(200, post(t, server, body).status());
      Received got = received.get(0);
      assertEquals(String.valueOf(bytes.length), got.head().header("Content-Length"));
      assertNull(got.head().header("Transfer-Encoding"));
      assertArrayEquals(bytes, got.body());
      assertEquals(1, closed.get(), "the stream the engine opened is closed once sent");
    }
  }

  @Test
  void inputStreamOfUnknownLengthGoesChunked() throws Exception {
    byte[] bytes = data(2 * 1024 * 1024 + 3, 3);
    AtomicInteger closed = new AtomicInteger();
    List<Received> received = new CopyOnWriteArrayList<>();
    try (RawServer server = uploadServer(received);
        Transport t = transport(TransportConfig.builder())) {
      Body body = Body.ofInputStream(() -> closeCounting(bytes, closed), -1, "x/y");
      assertEquals(200, post(t, server, body).status());
      Received got = received.get(0);
      assertEquals("chunked", got.head().header("Transfer-Encoding"));
      assertNull(got.head().header("Content-Length"));
      assertArrayEquals(bytes, got.body());
      assertEquals(1, closed.get());
    }
  }

  @Test
  void publisherArrivesChunkedOrWithItsLength() throws Exception {
    List<byte[]> parts = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 40; i++) {
      byte[] part = data(10_000 + i * 997, 100 + i);
      parts.add(part);
      all.write(part);
    }
    byte[] bytes = all.toByteArray();
    List<Received> received = new CopyOnWriteArrayList<>();
    try (RawServer server = uploadServer(received);
        Transport t = transport(TransportConfig.builder())) {
      Body unknown = Body.ofPublisher(HttpRequest.BodyPublishers.ofByteArrays(parts), -1, "x/y");
      assertEquals(200, post(t, server, unknown).status());
      Body known =
          Body.ofPublisher(HttpRequest.BodyPublishers.ofByteArrays(parts), bytes.length, "x/y");
      assertEquals(200, post(t, server, known).status());
      assertEquals("chunked", received.get(0).head().header("Transfer-Encoding"));
      assertArrayEquals(bytes, received.get(0).body());
      assertEquals(String.valueOf(bytes.length), received.get(1).head().header("Content-Length"));
      assertArrayEquals(bytes, received.get(1).body());
    }
  }

  @Test
  void failingInputStreamFailsTypedNamingTheBodySourceAndTheTransportGoesOn() throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    try (RawServer server = uploadServer(received);
        Transport t = transport(TransportConfig.builder().maxConnectionsPerHost(1))) {
      Body body =
          Body.ofInputStream(
              () ->
                  new InputStream() {
                    private int given;

                    @Override
                    public int read() throws IOException {
                      if (given++ < 100_000) {
                        return 'a';
                      }
                      throw new IOException("disk on fire");
                    }
                  },
              200_000,
              "text/plain");
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> t.send(Request.post(server.uri("/up"), body)).get(60, TimeUnit.SECONDS));
      TransportException te = assertInstanceOf(TransportException.class, e.getCause());
      assertTrue(te.getMessage().contains("request body"), te.getMessage());
      assertTrue(te.getMessage().contains("disk on fire"), te.getMessage());
      assertNotNull(BodySourceException.find(te), "the source's failure stays in the chain");
      // the half-written connection is not reused: the next request gets a clean one
      Response r = post(t, server, Body.of(HELLO, "text/plain"));
      assertEquals(200, r.status());
      assertArrayEquals(HELLO, received.get(received.size() - 1).body());
      assertEquals(2, server.connections.get(), "a new connection for the next request");
    }
  }

  @Test
  void abortDuringStalledUploadClosesTheSourceAndFreesTheThread() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    CountDownLatch readReturned = new CountDownLatch(1);
    CountDownLatch stalled = new CountDownLatch(1);
    List<Received> received = new CopyOnWriteArrayList<>();
    try (RawServer server = uploadServer(received);
        Transport t = transport(TransportConfig.builder().maxConnectionsPerHost(1))) {
      InputStream stalling =
          new InputStream() {
            private int given;

            @Override
            public int read() throws IOException {
              if (given < 1000) {
                given++;
                return 'a';
              }
              stalled.countDown();
              try {
                closed.await(); // a source that never gives more, until closed
                throw new IOException("closed while reading");
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
              } finally {
                readReturned.countDown();
              }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (len == 0) {
                return 0;
              }
              b[off] = (byte) read();
              return 1;
            }

            @Override
            public void close() {
              closed.countDown();
            }
          };
      Request request =
          Request.builder("POST", server.uri("/up"))
              .body(Body.ofInputStream(() -> stalling, 1_000_000, "text/plain"))
              .requestTimeout(Duration.ofSeconds(1))
              .build();
      CompletableFuture<Response> f = t.send(request);
      assertTrue(stalled.await(30, TimeUnit.SECONDS), "the engine reads the source");
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
      assertInstanceOf(RequestTimeoutException.class, e.getCause());
      assertTrue(closed.await(10, TimeUnit.SECONDS), "abort closes the stream the engine opened");
      assertTrue(
          readReturned.await(10, TimeUnit.SECONDS), "the writing thread is not left blocked");
      // the only per-host slot is free again
      assertEquals(200, post(t, server, Body.of(HELLO, "text/plain")).status());
    }
  }

  private static InputStream closeCounting(byte[] bytes, AtomicInteger closed) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
  }

  // ------------------------------------------------------------------ downloads

  private static final int BIG = 64 * 1024 * 1024;

  /** The byte at {@code i} of the big body. */
  private static byte at(long i) {
    return (byte) (i * 31 + (i >>> 13));
  }

  /**
   * Answers {@code /big} with {@link #BIG} bytes, counting in {@code written} what its blocking
   * writes have handed to the socket, and anything else with "hello".
   */
  private static RawServer bigServer(AtomicLong written) throws IOException {
    return new RawServer(
        c -> {
          c.socket.setSendBufferSize(64 * 1024);
          RawServer.RawRequest r;
          while ((r = c.read()) != null) {
            if (!r.target().equals("/big")) {
              c.respond(200, "", HELLO);
              continue;
            }
            OutputStream out = c.out;
            out.write(
                ("HTTP/1.1 200 X\r\nContent-Length: " + BIG + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[32 * 1024];
            for (long sent = 0; sent < BIG; sent += block.length) {
              for (int i = 0; i < block.length; i++) {
                block[i] = at(sent + i);
              }
              out.write(block);
              written.addAndGet(block.length);
            }
            out.flush();
          }
        });
  }

  /** Waits until {@code written} has not moved for 600 ms, and returns it. */
  private static long settled(AtomicLong written) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long last = written.get();
    while (System.nanoTime() < deadline) {
      Thread.sleep(600);
      long now = written.get();
      if (now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  @Test
  void slowConsumerHoldsTheServerBack() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawServer server = bigServer(written);
        Transport t = transport(TransportConfig.builder())) {
      StreamingResponse r = t.stream(Request.get(server.uri("/big"))).get(30, TimeUnit.SECONDS);
      try (r;
          InputStream in = r.body()) {
        byte[] first = in.readNBytes(1000);
        for (int i = 0; i < first.length; i++) {
          assertEquals(at(i), first[i]);
        }
        // the consumer pauses: the server's writes must block well below the body's size
        long held = settled(written);
        assertTrue(
            held < BIG / 4,
            "the server wrote " + held + " of " + BIG + " bytes while the consumer paused");
        // then reads slowly to the end, byte-exact
        long pos = first.length;
        byte[] buf = new byte[64 * 1024];
        int pauses = 0;
        for (int n; (n = in.read(buf)) != -1; ) {
          for (int i = 0; i < n; i++) {
            if (buf[i] != at(pos + i)) {
              throw new AssertionError("byte " + (pos + i) + " differs");
            }
          }
          pos += n;
          if (pauses < 3 && pos > (pauses + 1) * (BIG / 4)) {
            pauses++;
            Thread.sleep(200);
          }
        }
        assertEquals(BIG, pos);
      }
    }
  }

  /**
   * On the pull path the consumer's thread reads OkHttp's source itself: that makes it no I/O
   * thread of the transport, so it may still block in {@code execute} afterwards, and the
   * dispatcher thread keeps the call's place until the body's end (one call per host here).
   */
  @Test
  void theConsumersThreadReadsTheBodyAndStaysACallersThread() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawServer server = bigServer(written);
        Transport t = oneCallAtATime()) {
      for (int round = 0; round < 2; round++) {
        try (StreamingResponse r = t.openStream(Request.get(server.uri("/big")))) {
          InputStream in = r.body();
          long pos = 0;
          byte[] buf = new byte[64 * 1024];
          for (int n; (n = in.read(buf)) != -1; ) {
            pos += n;
          }
          assertEquals(BIG, pos);
        }
        Response small = t.execute(Request.get(server.uri("/small")));
        assertArrayEquals(HELLO, small.bytes(), "execute on the thread that read the stream");
      }
    }
  }

  @Test
  void closeMidBodyLeavesTheTransportUsable() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawServer server = bigServer(written);
        Transport t = oneCallAtATime()) {
      for (int round = 0; round < 3; round++) {
        StreamingResponse r = t.openStream(Request.get(server.uri("/big")));
        InputStream in = r.body();
        assertEquals(at(0), (byte) in.read());
        r.close();
        // one call at a time is allowed: the closed stream must have freed its place
        Response small = t.send(Request.get(server.uri("/small"))).get(20, TimeUnit.SECONDS);
        assertEquals(200, small.status());
        assertArrayEquals(HELLO, small.bytes());
      }
    }
  }

  private static boolean parkedForTheConsumer() {
    for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
      for (StackTraceElement f : stack) {
        // parked for demand (the demand path) or for the consumer's reads (the pull path)
        if ((f.getMethodName().equals("takeDemand") || f.getMethodName().equals("awaitPulled"))
            && f.getClassName().equals(OkHttpExchange.class.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void closingTheTransportWakesAThreadWaitingForTheConsumer() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawServer server = bigServer(written)) {
      Transport t = transport(TransportConfig.builder());
      StreamingResponse r = t.openStream(Request.get(server.uri("/big")));
      assertEquals(at(0), (byte) r.body().read());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!parkedForTheConsumer() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(parkedForTheConsumer(), "the reading thread waits for the consumer");
      t.close(); // the stream is left open
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (parkedForTheConsumer() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertFalse(parkedForTheConsumer(), "no dispatcher thread stays parked after close");
      assertThrows(IOException.class, () -> r.body().readAllBytes());
    }
  }

  // ------------------------------------------------------------------ the engine's demand

  /** Records what the engine delivers, checking that no listener call overlaps another. */
  private static class Recorder implements ExchangeListener {
    final AtomicInteger bodies = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    final AtomicBoolean inside = new AtomicBoolean();
    final AtomicBoolean overlapped = new AtomicBoolean();
    final CompletableFuture<Integer> headers = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Exchange exchange;

    void enter() {
      if (!inside.compareAndSet(false, true)) {
        overlapped.set(true);
      }
    }

    void leave() {
      inside.set(false);
    }

    @Override
    public void onRequestSent() {}

    @Override
    public void onResponseHeaders(int status, Headers h) {
      headers.complete(status);
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      enter();
      try {
        bodies.incrementAndGet();
        bytes.addAndGet(chunk.remaining());
        chunk.position(chunk.limit());
        afterBody();
      } finally {
        leave();
      }
    }

    void afterBody() {}

    @Override
    public void onComplete() {
      done.complete(null);
    }

    @Override
    public void onFailure(Fault fault, Throwable cause) {
      done.completeExceptionally(new AssertionError(fault + ": " + cause, cause));
    }

    @Override
    public void onFailure(TransportException failure) {
      done.completeExceptionally(failure);
    }
  }

  private static void stable(AtomicInteger count, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (count.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(300); // time for a delivery beyond demand to show
    assertEquals(expected, count.get());
  }

  @Test
  void engineDeliversOneChunkPerUnitOfDemandAndNoneBeforeIt() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawServer server = bigServer(written);
        OkHttpEngine engine = OkHttpEngine.create(TransportConfig.defaults())) {
      Recorder rec = new Recorder();
      ExchangeRequest req =
          new ExchangeRequest(
              Request.get(server.uri("/big")), Duration.ofSeconds(10), Duration.ofSeconds(10));
      Exchange ex = engine.start(req, rec);
      assertEquals(200, rec.headers.get(20, TimeUnit.SECONDS));
      stable(rec.bodies, 0);
      ex.request(1);
      stable(rec.bodies, 1);
      ex.request(3);
      stable(rec.bodies, 4);
      assertFalse(rec.done.isDone());
      ex.abort();
      stable(rec.bodies, 4);
      assertFalse(rec.overlapped.get());
    }
  }

  @Test
  void demandGivenInsideOnBodyKeepsTheLoopGoing() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawServer server = bigServer(written);
        OkHttpEngine engine = OkHttpEngine.create(TransportConfig.defaults())) {
      Recorder rec =
          new Recorder() {
            @Override
            void afterBody() {
              exchange.request(1); // one more for each one used, from inside the call
            }
          };
      ExchangeRequest req =
          new ExchangeRequest(
              Request.get(server.uri("/big")), Duration.ofSeconds(10), Duration.ofSeconds(10));
      Exchange ex = engine.start(req, rec);
      rec.exchange = ex;
      ex.request(1);
      rec.done.get(60, TimeUnit.SECONDS);
      assertEquals(BIG, rec.bytes.get());
      assertFalse(rec.overlapped.get(), "onBody was never re-entered nor overlapped");
    }
  }
}
