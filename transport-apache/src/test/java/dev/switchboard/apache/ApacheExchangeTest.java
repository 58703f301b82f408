package dev.switchboard.apache;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.junit.jupiter.api.Test;

/**
 * The exchange's own bookkeeping, driven the way the client drives it: what reaches the listener
 * when the library reports a failure after the whole response was read, and before.
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
}
