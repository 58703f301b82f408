package dev.switchboard;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable HTTP request: method, URI, headers, an optional body, per-request timeout overrides
 * and the statuses the caller accepts as answers rather than errors.
 *
 * <p>Any method token may carry a body, {@code GET} and {@code DELETE} included (see {@link
 * TransportConfig#getWithBody()} for how a GET body is sent). Header names and values are validated
 * when the request is built, so a value containing CR or LF is refused before anything is sent. A
 * request can be sent any number of times and shared between threads.
 */
public final class Request {
  private final String method;
  private final URI uri;
  private final Headers headers;
  private final Body body;
  private final Duration connectTimeout;
  private final Duration responseTimeout;
  private final Duration readTimeout;
  private final Duration requestTimeout;
  private final int[] acceptStatus;
  private final Map<Class<?>, Object> tags;

  private Request(Builder b) {
    this.method = b.method;
    this.uri = b.uri;
    this.headers = b.headers.build();
    this.body = b.body;
    this.connectTimeout = b.connectTimeout;
    this.responseTimeout = b.responseTimeout;
    this.readTimeout = b.readTimeout;
    this.requestTimeout = b.requestTimeout;
    this.acceptStatus = b.acceptStatus;
    this.tags = b.tags.isEmpty() ? Map.of() : Map.copyOf(b.tags);
  }

  /** A GET of {@code uri}. */
  public static Request get(String uri) {
    return builder("GET", parse(uri)).build();
  }

  /** A GET of {@code uri}. */
  public static Request get(URI uri) {
    return builder("GET", uri).build();
  }

  /** A POST of {@code body} to {@code uri}. */
  public static Request post(String uri, Body body) {
    return builder("POST", parse(uri)).body(body).build();
  }

  /** A POST of {@code body} to {@code uri}. */
  public static Request post(URI uri, Body body) {
    return builder("POST", uri).body(body).build();
  }

  /**
   * A builder for any method token ({@code GET}, {@code PROPFIND}…) and URI. The URI may be
   * relative only when the request is sent through a transport that resolves it (such as a
   * cluster).
   */
  public static Builder builder(String method, URI uri) {
    return new Builder(method, uri);
  }

  /** A builder for {@code method} and {@code uri}. */
  public static Builder builder(String method, String uri) {
    return new Builder(method, parse(uri));
  }

  /** Returns a builder holding everything this request holds. */
  public Builder toBuilder() {
    Builder b = new Builder(this);
    b.headers = headers.toBuilder();
    b.body = body;
    b.connectTimeout = connectTimeout;
    b.responseTimeout = responseTimeout;
    b.readTimeout = readTimeout;
    b.requestTimeout = requestTimeout;
    b.acceptStatus = acceptStatus;
    b.tags.putAll(tags);
    return b;
  }

  private Request(Request base, String method, Headers headers) {
    this.method = method;
    this.uri = base.uri;
    this.headers = headers;
    this.body = base.body;
    this.connectTimeout = base.connectTimeout;
    this.responseTimeout = base.responseTimeout;
    this.readTimeout = base.readTimeout;
    this.requestTimeout = base.requestTimeout;
    this.acceptStatus = base.acceptStatus;
    this.tags = base.tags;
  }

  /**
   * This request with another method and headers, for the layer's own changes on the way to the
   * engine; both were validated by the caller.
   */
  Request with(String method, Headers headers) {
    return method.equals(this.method) && headers == this.headers
        ? this
        : new Request(this, method, headers);
  }

  /** The method token, as given (upper case by convention). */
  public String method() {
    return method;
  }

  /** The URI. */
  public URI uri() {
    return uri;
  }

  /** The headers set by the caller (the transport adds User-Agent and Accept-Encoding). */
  public Headers headers() {
    return headers;
  }

  /** The first value of header {@code name}, or {@code null}. */
  public String header(String name) {
    return headers.first(name);
  }

  /** The body; {@link Body#empty()} when none was set. */
  public Body body() {
    return body;
  }

  /** Whether a non-empty body was set. */
  public boolean hasBody() {
    return !body.isEmpty();
  }

  /** The connect timeout for this request, or {@code null} to use the transport's. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The response timeout for this request, or {@code null} to use the transport's. */
  public Duration responseTimeout() {
    return responseTimeout;
  }

  /** The read timeout for this request, or {@code null} to use the transport's. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** The whole-exchange timeout for this request, or {@code null} to use the transport's. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Whether a response with {@code status} is returned to the caller instead of thrown. */
  public boolean accepts(int status) {
    if (status < 400) {
      return true;
    }
    for (int s : acceptStatus) {
      if (s == status) {
        return true;
      }
    }
    return false;
  }

  /** The statuses of 400 and above accepted as answers, in the order given. */
  public int[] acceptStatus() {
    return acceptStatus.clone();
  }

  /** Whether the method is idempotent by RFC 9110 (GET, HEAD, PUT, DELETE, OPTIONS, TRACE). */
  public boolean isIdempotent() {
    return IDEMPOTENT.contains(method.toUpperCase(Locale.ROOT));
  }

  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");

  /**
   * The tag of this type set with {@link Builder#tag}, or {@code null}: what the caller attached
   * for its interceptors and {@link EventListener} (a URI template, a trace context, an operation
   * name). Tags are never sent; they survive {@link #toBuilder()}, redirects and resends.
   */
  public <T> T tag(Class<T> type) {
    return type.cast(tags.get(type));
  }

  /** Method and URI, with credentials in the URI redacted. */
  public String summary() {
    return method + " " + Redaction.uri(uri);
  }

  @Override
  public String toString() {
    return "Request[" + summary() + ", headers=" + headers + ", body=" + body + "]";
  }

  private static URI parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    try {
      return URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + uri + "' is not a valid URI: " + e.getMessage() + "; percent-encode spaces and %",
          e);
    }
  }

  /** Builds a {@link Request}; not thread-safe. */
  public static final class Builder {
    private String method;
    private URI uri;
    private Headers.Builder headers = Headers.builder();
    private Body body = Body.empty();
    private Duration connectTimeout;
    private Duration responseTimeout;
    private Duration readTimeout;
    private Duration requestTimeout;
    private int[] acceptStatus = new int[0];
    private final Map<Class<?>, Object> tags = new HashMap<>();

    private Builder(String method, URI uri) {
      method(method);
      uri(uri);
    }

    /** Starts from a built request, whose method and URI were checked when it was built. */
    private Builder(Request built) {
      this.method = built.method;
      this.uri = built.uri;
    }

    /** Sets the method token. */
    public Builder method(String method) {
      Objects.requireNonNull(method, "method");
      if (!Headers.isToken(method)) {
        throw new IllegalArgumentException(
            "method '" + method + "' is not an HTTP token; use e.g. GET, POST or PROPFIND");
      }
      this.method = method;
      return this;
    }

    /** Sets the URI. */
    public Builder uri(URI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      String scheme = uri.getScheme();
      if (scheme != null && !scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
        throw new IllegalArgumentException(
            "URI scheme '"
                + scheme
                + "' is not supported; use http or https: "
                + Redaction.uri(uri));
      }
      return this;
    }

    /** Appends a header, keeping earlier values of the same name. */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Replaces every value of header {@code name} with {@code value}. */
    public Builder setHeader(String name, String value) {
      headers.set(name, value);
      return this;
    }

    /** Removes header {@code name}. */
    public Builder removeHeader(String name) {
      headers.remove(name);
      return this;
    }

    /** Replaces all headers. */
    public Builder headers(Headers headers) {
      this.headers = headers.toBuilder();
      return this;
    }

    /**
     * Sets the body; its content type, when it has one, becomes the Content-Type header unless one
     * was set explicitly.
     */
    public Builder body(Body body) {
      this.body = Objects.requireNonNull(body, "body");
      return this;
    }

    /** Sets {@code value} serialized as JSON as the body ({@link Body#json(Object)}). */
    public Builder json(Object value) {
      return body(Body.json(value));
    }

    /** Overrides the transport's connect timeout for this request. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = TransportConfig.positive("connectTimeout", timeout);
      return this;
    }

    /** Overrides the transport's response timeout for this request. */
    public Builder responseTimeout(Duration timeout) {
      this.responseTimeout = TransportConfig.positive("responseTimeout", timeout);
      return this;
    }

    /**
     * Overrides the transport's read timeout (the longest silence in the body) for this request.
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = TransportConfig.positive("readTimeout", timeout);
      return this;
    }

    /** Overrides the transport's whole-exchange timeout for this request. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = TransportConfig.positive("requestTimeout", timeout);
      return this;
    }

    /** Statuses of 400 and above to return as responses instead of throwing. */
    public Builder acceptStatus(int... statuses) {
      for (int s : statuses) {
        if (s < 100 || s > 999) {
          throw new IllegalArgumentException(
              "acceptStatus: " + s + " is not an HTTP status (100-999)");
        }
      }
      this.acceptStatus = Arrays.stream(statuses).distinct().toArray();
      return this;
    }

    /**
     * Attaches {@code value} under its type, replacing an earlier tag of that type; {@code null}
     * removes it. Read with {@link Request#tag(Class)}.
     */
    public <T> Builder tag(Class<T> type, T value) {
      Objects.requireNonNull(type, "type");
      if (value == null) {
        tags.remove(type);
      } else {
        tags.put(type, type.cast(value));
      }
      return this;
    }

    /** Returns the immutable request. */
    public Request build() {
      if (body.contentType() != null && !headers.contains("Content-Type")) {
        headers.add("Content-Type", body.contentType());
      }
      return new Request(this);
    }
  }
}
