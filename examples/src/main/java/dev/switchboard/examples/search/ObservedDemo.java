package dev.switchboard.examples.search;

import dev.switchboard.EventListener;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.micrometer.MicrometerEventListener;
import dev.switchboard.opentelemetry.OpenTelemetryEventListener;
import dev.switchboard.spi.TransportProvider;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The search page observed: on every transport, the three requests of {@link Demo} sent at once
 * inside one "search page" span, with {@link OpenTelemetryEventListener} and {@link
 * MicrometerEventListener} set on the transport and nothing else changed; prints the span tree and
 * the metrics the run produced.
 *
 * <p>Run it with {@code mvn -q -pl examples exec:java
 * -Dexec.mainClass=dev.switchboard.examples.search.ObservedDemo}; optional arguments: transport
 * names to limit the run to.
 */
public final class ObservedDemo {
  private ObservedDemo() {}

  /** What a run produced. */
  record Observed(List<SpanData> spans, SimpleMeterRegistry registry) {}

  /** Keeps every finished span, in the order they ended. */
  static final class Collected implements SpanExporter {
    final List<SpanData> spans = new CopyOnWriteArrayList<>();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /**
   * Runs the demo on a node it starts.
   *
   * @param args optional: transport names
   */
  public static void main(String[] args) {
    List<String> names = new ArrayList<>();
    for (TransportProvider p : Transports.providers()) {
      if (args.length == 0 || List.of(args).contains(p.name())) {
        names.add(p.name());
      }
    }
    try (EmbeddedOpenSearch node = EmbeddedOpenSearch.start()) {
      try (Transport t = Transports.create(SearchClient.recommendedConfig(names.get(0)))) {
        Demo.load(new SearchClient(t, node.uri()), System.out);
      }
      observe(node.uri(), names, System.out);
    }
  }

  /** Sends the search page's requests on each of {@code names}, observed, and prints both views. */
  static Observed observe(URI base, List<String> names, PrintStream out) {
    Collected collected = new Collected();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SdkTracerProvider tracing =
        SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(collected))
            .build()) {
      OpenTelemetrySdk otel =
          OpenTelemetrySdk.builder()
              .setTracerProvider(tracing)
              .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
              .build();
      EventListener observers =
          EventListener.all(
              OpenTelemetryEventListener.create(otel), MicrometerEventListener.create(registry));
      for (String name : names) {
        TransportConfig config =
            SearchClient.recommendedConfig(name).toBuilder().eventListener(observers).build();
        try (Transport transport = Transports.create(config)) {
          SearchClient client = new SearchClient(transport, base);
          Span page = otel.getTracer("demo").spanBuilder("search page [" + name + "]").startSpan();
          try (Scope ignored = page.makeCurrent()) {
            client.concurrent(
                () -> client.getMapping(Demo.INDEX),
                client::health,
                () -> client.search(Demo.INDEX, Demo.QUERY));
          } finally {
            page.end();
          }
        }
      }
    }
    Observed observed = new Observed(List.copyOf(collected.spans), registry);
    printSpans(observed.spans(), out);
    printMetrics(registry, out);
    return observed;
  }

  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");

  static void printSpans(List<SpanData> spans, PrintStream out) {
    out.println("spans (OpenTelemetry), parents first:");
    spans.stream()
        .filter(s -> !s.getParentSpanContext().isValid())
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
        .forEach(root -> printSpan(root, spans, "  ", out));
  }

  private static void printSpan(SpanData span, List<SpanData> all, String indent, PrintStream out) {
    Long status = span.getAttributes().get(STATUS);
    String url = span.getAttributes().get(URL);
    out.printf(
        Locale.ROOT,
        "%s%-28s %-7s %6.1f ms%s%n",
        indent,
        span.getName(),
        span.getKind(),
        (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6,
        (status == null ? "" : "  " + status) + (url == null ? "" : "  " + url));
    all.stream()
        .filter(c -> c.getParentSpanId().equals(span.getSpanId()))
        .sorted(Comparator.comparing(SpanData::getName))
        .forEach(c -> printSpan(c, all, indent + "  ", out));
  }

  static void printMetrics(SimpleMeterRegistry registry, PrintStream out) {
    out.println("metrics (Micrometer):");
    registry.getMeters().stream()
        .sorted(Comparator.comparing(m -> m.getId().getName() + m.getId().getTags()))
        .forEach(m -> out.println("  " + describe(m)));
  }

  private static String describe(Meter m) {
    String tags =
        m.getId().getTags().stream()
            .map(Tag::toString)
            .map(t -> t.substring("tag(".length(), t.length() - 1))
            .collect(Collectors.joining(",", "{", "}"));
    if (m instanceof Timer t) {
      return String.format(
          Locale.ROOT,
          "%s%s count=%d mean=%.1f ms",
          m.getId().getName(),
          tags,
          t.count(),
          t.mean(TimeUnit.MILLISECONDS));
    }
    StringBuilder b = new StringBuilder(m.getId().getName()).append(tags);
    m.measure()
        .forEach(x -> b.append(' ').append(x.getStatistic()).append('=').append(x.getValue()));
    return b.toString();
  }
}
