package dev.switchboard;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Objects;

/**
 * An immutable HTTP response whose body has been read completely (and decoded from gzip or deflate
 * when compression is on). Safe to share between threads; the body can be read any number of times.
 */
public final class Response {
  private final int status;
  private final Headers headers;
  private final byte[] body;
  private final Request request;
  private final String transport;
  private final StreamedBody streamed; // the body still streaming (a stream() call), or null

  private static final byte[] NO_BYTES = new byte[0];

  private Response(Builder b) {
    this(b.request, b.status, b.headers, b.body, b.transport, b.streamed);
  }

  private Response(
      Request request,
      int status,
      Headers headers,
      byte[] body,
      String transport,
      StreamedBody streamed) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.request = request;
    this.transport = transport;
    this.streamed = streamed;
  }

  /**
   * The head of a response whose body is still streaming (a {@link Transport#stream} call, as an
   * interceptor sees it): reading its body here throws.
   */
  static Response streaming(
      Request request, int status, Headers headers, String transport, StreamedBody body) {
    return new Response(request, status, headers, NO_BYTES, transport, body);
  }

  /** The body still streaming, or null for a response read whole. */
  StreamedBody streamed() {
    return streamed;
  }

  private byte[] body() {
    if (streamed != null) {
      throw new IllegalStateException(
          "this response's body is streaming (Transport.stream): read it from the"
              + " StreamingResponse, not here");
    }
    return body;
  }

  /**
   * A response as the transport received it, without a builder: {@code body} is taken as it is (not
   * copied) and {@code status} is an HTTP status the engine already parsed.
   */
  static Response received(
      Request request, int status, Headers headers, byte[] body, String transport) {
    return new Response(request, status, headers, body, transport, null);
  }

  /**
   * A builder, for interceptors and tests that make or rewrite responses.
   *
   * @param request the request this answers
   * @param status the status code (100-999)
   */
  public static Builder builder(Request request, int status) {
    return new Builder(request, status);
  }

  /** A builder holding everything this response holds. */
  public Builder toBuilder() {
    Builder b = new Builder(request, status);
    b.headers = headers;
    b.body = body;
    b.transport = transport;
    b.streamed = streamed;
    return b;
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /**
   * The reason phrase of {@link #status()} as RFC 9110 registers it ("Not Found"), or an empty
   * string for a status it does not list. Switchboard does not keep the phrase the server sent.
   */
  public String reasonPhrase() {
    return Statuses.phrase(status);
  }

  /** The headers (without Content-Encoding once the body was decoded). */
  public Headers headers() {
    return headers;
  }

  /** The first value of header {@code name} (any case), or {@code null}. */
  public String header(String name) {
    return headers.first(name);
  }

  /** A copy of the body; empty for HEAD, 204 and 304. */
  public byte[] bytes() {
    return body().clone();
  }

  /** The body's length in bytes. */
  public int length() {
    return body().length;
  }

  /** The body as text, in the charset of Content-Type, UTF-8 when none is named. */
  public String text() {
    return new String(body(), charset());
  }

  /**
   * The body read as JSON into {@code type} (a class, record, {@code Map}…).
   *
   * @throws DecodeException when the body is not JSON of that shape; the response stays readable
   */
  public <T> T json(Class<T> type) {
    return json((Type) type);
  }

  /**
   * The body read as JSON into a generic {@code type}, e.g. the type of a {@code List<Hit>} taken
   * from a {@code TypeReference} or a field.
   *
   * @throws DecodeException when the body is not JSON of that shape; the response stays readable
   */
  public <T> T json(Type type) {
    Objects.requireNonNull(type, "type");
    byte[] body = body();
    if (body.length == 0) {
      throw new DecodeException(
          "empty body cannot be read as JSON " + type.getTypeName(), this, null);
    }
    try {
      return Json.read(body, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new DecodeException(
          "body is not JSON of type " + type.getTypeName() + ": " + firstLine(e.getMessage()),
          this,
          e);
    }
  }

  /** The request this answers (after redirects, the last one sent). */
  public Request request() {
    return request;
  }

  /** The name of the transport that carried it. */
  public String transport() {
    return transport;
  }

  /** The charset named by Content-Type, or UTF-8. */
  public Charset charset() {
    String type = headers.first("Content-Type");
    if (type != null) {
      for (String param : type.split(";")) {
        String p = param.strip();
        if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
          String name = p.substring(8).strip().replace("\"", "");
          try {
            return Charset.forName(name);
          } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return StandardCharsets.UTF_8;
          }
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  @Override
  public String toString() {
    return "Response["
        + status
        + " for "
        + (request == null ? "?" : request.summary())
        + ", "
        + (streamed != null ? "streaming" : body.length + " bytes")
        + " via "
        + transport
        + "]";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Builds a {@link Response}; not thread-safe. */
  public static final class Builder {
    private final Request request;
    private int status;
    private Headers headers = Headers.empty();
    private byte[] body = NO_BYTES;
    private String transport;
    private StreamedBody streamed;

    private Builder(Request request, int status) {
      this.request = request;
      status(status);
    }

    /** Sets the status code. */
    public Builder status(int status) {
      if (status < 100 || status > 999) {
        throw new IllegalArgumentException("status " + status + " is not an HTTP status (100-999)");
      }
      this.status = status;
      return this;
    }

    /** Sets the headers. */
    public Builder headers(Headers headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    /** Sets the body to a copy of {@code bytes}. */
    public Builder body(byte[] bytes) {
      this.body = bytes.clone();
      this.streamed = null;
      return this;
    }

    /** Sets the transport name. */
    public Builder transport(String transport) {
      this.transport = transport;
      return this;
    }

    /** Returns the response. */
    public Response build() {
      return new Response(this);
    }
  }
}
