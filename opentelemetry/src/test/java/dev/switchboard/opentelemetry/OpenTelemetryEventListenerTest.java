package dev.switchboard.opentelemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.ConnectionException;
import dev.switchboard.Request;
import dev.switchboard.RetryPolicy;
import dev.switchboard.ServerErrorException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.UriTemplate;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spans, their attributes and the trace context sent, on each transport, over loopback. */
class OpenTelemetryEventListenerTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracing =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(tracing)
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private final List<String> traceparents = new CopyOnWriteArrayList<>();
  private final AtomicInteger busyLeft = new AtomicInteger();
  private HttpServer server;
  private Transport transport;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/",
        x -> {
          x.getRequestBody().readAllBytes();
          String path = x.getRequestURI().getPath();
          traceparents.add(path + " " + x.getRequestHeaders().getFirst("traceparent"));
          int status = path.startsWith("/broken") ? 500 : 200;
          if (path.startsWith("/busy") && busyLeft.getAndDecrement() > 0) {
            status = 503;
          }
          byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status, body.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    if (transport != null) {
      transport.close();
    }
    server.stop(0);
    tracing.close();
  }

  private Transport transport(String provider, TransportConfig.Builder config) {
    transport =
        Transports.create(
            config
                .provider(provider)
                .eventListener(OpenTelemetryEventListener.create(otel))
                .build());
    return transport;
  }

  private String uri(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The finished spans, once {@code n} have ended (up to 10 s). */
  private List<SpanData> spans(int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (exporter.getFinishedSpanItems().size() < n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(n, spans.size(), "finished spans: " + spans);
    return spans;
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void aCallIsAClientSpanUnderTheCallersSpanAndSendsItsTraceContext(String provider)
      throws Exception {
    Transport t = transport(provider, TransportConfig.builder());
    Span parent = otel.getTracer("test").spanBuilder("search").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      t.execute(
          Request.builder("GET", uri("/books/_doc/7"))
              .tag(UriTemplate.class, UriTemplate.of("/{index}/_doc/{id}"))
              .build());
    }
    parent.end();
    SpanData call = spans(2).get(0);
    assertEquals("GET /{index}/_doc/{id}", call.getName());
    assertEquals(SpanKind.CLIENT, call.getKind());
    assertEquals(parent.getSpanContext().getSpanId(), call.getParentSpanId(), "parent span");
    assertEquals(parent.getSpanContext().getTraceId(), call.getTraceId(), "trace");
    var a = call.getAttributes();
    assertEquals("GET", a.get(OpenTelemetryEventListener.METHOD));
    assertEquals(uri("/books/_doc/7"), a.get(OpenTelemetryEventListener.URL_FULL));
    assertEquals("/{index}/_doc/{id}", a.get(OpenTelemetryEventListener.URL_TEMPLATE));
    assertEquals("127.0.0.1", a.get(OpenTelemetryEventListener.SERVER_ADDRESS));
    assertEquals(
        (long) server.getAddress().getPort(), a.get(OpenTelemetryEventListener.SERVER_PORT));
    assertEquals(200L, a.get(OpenTelemetryEventListener.STATUS));
    assertNull(a.get(OpenTelemetryEventListener.ERROR_TYPE));
    assertEquals(StatusCode.UNSET, call.getStatus().getStatusCode());
    assertEquals(
        List.of("/books/_doc/7 " + tp(call)), traceparents, "the traceparent the server received");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void failuresSetTheErrorTypeAndStatus(String provider) throws Exception {
    Transport t = transport(provider, TransportConfig.builder());
    assertThrows(ServerErrorException.class, () -> t.execute(Request.get(uri("/broken"))));
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThrows(
        ConnectionException.class,
        () -> t.execute(Request.get("http://127.0.0.1:" + closed + "/refused")));
    List<SpanData> spans = spans(2);
    SpanData broken = spans.get(0);
    assertEquals("500", broken.getAttributes().get(OpenTelemetryEventListener.ERROR_TYPE));
    assertEquals(500L, broken.getAttributes().get(OpenTelemetryEventListener.STATUS));
    assertEquals(StatusCode.ERROR, broken.getStatus().getStatusCode());
    SpanData refused = spans.get(1);
    assertEquals(
        ConnectionException.class.getName(),
        refused.getAttributes().get(OpenTelemetryEventListener.ERROR_TYPE));
    assertEquals(StatusCode.ERROR, refused.getStatus().getStatusCode());
    assertTrue(
        refused.getEvents().stream().anyMatch(e -> e.getName().equals("exception")),
        "the exception is recorded");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "okhttp", "apache"})
  void eachResendIsAChildSpanWithItsCountAndItsOwnTraceContext(String provider) throws Exception {
    busyLeft.set(2);
    RetryPolicy retry = RetryPolicy.builder().baseDelay(Duration.ofMillis(5)).build();
    Transport t = transport(provider, TransportConfig.builder().interceptor(retry));
    t.execute(Request.get(uri("/busy")));
    List<SpanData> spans = spans(3);
    SpanData first = spans.get(0);
    SpanData second = spans.get(1);
    SpanData call = spans.get(2);
    assertEquals(call.getSpanId(), first.getParentSpanId());
    assertEquals(call.getSpanId(), second.getParentSpanId());
    assertEquals(1L, first.getAttributes().get(OpenTelemetryEventListener.RESEND_COUNT));
    assertEquals(503L, first.getAttributes().get(OpenTelemetryEventListener.STATUS));
    assertEquals(2L, second.getAttributes().get(OpenTelemetryEventListener.RESEND_COUNT));
    assertEquals(200L, second.getAttributes().get(OpenTelemetryEventListener.STATUS));
    assertEquals(200L, call.getAttributes().get(OpenTelemetryEventListener.STATUS));
    assertEquals(
        List.of("/busy " + tp(call), "/busy " + tp(first), "/busy " + tp(second)),
        traceparents,
        "each attempt sends the trace context of its own span");
  }

  /** The W3C traceparent of {@code span}. */
  private static String tp(SpanData span) {
    return "00-"
        + span.getTraceId()
        + "-"
        + span.getSpanId()
        + "-"
        + span.getSpanContext().getTraceFlags().asHex();
  }

  @Test
  void credentialsAndSignaturesNeverReachTheSpan() {
    assertEquals(
        "https://REDACTED:REDACTED@search.example:9200/i/_search?q=x&Signature=REDACTED&sig=REDACTED",
        OpenTelemetryEventListener.redacted(
            URI.create("https://user:pw@search.example:9200/i/_search?q=x&Signature=abc&sig=def")));
    assertEquals(
        "http://127.0.0.1:9/",
        OpenTelemetryEventListener.redacted(URI.create("http://127.0.0.1:9/")));
  }
}
