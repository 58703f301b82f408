package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Streaming responses and non-repeatable bodies in the api layer, over the in-memory engine. */
class StreamingTest {
  private static final URI URL = URI.create("http://127.0.0.1:9/big");
  private final FakeEngine engine = new FakeEngine();
  private Transport transport;

  private Transport transport(TransportConfig config) {
    transport = Transports.wrap(engine, config);
    return transport;
  }

  private Transport transport() {
    return transport(TransportConfig.defaults());
  }

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
  }

  private static List<byte[]> chunks(byte[] all, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < all.length; i += size) {
      out.add(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + size)));
    }
    return out;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void theBodyStreamsThroughTheInputStreamByteExact() throws Exception {
    byte[] body = random(3 * 1024 * 1024 + 17);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024)));
    try (StreamingResponse r = transport().openStream(Request.get(URL))) {
      assertEquals(200, r.status());
      assertArrayEquals(body, r.body().readAllBytes());
    }
  }

  @Test
  void anEngineThatLendsItsThreadsAfterTheExchangeStillStreams() throws Exception {
    // okhttp lends its thread once the exchange ended; a stream's exchange ends only after the
    // consumer has read the body, so the stream's head must not wait for that thread
    engine.lendsThreads = true;
    byte[] body = random(2 * 1024 * 1024);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024)));
    StreamingResponse r = transport().stream(Request.get(URL)).get(10, TimeUnit.SECONDS);
    try (r) {
      assertArrayEquals(body, r.body().readAllBytes());
    }
  }

  @Test
  void aSlowConsumerHoldsTheEngineBack() throws Exception {
    byte[] body = random(16 * 1024 * 1024);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024)));
    try (StreamingResponse r = transport().openStream(Request.get(URL))) {
      InputStream in = r.body();
      assertTrue(in.read() >= 0);
      Thread.sleep(300);
      int window = StreamedBody.WINDOW / (16 * 1024) + StreamedBody.AHEAD + 1;
      assertTrue(
          engine.delivered.get() <= window,
          "delivered " + engine.delivered.get() + " chunks ahead of a consumer that read 1 byte");
      byte[] rest = in.readAllBytes();
      assertEquals(body.length - 1, rest.length);
      assertEquals(1024, engine.delivered.get());
    }
  }

  @Test
  void theReadTimeoutDoesNotCountTheConsumersSlowness() throws Exception {
    byte[] body = random(2 * 1024 * 1024);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024)));
    TransportConfig config = TransportConfig.builder().readTimeout(Duration.ofMillis(200)).build();
    try (StreamingResponse r = transport(config).openStream(Request.get(URL))) {
      InputStream in = r.body();
      assertTrue(in.read() >= 0);
      Thread.sleep(800); // the window is full: the transport is not waiting for the server
      assertEquals(body.length - 1, in.readAllBytes().length);
    }
  }

  @Test
  void aServerThatStallsMidBodyFailsReadWithTheReadTimeout() throws Exception {
    byte[] body = random(1024 * 1024);
    engine.answering(
        r ->
            FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024))
                .stallingAfter(3));
    TransportConfig config = TransportConfig.builder().readTimeout(Duration.ofMillis(300)).build();
    try (StreamingResponse r = transport(config).openStream(Request.get(URL))) {
      IOException e = assertThrows(IOException.class, () -> r.body().readAllBytes());
      assertInstanceOf(ReadTimeoutException.class, e.getCause());
      assertEquals(1, engine.aborts.get());
    }
  }

  @Test
  void theRequestTimeoutCoversTheWholeStreamedBody() throws Exception {
    byte[] body = random(1024 * 1024);
    engine.answering(
        r ->
            FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024))
                .stallingAfter(2));
    Request request = Request.builder("GET", URL).requestTimeout(Duration.ofMillis(400)).build();
    try (StreamingResponse r = transport().openStream(request)) {
      IOException e = assertThrows(IOException.class, () -> r.body().readAllBytes());
      assertInstanceOf(RequestTimeoutException.class, e.getCause());
    }
  }

  @Test
  void gzipIsDecodedAsItStreams() throws Exception {
    byte[] plain = new byte[2 * 1024 * 1024];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) ("switchboard ".charAt(i % 12));
    }
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(plain);
    }
    Headers h =
        Headers.builder()
            .add("Content-Encoding", "gzip")
            .add("Content-Length", Integer.toString(zipped.size()))
            .build();
    engine.answering(r -> FakeEngine.Script.chunked(200, h, chunks(zipped.toByteArray(), 7)));
    try (StreamingResponse r = transport().openStream(Request.get(URL))) {
      assertNull(r.header("Content-Encoding"));
      assertNull(r.header("Content-Length"));
      assertArrayEquals(plain, r.body().readAllBytes());
    }
  }

  @Test
  void aCorruptGzipBodyFailsReadTyped() throws Exception {
    Headers h = Headers.builder().add("Content-Encoding", "gzip").build();
    byte[] junk =
        "\u001f\u008b\u0008\u0000\u0000\u0000\u0000\u0000\u0000\u0003garbage-garbage"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    engine.answering(r -> FakeEngine.Script.chunked(200, h, List.of(junk)));
    try (StreamingResponse r = transport().openStream(Request.get(URL))) {
      IOException e = assertThrows(IOException.class, () -> r.body().readAllBytes());
      assertInstanceOf(MalformedResponseException.class, e.getCause());
    }
  }

  @Test
  void thePublisherDeliversTheBodyOnDemand() throws Exception {
    byte[] body = random(1024 * 1024 + 5);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 10_000)));
    StreamingResponse r = transport().stream(Request.get(URL)).get(10, TimeUnit.SECONDS);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    CompletableFuture<Void> done = new CompletableFuture<>();
    r.publisher()
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
                got.writeBytes(b);
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
    assertArrayEquals(body, got.toByteArray());
    assertThrows(IllegalStateException.class, r::body);
  }

  @Test
  void anErrorStatusFailsStreamWithTheStartOfTheBody() {
    byte[] body = random(200 * 1024);
    engine.answering(r -> FakeEngine.Script.chunked(500, Headers.empty(), chunks(body, 16 * 1024)));
    CompletionException e =
        assertThrows(CompletionException.class, () -> transport().stream(Request.get(URL)).join());
    ServerErrorException s = assertInstanceOf(ServerErrorException.class, e.getCause());
    assertEquals(500, s.status());
    assertEquals(ExchangeState.ERROR_BODY_START, s.response().length());
    assertThrows(ServerErrorException.class, () -> transport.openStream(Request.get(URL)));
  }

  @Test
  void closingBeforeTheEndAbortsAndTheTransportStaysUsable() throws Exception {
    byte[] body = random(4 * 1024 * 1024);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024)));
    StreamingResponse r = transport().openStream(Request.get(URL));
    assertTrue(r.body().read(new byte[100]) > 0);
    r.close();
    assertEquals(1, engine.aborts.get());
    assertThrows(IOException.class, () -> r.body().read());
    engine.answering(x -> FakeEngine.Script.ok(200, "fine"));
    assertEquals("fine", transport.execute(Request.get(URL)).text());
  }

  @Test
  void closingTheTransportFailsAStreamBeingRead() throws Exception {
    byte[] body = random(1024 * 1024);
    engine.answering(
        r ->
            FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024))
                .stallingAfter(1));
    StreamingResponse r = transport().openStream(Request.get(URL));
    transport.close();
    IOException e = assertThrows(IOException.class, () -> r.body().readAllBytes());
    assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
  }

  @Test
  void anInterceptorSeesTheHeadButCannotReadAStreamingBody() {
    engine.answering(r -> FakeEngine.Script.ok(200, "streamed"));
    Interceptor reader =
        chain ->
            chain
                .proceed(chain.request())
                .thenApply(
                    r -> {
                      r.text();
                      return r;
                    });
    Transport t = transport(TransportConfig.builder().interceptor(reader).build());
    TransportException e =
        assertThrows(TransportException.class, () -> t.openStream(Request.get(URL)));
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void aResponseAnInterceptorMakesStreamsItsBytesAndTheOpenedOneIsClosed() throws Exception {
    byte[] body = random(2 * 1024 * 1024);
    engine.answering(r -> FakeEngine.Script.chunked(200, Headers.empty(), chunks(body, 16 * 1024)));
    Interceptor cache =
        chain ->
            chain
                .proceed(chain.request())
                .thenApply(
                    r ->
                        Response.builder(r.request(), 203)
                            .body("cached".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                            .build());
    Transport t = transport(TransportConfig.builder().interceptor(cache).build());
    try (StreamingResponse r = t.openStream(Request.get(URL))) {
      assertEquals(203, r.status());
      assertEquals("cached", new String(r.body().readAllBytes()));
    }
    assertEquals(1, engine.aborts.get());
  }

  // ---------------------------------------------------------------- bodies sent once

  private static Body publisherBody() {
    SubmissionPublisher<ByteBuffer> p = new SubmissionPublisher<>();
    return Body.ofPublisher(p, 3, "text/plain");
  }

  @Test
  void aStaleConnectionIsNotResentWithABodyThatCanBeSentOnce() {
    engine.answering(
        r ->
            FakeEngine.Script.fail(
                new StaleConnectionException("stale", r.request(), "fake", null)));
    Request put = Request.builder("PUT", URL).body(publisherBody()).build();
    StaleConnectionException e =
        assertThrows(StaleConnectionException.class, () -> transport().execute(put));
    assertEquals(1, engine.started.size());
    assertTrue(
        e.getSuppressed().length == 1
            && e.getSuppressed()[0].getMessage().contains("can be sent only once"),
        java.util.Arrays.toString(e.getSuppressed()));
  }

  @Test
  void aRetryPolicyDoesNotResendABodyThatCanBeSentOnce() {
    engine.answering(r -> FakeEngine.Script.ok(503, "busy"));
    RetryPolicy retry = RetryPolicy.builder().baseDelay(Duration.ofMillis(1)).build();
    Transport t = transport(TransportConfig.builder().interceptor(retry).build());
    Request put = Request.builder("PUT", URL).body(publisherBody()).build();
    ServerErrorException e = assertThrows(ServerErrorException.class, () -> t.execute(put));
    assertEquals(1, engine.started.size());
    assertTrue(e.getSuppressed()[0].getMessage().startsWith("not retried"));
  }

  @Test
  void aRedirectThatMustResendABodyThatCanBeSentOnceIsRefused() {
    engine.answering(
        r ->
            FakeEngine.Script.status(
                307, Headers.builder().add("Location", "/elsewhere").build(), new byte[0]));
    Transport t = transport(TransportConfig.builder().followRedirects(true).build());
    Request post = Request.post(URL, publisherBody());
    TransportException e = assertThrows(TransportException.class, () -> t.execute(post));
    assertTrue(e.getMessage().contains("was not followed"), e.getMessage());
    assertEquals(1, engine.started.size());
  }

  @Test
  void anInterceptorThatProceedsTwiceWithABodyThatCanBeSentOnceIsRefused() {
    engine.answering(r -> FakeEngine.Script.ok(200, "ok"));
    Interceptor twice =
        chain -> chain.proceed(chain.request()).thenCompose(r -> chain.proceed(chain.request()));
    Transport t = transport(TransportConfig.builder().interceptor(twice).build());
    TransportException e =
        assertThrows(TransportException.class, () -> t.execute(Request.post(URL, publisherBody())));
    assertTrue(e.getMessage().contains("can be sent only once"), e.getMessage());
    assertEquals(1, engine.started.size());
  }
}
