package dev.switchboard;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * An immutable request body: where its bytes come from, how many there are, and their content type.
 *
 * <h2>Kinds</h2>
 *
 * <ul>
 *   <li>In memory ({@link #of(byte[], String)}, {@link #of(String, String)}, {@link #json}, {@link
 *       #empty}): the bytes are copied when the body is made; repeatable.
 *   <li>A file ({@link #ofFile}): read from disk as it is sent, never held whole in memory; its
 *       length is the file's size when the body is made; repeatable.
 *   <li>An {@link InputStream} ({@link #ofInputStream}): the supplier is asked for a new stream for
 *       every attempt (retry, redirect, stale-connection resend), so the body is repeatable; a
 *       length of {@code -1} means unknown, and the body is sent chunked.
 *   <li>A {@link Flow.Publisher} ({@link #ofPublisher}): subscribed once; the body is not
 *       repeatable, and Switchboard never sends it a second time: a retry, a redirect or a
 *       stale-connection resend of it is refused, and the first outcome stands.
 * </ul>
 *
 * <p>A known length goes on the wire as {@code Content-Length} and must be exact: a source that
 * gives fewer or more bytes fails the exchange rather than send a body that does not match its
 * header. An unknown length ({@code -1}) goes as {@code Transfer-Encoding: chunked}.
 *
 * <h2>For engines</h2>
 *
 * An engine reads a body through {@link #openStream()} (blocking, for a library that writes on a
 * thread of its own) or {@link #publisher()} (non-blocking and demand-driven, for an event loop),
 * whatever its kind; {@link #isInMemory()} and {@link #asReadOnlyBuffer()} give in-memory bytes
 * without a copy. A failure of the body's own source (the user's stream throws, a file vanished,
 * the length is wrong) comes out of both views as a {@link
 * dev.switchboard.spi.BodySourceException}. With a known length, both views hand over the bytes
 * that complete it only once the source has ended there (end of stream, {@code onComplete}): a
 * source that fails at its end fails the exchange before the server can have the whole request. An
 * engine therefore never needs to wait for anything after the last declared byte, and must break
 * the connection, never end the body cleanly, when a view fails (for a chunked body: no terminating
 * chunk).
 */
public final class Body {
  private static final Body EMPTY = new Body(Kind.BYTES, new byte[0], null, null, null, 0, null);

  private enum Kind {
    BYTES,
    FILE,
    STREAM,
    PUBLISHER
  }

  private final Kind kind;
  private final byte[] bytes;
  private final Path file;
  private final Supplier<InputStream> streams;
  private final Flow.Publisher<ByteBuffer> source;
  private final long length;
  private final String contentType;
  private final AtomicBoolean claimed = new AtomicBoolean();

  private Body(
      Kind kind,
      byte[] bytes,
      Path file,
      Supplier<InputStream> streams,
      Flow.Publisher<ByteBuffer> source,
      long length,
      String contentType) {
    this.kind = kind;
    this.bytes = bytes;
    this.file = file;
    this.streams = streams;
    this.source = source;
    this.length = length;
    this.contentType = contentType;
  }

  /** Returns the empty body (zero bytes, no content type). */
  public static Body empty() {
    return EMPTY;
  }

  /**
   * Returns a body of a copy of {@code bytes}.
   *
   * @param contentType the Content-Type to send, or {@code null} for none
   */
  public static Body of(byte[] bytes, String contentType) {
    Objects.requireNonNull(bytes, "bytes");
    return new Body(Kind.BYTES, bytes.clone(), null, null, null, bytes.length, type(contentType));
  }

  /**
   * Returns a body of {@code text} encoded in UTF-8; when {@code contentType} names no charset,
   * {@code ; charset=UTF-8} is added to it.
   */
  public static Body of(String text, String contentType) {
    Objects.requireNonNull(text, "text");
    String type = contentType;
    if (type != null && !type.toLowerCase(Locale.ROOT).contains("charset=")) {
      type = type + "; charset=UTF-8";
    }
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return new Body(Kind.BYTES, b, null, null, null, b.length, type(type));
  }

  /**
   * Returns {@code value} serialized as JSON ({@code application/json}) with Switchboard's shared
   * Jackson mapper.
   *
   * @throws IllegalArgumentException when Jackson cannot serialize the value
   */
  public static Body json(Object value) {
    byte[] b = Json.write(value);
    return new Body(Kind.BYTES, b, null, null, null, b.length, "application/json");
  }

  /**
   * Returns a body read from {@code file} as it is sent, never held whole in memory. Its length is
   * the file's size now; a file that changes size before it is sent fails that exchange.
   *
   * @throws IllegalArgumentException when the file does not exist, is not a regular file or cannot
   *     be read
   */
  public static Body ofFile(Path file, String contentType) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(
          "Body.ofFile needs a readable regular file, and " + file + " is not one");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the size of " + file + ": " + e, e);
    }
    return new Body(Kind.FILE, null, file, null, null, size, type(contentType));
  }

  /**
   * Returns a body read from a stream the supplier opens for every attempt (so a retry or a
   * redirect sends it again from the start); each stream is closed once it has been sent or the
   * exchange has ended.
   *
   * @param length the exact number of bytes each stream gives, or {@code -1} when unknown (the body
   *     is then sent chunked)
   * @throws IllegalArgumentException when {@code length} is less than -1
   */
  public static Body ofInputStream(Supplier<InputStream> source, long length, String contentType) {
    Objects.requireNonNull(source, "source");
    return new Body(Kind.STREAM, null, null, source, null, checkLength(length), type(contentType));
  }

  /**
   * Returns a body taken from {@code source}, subscribed once, when the request is sent. It is not
   * repeatable: a retry, redirect or stale-connection resend of a request with this body is not
   * made. The buffers it publishes are read, never modified, and must not be changed by the
   * publisher after {@code onNext}.
   *
   * @param length the exact number of bytes it publishes, or {@code -1} when unknown (sent chunked)
   * @throws IllegalArgumentException when {@code length} is less than -1
   */
  public static Body ofPublisher(
      Flow.Publisher<ByteBuffer> source, long length, String contentType) {
    Objects.requireNonNull(source, "source");
    return new Body(
        Kind.PUBLISHER, null, null, null, source, checkLength(length), type(contentType));
  }

  private static long checkLength(long length) {
    if (length < -1) {
      throw new IllegalArgumentException(
          "a body length is the exact number of bytes, or -1 when unknown; got " + length);
    }
    return length;
  }

  private static String type(String contentType) {
    if (contentType != null) {
      Headers.validateValue("Content-Type", contentType);
    }
    return contentType;
  }

  /** Whether the body can be sent more than once (every kind but {@link #ofPublisher}). */
  public boolean isRepeatable() {
    return kind != Kind.PUBLISHER;
  }

  /** Whether the bytes are in memory ({@link #of}, {@link #json}, {@link #empty}). */
  public boolean isInMemory() {
    return kind == Kind.BYTES;
  }

  /** The number of bytes, or {@code -1} when unknown (the body is then sent chunked). */
  public long length() {
    return length;
  }

  /** Whether the body is known to have no bytes. A body of unknown length is not empty. */
  public boolean isEmpty() {
    return length == 0;
  }

  /** Returns the content type, or {@code null}. */
  public String contentType() {
    return contentType;
  }

  /**
   * Returns a copy of the bytes of an in-memory body.
   *
   * @throws IllegalStateException for a body that streams ({@link #isInMemory()} is false)
   */
  public byte[] bytes() {
    return inMemory().clone();
  }

  /**
   * Returns the bytes of an in-memory body as a read-only buffer without copying (position 0, limit
   * {@link #length()}). Each call returns a new buffer with its own position.
   *
   * @throws IllegalStateException for a body that streams
   */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(inMemory()).asReadOnlyBuffer();
  }

  /**
   * Writes the whole body to {@code out}, streaming it from its source.
   *
   * @throws dev.switchboard.spi.BodySourceException when the body's source fails
   * @throws IOException when {@code out} fails
   */
  public void writeTo(OutputStream out) throws IOException {
    if (kind == Kind.BYTES) {
      out.write(bytes);
      return;
    }
    try (InputStream in = openStream()) {
      in.transferTo(out);
    }
  }

  /**
   * Opens the body for one attempt as a blocking stream of exactly {@link #length()} bytes (or of
   * all the source gives, when the length is unknown). For a body of {@link #ofPublisher} this
   * subscribes the publisher, with bounded demand. The read that completes a known length returns
   * only once the source has ended there (or throws if it fails or gives more). Close it when done.
   */
  public InputStream openStream() {
    return switch (kind) {
      case BYTES -> new ByteArrayInputStream(bytes);
      case FILE -> BodySources.file(file, length);
      case STREAM -> BodySources.exact(BodySources.open(streams), length);
      case PUBLISHER -> BodySources.exact(new PublisherInputStream(source), length);
    };
  }

  /**
   * Opens the body for one attempt as a demand-driven publisher of read-only buffers, for an engine
   * on an event loop: a subscriber's thread never blocks on the body's source (a stream or a file
   * is read on Switchboard's body-reader threads). Single subscriber; exactly {@link #length()}
   * bytes when the length is known, else then {@code onError} with a {@link
   * dev.switchboard.spi.BodySourceException}. The item that completes a known length comes only
   * once the source has ended there, immediately before {@code onComplete}.
   */
  public Flow.Publisher<ByteBuffer> publisher() {
    return switch (kind) {
      case BYTES -> new StreamPublisher(() -> new ByteArrayInputStream(bytes), length, false);
      case FILE -> new StreamPublisher(() -> BodySources.file(file, length), length, true);
      case STREAM ->
          new StreamPublisher(
              () -> BodySources.exact(BodySources.open(streams), length), length, true);
      case PUBLISHER -> BodySources.exact(source, length);
    };
  }

  /**
   * For the api layer: takes the one send a body that is not repeatable allows; {@code false} when
   * it was already taken. Always {@code true} for a repeatable body.
   */
  boolean claimSend() {
    return isRepeatable() || claimed.compareAndSet(false, true);
  }

  /** What the body's source is, for messages: "a Flow.Publisher", "file /x", "an InputStream". */
  String describe() {
    return switch (kind) {
      case BYTES -> length + " bytes in memory";
      case FILE -> "file " + file;
      case STREAM -> "an InputStream";
      case PUBLISHER -> "a Flow.Publisher";
    };
  }

  /** Returns the bytes without copying; callers inside Switchboard must not modify them. */
  byte[] unsafeBytes() {
    return inMemory();
  }

  private byte[] inMemory() {
    if (kind != Kind.BYTES) {
      throw new IllegalStateException(
          "this body streams from "
              + describe()
              + " and has no byte array; read it with openStream() or publisher()");
    }
    return bytes;
  }

  /**
   * Two in-memory bodies are equal when their bytes and content types are; a streaming body is
   * equal only to itself.
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Body b
        && kind == Kind.BYTES
        && b.kind == Kind.BYTES
        && Arrays.equals(b.bytes, bytes)
        && Objects.equals(b.contentType, contentType);
  }

  @Override
  public int hashCode() {
    return kind == Kind.BYTES
        ? Arrays.hashCode(bytes) * 31 + Objects.hashCode(contentType)
        : System.identityHashCode(this);
  }

  @Override
  public String toString() {
    String what =
        switch (kind) {
          case BYTES -> length + " bytes";
          case FILE -> "file, " + length + " bytes";
          case STREAM -> "InputStream, " + (length < 0 ? "length unknown" : length + " bytes");
          case PUBLISHER -> "Publisher, " + (length < 0 ? "length unknown" : length + " bytes");
        };
    return "Body[" + what + (contentType == null ? "" : ", " + contentType) + "]";
  }
}
