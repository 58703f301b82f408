package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.TransportException;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.Fault;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.junit.jupiter.api.Test;

/**
 * The exchange's own bookkeeping, driven the way the client drives it: what reaches the listener
 * when the library reports a failure after the whole response was read, and before; the demand for
 * the body against HC5's capacity ({@code onBody} calls never beyond demand, capacity given only
 * while demand is outstanding, one listener call at a time).
 */
class ApacheExchangeTest {

  /** What the listener was told, in order. */
  private final List<String> told = new CopyOnWriteArrayList<>();

  private final ExchangeListener listener =
      new ExchangeListener() {
        @Override
        public void onRequestSent() {}

        @Override
        public void onResponseHeaders(int status, Headers headers) {
          told.add("headers " + status);
        }

        @Override
        public void onBody(ByteBuffer chunk) {
          told.add("body " + StandardCharsets.UTF_8.decode(chunk));
        }

        @Override
        public void onComplete() {
          told.add("complete");
        }

        @Override
        public void onFailure(Fault fault, Throwable cause) {
          told.add("failure"); // which failure is the TCK's business, against real servers
        }

        @Override
        public void onFailure(TransportException failure) {
          told.add("failure");
        }
      };

  private final ApacheExchange exchange =
      new ApacheExchange(
          new ExchangeRequest(
              Request.get("http://127.0.0.1:1/"), Duration.ofSeconds(1), Duration.ofSeconds(1)),
          listener);

  private static final FutureCallback<Void> LIBRARY_RESULT =
      new FutureCallback<>() {
        @Override
        public void completed(Void result) {}

        @Override
        public void failed(Exception ex) {}

        @Override
        public void cancelled() {}
      };

