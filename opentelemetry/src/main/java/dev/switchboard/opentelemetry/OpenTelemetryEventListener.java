package dev.switchboard.opentelemetry;

import dev.switchboard.AttemptEvent;
import dev.switchboard.CallEvent;
import dev.switchboard.EventListener;
import dev.switchboard.Headers;
import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.TransportException;
import dev.switchboard.UriTemplate;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * OpenTelemetry tracing for every call of a transport, after the HTTP client semantic conventions:
 * a {@link SpanKind#CLIENT} span per call, a child span per attempt after the first (a retry, a
 * redirect, a stale-connection resend) with {@code http.request.resend_count}, and the trace
 * context of the span each attempt belongs to sent with it, through the {@link OpenTelemetry}
 * instance's propagators (W3C {@code traceparent} by default). Set it on any transport:
 *
 * <pre>{@code
 * TransportConfig.builder().eventListener(OpenTelemetryEventListener.create(openTelemetry))
 * }</pre>
 *
 * <p>The call's span starts on the thread that called {@code send} or {@code stream}, as a child of
 * its current {@link Context}, and ends when the call does (for a stream, when its body was read or
 * closed). It is named after the method, or method and {@link UriTemplate} when the request carries
 * one, and has {@code http.request.method} ({@code _OTHER} with {@code
 * http.request.method_original} for a method outside RFC 9110), {@code url.full} (user info and the
 * query values of {@code AWSAccessKeyId}, {@code Signature}, {@code sig} and {@code
 * X-Goog-Signature} redacted), {@code url.template} when given, {@code server.address}, {@code
 * server.port} and {@code http.response.status_code}. A failed call has status {@link
 * StatusCode#ERROR}, {@code error.type} (the status code for an error status, otherwise the
 * exception's class name) and the exception recorded.
 *
 * <p>Thread-safe; one instance may serve many transports.
 */
public final class OpenTelemetryEventListener implements EventListener {
  static final String SCOPE = "dev.switchboard";
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> METHOD_ORIGINAL =
      AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  static final AttributeKey<String> URL_TEMPLATE = AttributeKey.stringKey("url.template");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final Set<String> SECRET_QUERY_KEYS =
      Set.of("AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature");
  private static final TextMapSetter<AttemptEvent> SETTER =
      (attempt, key, value) -> attempt.setHeader(key, value);

  /** The spans of one call: its own, and the child of the attempt in progress if it is a resend. */
  private static final class Spans {
    final Span call;
    Span resend;

    Spans(Span call) {
      this.call = call;
    }
  }

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private OpenTelemetryEventListener(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    this.tracer = openTelemetry.getTracer(SCOPE);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** A listener that traces through {@code openTelemetry}'s tracer and propagators. */
  public static OpenTelemetryEventListener create(OpenTelemetry openTelemetry) {
    return new OpenTelemetryEventListener(openTelemetry);
  }

  @Override
  public void callStart(CallEvent call) {
    Request r = call.request();
    UriTemplate template = call.tag(UriTemplate.class);
    String method = method(r);
    SpanBuilder b =
        tracer
            .spanBuilder(template == null ? method : method + " " + template.value())
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.current());
    request(b, r);
    if (template != null) {
      b.setAttribute(URL_TEMPLATE, template.value());
    }
    call.put(Spans.class, new Spans(b.startSpan()));
  }

  @Override
  public void attemptStart(AttemptEvent attempt) {
    Spans spans = attempt.call().get(Spans.class);
    if (spans == null) {
      return;
    }
    Span target = spans.call;
    String wireMethod = method(attempt.request());
    if (attempt.number() == 1 && !wireMethod.equals(method(attempt.call().request()))) {
      // the method on the wire (a GET with a body sent as POST, say) is the span's
      UriTemplate template = attempt.call().tag(UriTemplate.class);
      spans.call.updateName(template == null ? wireMethod : wireMethod + " " + template.value());
      spans.call.setAttribute(METHOD, wireMethod);
    }
    if (attempt.number() > 1) {
      endResend(spans, null);
      SpanBuilder b =
          tracer
              .spanBuilder(method(attempt.request()))
              .setSpanKind(SpanKind.CLIENT)
              .setParent(Context.root().with(spans.call))
              .setAttribute(RESEND_COUNT, (long) attempt.number() - 1);
      request(b, attempt.request());
      spans.resend = target = b.startSpan();
    }
    propagator.inject(Context.root().with(target), attempt, SETTER);
  }

  @Override
  public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
    Spans spans = attempt.call().get(Spans.class);
    if (spans != null) {
      Span s = attempt.number() > 1 && spans.resend != null ? spans.resend : spans.call;
      s.setAttribute(STATUS, (long) status);
      if (s != spans.call) {
        spans.call.setAttribute(STATUS, (long) status);
      }
    }
  }

  @Override
  public void responseBodyEnd(AttemptEvent attempt, long bytes) {
    Spans spans = attempt.call().get(Spans.class);
    if (spans != null) {
      endResend(spans, null);
    }
  }

  @Override
  public void attemptFailed(AttemptEvent attempt, TransportException failure) {
    Spans spans = attempt.call().get(Spans.class);
    if (spans != null) {
      endResend(spans, failure);
    }
  }

  @Override
  public void callEnd(CallEvent call, int status) {
    Spans spans = call.get(Spans.class);
    if (spans == null) {
      return;
    }
    endResend(spans, null);
    spans.call.setAttribute(STATUS, (long) status);
    if (status >= 400) {
      spans.call.setAttribute(ERROR_TYPE, String.valueOf(status));
      spans.call.setStatus(StatusCode.ERROR);
    }
    spans.call.end();
  }

  @Override
  public void callFailed(CallEvent call, TransportException failure) {
    Spans spans = call.get(Spans.class);
    if (spans == null) {
      return;
    }
    endResend(spans, null);
    fail(spans.call, failure);
    spans.call.end();
  }

  /** Ends the resend's span, if one is open, failed by {@code failure} when given. */
  private static void endResend(Spans spans, TransportException failure) {
    Span s = spans.resend;
    if (s == null) {
      return;
    }
    spans.resend = null;
    if (failure != null) {
      fail(s, failure);
    }
    s.end();
  }

  private static void fail(Span span, TransportException failure) {
    if (failure instanceof HttpStatusException e) {
      span.setAttribute(STATUS, (long) e.status());
      span.setAttribute(ERROR_TYPE, String.valueOf(e.status()));
    } else {
      span.setAttribute(ERROR_TYPE, failure.getClass().getName());
    }
    span.recordException(failure);
    span.setStatus(StatusCode.ERROR, failure.getMessage());
  }

  private static void request(SpanBuilder b, Request r) {
    URI uri = r.uri();
    String method = r.method().toUpperCase(Locale.ROOT);
    if (KNOWN_METHODS.contains(method)) {
      b.setAttribute(METHOD, method);
    } else {
      b.setAttribute(METHOD, "_OTHER");
      b.setAttribute(METHOD_ORIGINAL, r.method());
    }
    b.setAttribute(URL_FULL, redacted(uri));
    if (uri.getHost() != null) {
      b.setAttribute(SERVER_ADDRESS, uri.getHost());
    }
    int port =
        uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    b.setAttribute(SERVER_PORT, (long) port);
  }

  private static String method(Request r) {
    String m = r.method().toUpperCase(Locale.ROOT);
    return KNOWN_METHODS.contains(m) ? m : "HTTP";
  }

  /** {@code uri} with its user info and the values of known secret query keys redacted. */
  static String redacted(URI uri) {
    StringBuilder b = new StringBuilder();
    b.append(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) {
      b.append("REDACTED:REDACTED@");
    }
    b.append(uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1));
    b.append(uri.getRawPath() == null ? "" : uri.getRawPath());
    String query = uri.getRawQuery();
    if (query != null) {
      b.append('?');
      String[] pairs = query.split("&", -1);
      for (int i = 0; i < pairs.length; i++) {
        if (i > 0) {
          b.append('&');
        }
        int eq = pairs[i].indexOf('=');
        String key = eq < 0 ? pairs[i] : pairs[i].substring(0, eq);
        b.append(eq >= 0 && SECRET_QUERY_KEYS.contains(key) ? key + "=REDACTED" : pairs[i]);
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "OpenTelemetryEventListener";
  }
}
