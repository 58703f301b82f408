package dev.switchboard.jdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.Headers;
import dev.switchboard.Request;
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
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming both ways on the jdk engine: request bodies from a file, a stream and a publisher as
 * they go on the wire, the response body delivered against demand (engine level) and held back for
 * a slow consumer (through the transport).
 */
class JdkStreamingTest {
  private static final int MIB = 1024 * 1024;

  private BodyServer server;
  private Transport transport;

  @AfterEach
  void stop() throws Exception {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private Transport jdk() {
    transport = Transports.create(TransportConfig.builder().provider("jdk").build());
    return transport;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] b) throws Exception {
    return BodyServer.hex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  // ------------------------------------------------------------------ request bodies

  @Test
  void uploadsAFileWithItsContentLength(@TempDir Path dir) throws Exception {
    server = new BodyServer(BodyServer::ok);
    byte[] bytes = random(5 * MIB + 123, 1);
    Path file = dir.resolve("upload.bin");
    Files.write(file, bytes);
    Response r =
        jdk()
            .execute(
                Request.post(server.base() + "/f", Body.ofFile(file, "application/octet-stream")));
    assertEquals(200, r.status());
    BodyServer.Received got = server.received.get(0);
    assertEquals(Long.toString(bytes.length), got.header("Content-Length"), got.head());
    assertNull(got.header("Transfer-Encoding"), got.head());
    assertEquals(sha256(bytes), got.sha256());
  }

  @Test
  void uploadsAnInputStreamOfKnownLengthWithContentLength() throws Exception {
    server = new BodyServer(BodyServer::ok);
    byte[] bytes = random(3 * MIB + 7, 2);
    AtomicInteger opened = new AtomicInteger();
    Body body =
        Body.ofInputStream(
            () -> {
              opened.incrementAndGet();
              return new ByteArrayInputStream(bytes);
            },
            bytes.length,
            "application/octet-stream");
    assertEquals(200, jdk().execute(Request.post(server.base() + "/k", body)).status());
    BodyServer.Received got = server.received.get(0);
    assertEquals(Long.toString(bytes.length), got.header("Content-Length"), got.head());
    assertNull(got.header("Transfer-Encoding"), got.head());
    assertEquals(sha256(bytes), got.sha256());
    assertEquals(1, opened.get());
  }

  @Test
  void uploadsAnInputStreamOfUnknownLengthChunked() throws Exception {
    server = new BodyServer(BodyServer::ok);
    byte[] bytes = random(2 * MIB + 5, 3);
    Body body = Body.ofInputStream(() -> new ByteArrayInputStream(bytes), -1, "text/plain");
    assertEquals(200, jdk().execute(Request.post(server.base() + "/u", body)).status());
    try (Transport wrapped = JdkTransports.wrap(HttpClient.newHttpClient())) {
      assertEquals(200, wrapped.execute(Request.post(server.base() + "/w", body)).status());
    }
    for (BodyServer.Received got : server.received) {
      assertEquals("chunked", got.header("Transfer-Encoding"), got.head());
      assertNull(got.header("Content-Length"), got.head());
      assertEquals(sha256(bytes), got.sha256());
    }
    assertEquals(2, server.received.size());
  }

  @Test
  void uploadsAPublisherOfKnownAndOfUnknownLength() throws Exception {
    server = new BodyServer(BodyServer::ok);
    byte[] bytes = random(MIB + 11, 4);
    for (long length : new long[] {bytes.length, -1}) {
      Body body = Body.ofPublisher(new SlicePublisher(bytes, 100_000), length, "application/x");
      Transport t = transport == null ? jdk() : transport;
      assertEquals(200, t.execute(Request.post(server.base() + "/p", body)).status());
    }
    BodyServer.Received known = server.received.get(0);
    assertEquals(Long.toString(bytes.length), known.header("Content-Length"), known.head());
    assertEquals(sha256(bytes), known.sha256());
    BodyServer.Received unknown = server.received.get(1);
    assertEquals("chunked", unknown.header("Transfer-Encoding"), unknown.head());
    assertEquals(sha256(bytes), unknown.sha256());
  }

  /** Publishes slices of an array on a thread of its own, one per unit of demand. */
  private static final class SlicePublisher implements Flow.Publisher<ByteBuffer> {
    private final byte[] bytes;
    private final int slice;

    SlicePublisher(byte[] bytes, int slice) {
      this.bytes = bytes;
      this.slice = slice;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> s) {
      java.util.concurrent.Semaphore demand = new java.util.concurrent.Semaphore(0);
      AtomicBoolean cancelled = new AtomicBoolean();
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              demand.release((int) Math.min(n, 1 << 20));
            }

            @Override
            public void cancel() {
              cancelled.set(true);
              demand.release();
            }
          });
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int off = 0; off < bytes.length && !cancelled.get(); off += slice) {
                    demand.acquire();
                    s.onNext(ByteBuffer.wrap(bytes, off, Math.min(slice, bytes.length - off)));
                  }
                  if (!cancelled.get()) {
                    s.onComplete();
                  }
                } catch (InterruptedException e) {
                  s.onError(e);
                }
              },
              "slice-publisher");
      t.setDaemon(true);
      t.start();
    }
  }

  @Test
  void aGetCarriesAStreamingBodyAndAnEmptyStreamGoesAsContentLengthZero() throws Exception {
    server = new BodyServer(BodyServer::ok);
    byte[] bytes = "{\"query\":{}}".getBytes(StandardCharsets.UTF_8);
    Transport t = jdk();
    Request get =
        Request.builder("GET", server.base() + "/g")
            .body(Body.ofInputStream(() -> new ByteArrayInputStream(bytes), -1, "text/json"))
            .build();
    assertEquals(200, t.execute(get).status());
    Request empty =
        Request.builder("PUT", server.base() + "/e")
            .body(Body.ofInputStream(() -> new ByteArrayInputStream(new byte[0]), 0, null))
            .build();
    assertEquals(200, t.execute(empty).status());
    BodyServer.Received g = server.received.get(0);
    assertTrue(g.head().startsWith("GET /g "), g.head());
    assertEquals(sha256(bytes), g.sha256());
    BodyServer.Received e = server.received.get(1);
    assertEquals("0", e.header("Content-Length"), e.head());
  }

  @Test
  void aFailingInputStreamFailsWithATransportExceptionNamingTheBodySource() throws Exception {
    server = new BodyServer(BodyServer::ok);
    for (long length : new long[] {10 * MIB, -1}) {
      Body body =
          Body.ofInputStream(
              () ->
                  new InputStream() {
                    int given;

                    @Override
                    public int read() throws IOException {
                      byte[] one = new byte[1];
                      return read(one, 0, 1) < 0 ? -1 : one[0];
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                      if (given > 256 * 1024) {
                        throw new IOException("disk on fire");
                      }
                      int n = Math.min(len, 8192);
                      given += n;
                      return n;
                    }
                  },
              length,
              "application/octet-stream");
      Transport t = transport == null ? jdk() : transport;
      TransportException e =
          assertThrows(
              TransportException.class, () -> t.execute(Request.post(server.base() + "/x", body)));
      assertTrue(e.getMessage().contains("request body"), e.getMessage());
      BodySourceException source = BodySourceException.find(e);
      assertNotNull(source, () -> "no BodySourceException in " + chain(e));
      assertTrue(chain(e).contains("disk on fire"), chain(e));
    }
    // the transport is still usable
    assertEquals(200, transport.execute(Request.get(server.base() + "/after")).status());
  }

  @Test
  void anInputStreamShorterThanItsLengthFailsAsTheBodySource() throws Exception {
    server = new BodyServer(BodyServer::ok);
    Body body =
        Body.ofInputStream(() -> new ByteArrayInputStream(new byte[1000]), 5000, "text/plain");
    TransportException e =
        assertThrows(
            TransportException.class,
            () -> jdk().execute(Request.post(server.base() + "/short", body)));
    assertNotNull(BodySourceException.find(e), () -> chain(e));
    assertTrue(chain(e).contains("1000 of the 5000"), chain(e));
  }

  @Test
  void abortClosesAStreamingBodyBlockedInItsSource() throws Exception {
    server = new BodyServer(BodyServer::ok);
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Body body =
        Body.ofInputStream(
            () ->
                new InputStream() {
                  @Override
                  public int read() throws IOException {
                    reading.countDown();
                    try {
                      closed.await(); // blocks until closed, like a pipe or a socket
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    throw new IOException("closed");
                  }

                  @Override
                  public int read(byte[] b, int off, int len) throws IOException {
                    return read();
                  }

                  @Override
                  public void close() {
                    closed.countDown();
                  }
                },
            -1,
            "text/plain");
    CompletableFuture<Response> f = jdk().send(Request.post(server.base() + "/block", body));
    assertTrue(reading.await(20, TimeUnit.SECONDS), "the body was never read");
    transport.close(); // aborts the exchange in flight
    assertTrue(closed.await(10, TimeUnit.SECONDS), "the body's stream was never closed");
    CompletionException c = assertThrows(CompletionException.class, f::join);
    assertTrue(c.getCause() instanceof TransportException, c.toString());
  }

  @Test
  void aDeadlineDuringAStalledUploadClosesTheBodysSource() throws Exception {
    // never reads the body, never answers: the upload stalls on TCP flow control (the JDK 17
    // HTTP/1.1 client reads no response before the whole request body is written)
    server =
        new BodyServer(
            (r, out) -> {
              Thread.sleep(60_000);
              return false;
            },
            /* readBodies= */ false);
    AtomicLong given = new AtomicLong();
    CountDownLatch closed = new CountDownLatch(1);
    Body endless =
        Body.ofInputStream(
            () ->
                new InputStream() {
                  @Override
                  public int read() {
                    return 'x';
                  }

                  @Override
                  public int read(byte[] b, int off, int len) {
                    java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                    given.addAndGet(len);
                    return len;
                  }

                  @Override
                  public void close() {
                    closed.countDown();
                  }
                },
            -1,
            "text/plain");
    Request r =
        Request.builder("POST", server.base() + "/up")
            .body(endless)
            .requestTimeout(Duration.ofSeconds(2))
            .build();
    TransportException e = assertThrows(TransportException.class, () -> jdk().execute(r));
    assertTrue(closed.await(10, TimeUnit.SECONDS), "the upload's source was never closed: " + e);
    long after = given.get();
    assertTrue(after > 0, "the upload never started");
    Thread.sleep(300);
    assertEquals(after, given.get(), "the source is still read after the exchange ended");
    System.out.printf("stalled upload: %d bytes read from the source before the deadline%n", after);
  }

  // ------------------------------------------------------------------ response bodies

  /** Writes a 200 of {@code size} bytes (value i % 251 at offset i), counting what it wrote. */
  private static BodyServer.Responder counting(long size, AtomicLong written) {
    return (r, out) -> {
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[16 * 1024];
      long sent = 0;
      while (sent < size) {
        int n = (int) Math.min(buf.length, size - sent);
        for (int i = 0; i < n; i++) {
          buf[i] = (byte) ((sent + i) % 251);
        }
        out.write(buf, 0, n);
        sent += n;
        written.set(sent);
      }
      out.flush();
      return true;
    };
  }

  @Test
  void aSlowConsumerHoldsTheServerBack() throws Exception {
    long size = 128L * MIB;
    AtomicLong written = new AtomicLong();
    BodyServer.Responder big = counting(size, written);
    server =
        new BodyServer(
            (r, out) ->
                r.head().startsWith("GET /big") ? big.answer(r, out) : BodyServer.ok(r, out));
    Transport t = jdk();
    try (StreamingResponse s = t.openStream(Request.get(server.base() + "/big"))) {
      InputStream in = s.body();
      byte[] buf = new byte[64 * 1024];
      long read = 0;
      while (read < MIB) {
        read += in.read(buf);
      }
      // the consumer pauses: the server must stall far below the body's size
      long before;
      long after = written.get();
      do {
        before = after;
        Thread.sleep(1000);
        after = written.get();
      } while (after != before);
      System.out.printf(
          "slow consumer: the server stalled after %d of %d bytes (consumer read %d)%n",
          after, size, read);
      assertTrue(
          after < size / 2,
          "the server wrote " + after + " of " + size + " bytes while the consumer paused");
      long check = read;
      long total = read;
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i += 4099) {
          assertEquals((byte) ((check + i) % 251), buf[i], "byte at " + (check + i));
        }
        check += n;
        total += n;
      }
      assertEquals(size, total);
      assertEquals(size, written.get());
    }
    assertEquals(200, t.execute(Request.get(server.base() + "/after")).status());
  }

  @Test
  void closingAStreamMidBodyLeavesTheTransportUsable() throws Exception {
    server =
        new BodyServer(
            (r, out) ->
                r.head().startsWith("GET /big")
                    ? counting(64L * MIB, new AtomicLong()).answer(r, out)
                    : BodyServer.ok(r, out));
    Transport t = jdk();
    for (int i = 0; i < 3; i++) {
      StreamingResponse s = t.stream(Request.get(server.base() + "/big")).get(30, TimeUnit.SECONDS);
      byte[] buf = new byte[1000];
      assertEquals(1000, s.body().readNBytes(buf, 0, 1000));
      assertEquals((byte) (999 % 251), buf[999]);
      s.close();
      assertThrows(IOException.class, () -> s.body().read());
      Response ok = t.send(Request.get(server.base() + "/small")).get(30, TimeUnit.SECONDS);
      assertEquals("ok", ok.text());
    }
  }

  @Test
  void theBufferedSendStillReadsAWholeBody() throws Exception {
    server = new BodyServer(counting(8L * MIB, new AtomicLong()));
    HttpClient client = HttpClient.newBuilder().build();
    for (Transport t : List.of(jdk(), JdkTransports.wrap(client))) {
      try (t) {
        Response r = t.execute(Request.get(server.base() + "/whole"));
        byte[] b = r.bytes();
        assertEquals(8 * MIB, b.length);
        for (int i = 0; i < b.length; i += 7919) {
          assertEquals((byte) (i % 251), b[i]);
        }
      }
    }
    transport = null;
  }

  // ------------------------------------------------------------------ engine level

  /** Records listener calls; fails the test on a call beyond demand, nested or concurrent. */
  private static final class Recorder implements ExchangeListener {
    final AtomicLong allowed = new AtomicLong();
    final AtomicLong bodies = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger inside = new AtomicInteger();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> headers = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile Exchange exchange;
    volatile int requestInsideEvery; // > 0: request(1) from inside every such onBody

    private void enter(String what) {
      if (inside.incrementAndGet() != 1) {
        violations.add(what + " nested or concurrent");
      }
    }

    void request(long n) {
      allowed.addAndGet(n);
      exchange.request(n);
    }

    @Override
    public void onRequestSent() {
      enter("onRequestSent");
      inside.decrementAndGet();
    }

    @Override
    public void onResponseHeaders(int status, Headers h) {
      enter("onResponseHeaders");
      headers.complete(status);
      inside.decrementAndGet();
    }

    @Override
    public void onBody(ByteBuffer chunk) {
      enter("onBody");
      long n = bodies.incrementAndGet();
      bytes.addAndGet(chunk.remaining());
      if (n > allowed.get()) {
        violations.add("onBody " + n + " beyond a demand of " + allowed.get());
      }
      if (requestInsideEvery > 0 && n % requestInsideEvery == 0) {
        request(1); // from inside the listener call: must not be delivered re-entrantly
      }
      inside.decrementAndGet();
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    @Override
    public void onFailure(Fault fault, Throwable cause) {
      done.completeExceptionally(new IllegalStateException(fault + ": " + cause, cause));
    }

    @Override
    public void onFailure(TransportException failure) {
      done.completeExceptionally(failure);
    }
  }

  private static Exchange start(JdkEngine engine, String uri, Recorder rec) {
    Exchange x =
        engine.start(
            new ExchangeRequest(Request.get(uri), Duration.ofSeconds(10), Duration.ofSeconds(30)),
            rec);
    rec.exchange = x;
    return x;
  }

  @Test
  void theEngineDeliversNoBodyBeyondDemand() throws Exception {
    long size = 4L * MIB;
    server = new BodyServer(counting(size, new AtomicLong()));
    deliversNoBodyBeyondDemand(new JdkEngine(TransportConfig.defaults(), null), size);
  }

  @Test
  void theEngineOverAUsersClientDeliversNoBodyBeyondDemand() throws Exception {
    long size = 4L * MIB;
    server = new BodyServer(counting(size, new AtomicLong()));
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    deliversNoBodyBeyondDemand(new JdkEngine(TransportConfig.defaults(), client), size);
  }

  private void deliversNoBodyBeyondDemand(JdkEngine e, long size) throws Exception {
    try (JdkEngine engine = e) {
      Recorder rec = new Recorder();
      start(engine, server.base() + "/d", rec);
      assertEquals(200, rec.headers.get(30, TimeUnit.SECONDS));
      Thread.sleep(300);
      assertEquals(0, rec.bodies.get(), "onBody without demand");
      rec.request(3);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (rec.bodies.get() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(300);
      assertEquals(3, rec.bodies.get(), "onBody calls for a demand of 3");
      // now from inside onBody, one at a time, until the end
      rec.requestInsideEvery = 1;
      rec.request(1);
      rec.done.get(60, TimeUnit.SECONDS);
      assertEquals(size, rec.bytes.get());
      assertTrue(rec.violations.isEmpty(), rec.violations.toString());
    }
  }

  @Test
  void demandFromManyThreadsIsDeliveredSeriallyAndExactly() throws Exception {
    long size = 2L * MIB;
    server = new BodyServer(counting(size, new AtomicLong()));
    try (JdkEngine engine = new JdkEngine(TransportConfig.defaults(), null)) {
      Recorder rec = new Recorder();
      start(engine, server.base() + "/m", rec);
      assertEquals(200, rec.headers.get(30, TimeUnit.SECONDS));
      AtomicBoolean stop = new AtomicBoolean();
      Thread[] askers = new Thread[4];
      for (int i = 0; i < askers.length; i++) {
        askers[i] =
            new Thread(
                () -> {
                  while (!stop.get() && !rec.done.isDone()) {
                    if (rec.allowed.get() - rec.bodies.get() < 4) {
                      rec.request(1);
                    }
                    Thread.onSpinWait();
                  }
                });
        askers[i].start();
      }
      try {
        rec.done.get(60, TimeUnit.SECONDS);
      } finally {
        stop.set(true);
        for (Thread a : askers) {
          a.join();
        }
      }
      assertEquals(size, rec.bytes.get());
      assertTrue(rec.violations.isEmpty(), rec.violations.toString());
    }
  }

  @Test
  void anEmptyBodyCompletesWithoutDemand() throws Exception {
    server =
        new BodyServer(
            (r, out) -> {
              out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              return true;
            });
    try (JdkEngine engine = new JdkEngine(TransportConfig.defaults(), null)) {
      Recorder rec = new Recorder();
      start(engine, server.base() + "/n", rec);
      rec.done.get(30, TimeUnit.SECONDS);
      assertEquals(0, rec.bodies.get());
    }
  }

  @Test
  void theLastBytesWaitForDemandBeforeOnComplete() throws Exception {
    byte[] small = "hello".getBytes(StandardCharsets.US_ASCII);
    server =
        new BodyServer(
            (r, out) -> {
              out.write(
                  ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              return true;
            });
    try (JdkEngine engine = new JdkEngine(TransportConfig.defaults(), null)) {
      Recorder rec = new Recorder();
      start(engine, server.base() + "/h", rec);
      rec.headers.get(30, TimeUnit.SECONDS);
      Thread.sleep(300);
      assertFalse(rec.done.isDone(), "completed before the body was asked for");
      rec.request(Long.MAX_VALUE);
      rec.done.get(30, TimeUnit.SECONDS);
      assertEquals(small.length, rec.bytes.get());
      assertArrayEquals(new byte[0], new byte[0]);
      assertTrue(rec.violations.isEmpty(), rec.violations.toString());
    }
  }

  private static String chain(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t).append(" / ");
      for (Throwable s : t.getSuppressed()) {
        b.append("[suppressed ").append(s).append("] ");
      }
    }
    return b.toString();
  }
}
