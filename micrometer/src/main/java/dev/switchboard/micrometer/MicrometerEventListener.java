package dev.switchboard.micrometer;

import dev.switchboard.CallEvent;
import dev.switchboard.EventListener;
import dev.switchboard.HttpStatusException;
import dev.switchboard.TransportException;
import dev.switchboard.UriTemplate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Micrometer metrics for every call of a transport, after Micrometer's HTTP client conventions: a
 * {@link Timer} {@code http.client.requests} per call, from its start to its end (a stream's end is
 * when its body was read or closed), and a gauge {@code http.client.requests.active} of the calls
 * in flight. Set it on any transport:
 *
 * <pre>{@code
 * TransportConfig.builder().eventListener(MicrometerEventListener.create(registry))
 * }</pre>
 *
 * <p>The timer's tags: {@code method}; {@code uri}, the request's {@link UriTemplate} tag or {@code
 * none} (never the raw path, so that the number of series stays bounded); {@code status}, the
 * response's code, or {@code CLIENT_ERROR} when there was none; {@code outcome} ({@code SUCCESS},
 * {@code REDIRECTION}, {@code CLIENT_ERROR}, {@code SERVER_ERROR}, {@code INFORMATIONAL}, or {@code
 * UNKNOWN} without a response); {@code exception}, the simple name of the exception the caller got
 * or {@code none}; {@code server.address} and {@code server.port}; and {@code transport}. One call
 * is one sample, whatever its retries, redirects and resends (an {@link
 * dev.switchboard.AttemptEvent} is not timed on its own).
 *
 * <p>Thread-safe; one instance may serve many transports (the gauge then counts all their calls).
 */
public final class MicrometerEventListener implements EventListener {
  /** The timer's name. */
  public static final String TIMER = "http.client.requests";

  /** The in-flight gauge's name. */
  public static final String ACTIVE = "http.client.requests.active";

  private final MeterRegistry registry;
  private final AtomicLong active = new AtomicLong();

  private MicrometerEventListener(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    Gauge.builder(ACTIVE, active, AtomicLong::get)
        .description("Switchboard calls in flight")
        .register(registry);
  }

  /** A listener that records into {@code registry}. */
  public static MicrometerEventListener create(MeterRegistry registry) {
    return new MicrometerEventListener(registry);
  }

  @Override
  public void callStart(CallEvent call) {
    active.incrementAndGet();
  }

  @Override
  public void callEnd(CallEvent call, int status) {
    record(call, String.valueOf(status), outcome(status), "none");
  }

  @Override
  public void callFailed(CallEvent call, TransportException failure) {
    String exception = failure.getClass().getSimpleName();
    if (failure instanceof HttpStatusException e) {
      record(call, String.valueOf(e.status()), outcome(e.status()), exception);
    } else {
      record(call, "CLIENT_ERROR", "UNKNOWN", exception);
    }
  }

  private void record(CallEvent call, String status, String outcome, String exception) {
    long nanos = System.nanoTime() - call.startNanos();
    URI uri = call.request().uri();
    UriTemplate template = call.tag(UriTemplate.class);
    Tags tags =
        Tags.of(
            Tag.of("method", call.request().method()),
            Tag.of("uri", template == null ? "none" : template.value()),
            Tag.of("status", status),
            Tag.of("outcome", outcome),
            Tag.of("exception", exception),
            Tag.of("server.address", uri.getHost() == null ? "none" : uri.getHost()),
            Tag.of("server.port", String.valueOf(port(uri))),
            Tag.of("transport", call.transport()));
    Timer.builder(TIMER)
        .description("Switchboard calls, from start to end")
        .tags(tags)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    active.decrementAndGet(); // after the sample: a call out of the gauge is in the timer
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  static String outcome(int status) {
    if (status < 100) {
      return "UNKNOWN";
    }
    if (status < 200) {
      return "INFORMATIONAL";
    }
    if (status < 300) {
      return "SUCCESS";
    }
    if (status < 400) {
      return "REDIRECTION";
    }
    if (status < 500) {
      return "CLIENT_ERROR";
    }
    return status < 600 ? "SERVER_ERROR" : "UNKNOWN";
  }

  @Override
  public String toString() {
    return "MicrometerEventListener[" + registry.getClass().getSimpleName() + "]";
  }
}