  private void responseWithBody(String body) throws Exception {
    exchange.request(Long.MAX_VALUE);
    exchange.consumeResponse(
        new BasicHttpResponse(200),
        new BasicEntityDetails(body.length(), ContentType.APPLICATION_JSON),
        HttpCoreContext.create(),
        LIBRARY_RESULT);
    exchange.consume(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void theLibrarysLateCancelOfAnExchangeItHasReadWholeReportsTheCompletion() throws Exception {
    responseWithBody("{}");
    exchange.streamEnd(null);
    exchange.failed(new InterruptedIOException()); // HC 5.6 cancelling the exchange it has run
    exchange.releaseResources();
    assertEquals(List.of("headers 200", "body {}", "complete"), told);
  }

  @Test
  void aLateCancelOfAResponseWithoutBodyReportsTheCompletionToo() throws Exception {
    exchange.consumeResponse(
        new BasicHttpResponse(204), null, HttpCoreContext.create(), LIBRARY_RESULT);
    exchange.cancelled();
    exchange.releaseResources();
    assertEquals(List.of("headers 204", "complete"), told);
  }

  @Test
  void aFailureBeforeTheEndOfTheBodyIsReportedOnce() throws Exception {
    responseWithBody("{\"a\":");
    exchange.failed(new IOException("connection reset"));
    exchange.streamEnd(null);
    exchange.releaseResources();
    assertEquals(List.of("headers 200", "body {\"a\":", "failure"), told);
  }

  @Test
  void afterAnAbortNothingMoreIsReportedNotEvenAnEndedBody() throws Exception {
    responseWithBody("{}");
    exchange.abort();
    exchange.streamEnd(null);
    exchange.failed(new InterruptedIOException());
    exchange.releaseResources();
    assertEquals(List.of("headers 200", "body {}"), told);
  }

  /** A capacity channel that records what the exchange gave. */
  private static final class Capacity implements CapacityChannel {
    final List<Integer> given = new CopyOnWriteArrayList<>();

    @Override
    public void update(int increment) {
      given.add(increment);
    }
  }

  private void headers(int length) throws Exception {
    exchange.consumeResponse(
        new BasicHttpResponse(200),
        new BasicEntityDetails(length, ContentType.APPLICATION_OCTET_STREAM),
        HttpCoreContext.create(),
        LIBRARY_RESULT);
  }

  private static ByteBuffer text(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void noBodyBeforeDemandAndNeverMoreCallsThanDemand() throws Exception {
    headers(6);
    exchange.consume(text("ab")); // HC5 read these with its initial window: kept, copied
    exchange.consume(text("cd"));
    assertEquals(List.of("headers 200"), told);
    exchange.request(1);
    assertEquals(List.of("headers 200", "body ab"), told);
    exchange.request(5);
    exchange.consume(text("ef"));
    exchange.streamEnd(null);
    exchange.releaseResources();
    assertEquals(List.of("headers 200", "body ab", "body cd", "body ef", "complete"), told);
  }

  @Test
  void theCompletionWaitsBehindTheChunksKept() throws Exception {
    headers(4);
    exchange.consume(text("ab"));
    exchange.consume(text("cd"));
    exchange.streamEnd(null);
    exchange.releaseResources(); // the connection is back in the pool; the body is not yet read
    assertEquals(List.of("headers 200"), told);
    exchange.request(1);
    assertEquals(List.of("headers 200", "body ab"), told);
    exchange.request(1);
    assertEquals(List.of("headers 200", "body ab", "body cd", "complete"), told);
  }

  @Test
  void aKeptChunkIsACopyHc5MayReuseItsBuffer() throws Exception {
    headers(2);
    ByteBuffer reused = text("ab");
    exchange.consume(reused);
    assertEquals(0, reused.remaining(), "consumed whole");
    reused.clear();
    reused.put("zz".getBytes(StandardCharsets.UTF_8));
    exchange.request(1);
    assertEquals(List.of("headers 200", "body ab"), told);
  }

  @Test
  void capacityOnlyWhileDemandIsOutstanding() throws Exception {
    Capacity channel = new Capacity();
    headers(1_000_000);
    exchange.updateCapacity(channel); // HC5's initial window is spent; no demand yet
    assertEquals(List.of(), channel.given);
    exchange.request(2);
    assertEquals(List.of(ApacheExchange.INCREMENT), channel.given);
    exchange.request(2); // HC5 has not asked again: nothing more
    assertEquals(List.of(ApacheExchange.INCREMENT), channel.given);
    for (int i = 0; i < 4; i++) {
      exchange.consume(text("x"));
    }
    exchange.consume(text("y")); // beyond demand: kept
    exchange.updateCapacity(channel); // demand used up: HC5 gets nothing and stops reading
    assertEquals(List.of(ApacheExchange.INCREMENT), channel.given);
    exchange.request(1); // met by the kept chunk: still nothing for HC5
    assertEquals(List.of(ApacheExchange.INCREMENT), channel.given);
    assertEquals(6, told.size());
    exchange.request(1); // now outstanding
    assertEquals(List.of(ApacheExchange.INCREMENT, ApacheExchange.INCREMENT), channel.given);
  }

  @Test
  void unboundedDemandGivesUnboundedCapacityEveryTime() throws Exception {
    Capacity channel = new Capacity();
    headers(1_000_000);
    exchange.request(Long.MAX_VALUE);
    exchange.updateCapacity(channel);
    exchange.consume(text("x"));
    exchange.updateCapacity(channel);
    assertEquals(List.of(Integer.MAX_VALUE, Integer.MAX_VALUE), channel.given);
  }

  @Test
  void demandAskedInsideOnBodyIsServedAfterItReturnsNotInsideIt() throws Exception {
    AtomicInteger depth = new AtomicInteger();
    AtomicInteger deepest = new AtomicInteger();
    List<String> bodies = new CopyOnWriteArrayList<>();
    ApacheExchange[] self = new ApacheExchange[1];
    ApacheExchange reentrant =
        new ApacheExchange(
            new ExchangeRequest(
                Request.get("http://127.0.0.1:1/"), Duration.ofSeconds(1), Duration.ofSeconds(1)),
            new ExchangeListener() {
              @Override
              public void onRequestSent() {}

              @Override
              public void onResponseHeaders(int status, Headers headers) {}

              @Override
              public void onBody(ByteBuffer chunk) {
                deepest.accumulateAndGet(depth.incrementAndGet(), Math::max);
                bodies.add(StandardCharsets.UTF_8.decode(chunk).toString());
                self[0].request(1); // the next one, asked from inside this call
                depth.decrementAndGet();
              }

              @Override
              public void onComplete() {
                bodies.add("complete");
              }

              @Override
              public void onFailure(Fault fault, Throwable cause) {}

              @Override
              public void onFailure(TransportException failure) {}
            });
    self[0] = reentrant;
    reentrant.consumeResponse(
        new BasicHttpResponse(200),
        new BasicEntityDetails(3, ContentType.APPLICATION_OCTET_STREAM),
        HttpCoreContext.create(),
        LIBRARY_RESULT);
    for (String c : List.of("a", "b", "c")) {
      reentrant.consume(text(c)); // no demand yet: kept
    }
    reentrant.streamEnd(null);
    reentrant.releaseResources();
    assertEquals(List.of(), bodies);
    reentrant.request(1); // each onBody asks for the next: served by this loop, not inside it
    assertEquals(List.of("a", "b", "c", "complete"), bodies);
    assertEquals(1, deepest.get(), "an onBody was delivered inside another");
  }

  @Test
  void oneListenerCallAtATimeWhileConsumersAskFromOtherThreads() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger bodies = new AtomicInteger();
    CountDownLatch completed = new CountDownLatch(1);
    ApacheExchange[] self = new ApacheExchange[1];
    ExchangeListener counting =
        new ExchangeListener() {
          private void enter() {
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            Thread.onSpinWait();
            inside.decrementAndGet();
          }

          @Override
          public void onRequestSent() {
            enter();
          }

          @Override
          public void onResponseHeaders(int status, Headers headers) {
            enter();
          }

          @Override
          public void onBody(ByteBuffer chunk) {
            enter();
            bodies.incrementAndGet();
          }

          @Override
          public void onComplete() {
            enter();
            completed.countDown();
          }

          @Override
          public void onFailure(Fault fault, Throwable cause) {
            enter();
          }

          @Override
          public void onFailure(TransportException failure) {
            enter();
          }
        };
    ApacheExchange e =
        new ApacheExchange(
            new ExchangeRequest(
                Request.get("http://127.0.0.1:1/"), Duration.ofSeconds(1), Duration.ofSeconds(1)),
            counting);
    self[0] = e;
    int chunks = 20_000;
    e.consumeResponse(
        new BasicHttpResponse(200),
        new BasicEntityDetails(chunks, ContentType.APPLICATION_OCTET_STREAM),
        HttpCoreContext.create(),
        LIBRARY_RESULT);
    Thread consumer =
        new Thread(
            () -> {
              for (int i = 0; i < chunks + 1; i++) {
                e.request(1);
                if (i % 64 == 0) {
                  Thread.yield();
                }
              }
            });
    consumer.start();
    for (int i = 0; i < chunks; i++) { // the I/O thread's side
      e.consume(text("x"));
    }
    e.streamEnd(null);
    e.releaseResources();
    consumer.join(30_000);
    assertTrue(completed.await(30, TimeUnit.SECONDS), "completed after every chunk was asked");
    assertEquals(chunks, bodies.get());
    assertEquals(0, overlaps.get(), "listener calls overlapped");
  }
}
