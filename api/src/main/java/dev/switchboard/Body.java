package dev.switchboard;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable request body: bytes and their content type.
 *
 * <p>A body can be sent any number of times (retries, redirects). The bytes given to {@link
 * #of(byte[], String)} are copied, so later changes to the caller's array have no effect.
 */
public final class Body {
  private static final Body EMPTY = new Body(new byte[0], null);

  private final byte[] bytes;
  private final String contentType;

  private Body(byte[] bytes, String contentType) {
    this.bytes = bytes;
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
    if (contentType != null) {
      Headers.validateValue("Content-Type", contentType);
    }
    return new Body(bytes.clone(), contentType);
  }

  /**
   * Returns a body of {@code text} encoded in UTF-8; when {@code contentType} names no charset,
   * {@code ; charset=UTF-8} is added to it.
   */
  public static Body of(String text, String contentType) {
    Objects.requireNonNull(text, "text");
    String type = contentType;
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).contains("charset=")) {
      type = type + "; charset=UTF-8";
    }
    if (type != null) {
      Headers.validateValue("Content-Type", type);
    }
    return new Body(text.getBytes(StandardCharsets.UTF_8), type);
  }

  /**
   * Returns {@code value} serialized as JSON ({@code application/json}) with Switchboard's shared
   * Jackson mapper.
   *
   * @throws IllegalArgumentException when Jackson cannot serialize the value
   */
  public static Body json(Object value) {
    return new Body(Json.write(value), "application/json");
  }

  /** Returns a copy of the bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * Returns the bytes as a read-only buffer without copying (position 0, limit {@link #length()}),
   * so engines can hand a body to the socket without an extra copy. Each call returns a new buffer
   * with its own position.
   */
  public java.nio.ByteBuffer asReadOnlyBuffer() {
    return java.nio.ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /** Writes the bytes to {@code out} without copying them first. */
  public void writeTo(java.io.OutputStream out) throws java.io.IOException {
    out.write(bytes);
  }

  /** Returns the bytes without copying; callers inside Switchboard must not modify them. */
  byte[] unsafeBytes() {
    return bytes;
  }

  /** Returns the number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** Returns whether there are no bytes. */
  public boolean isEmpty() {
    return bytes.length == 0;
  }

  /** Returns the content type, or {@code null}. */
  public String contentType() {
    return contentType;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Body b
        && Arrays.equals(b.bytes, bytes)
        && Objects.equals(b.contentType, contentType);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes) * 31 + Objects.hashCode(contentType);
  }

  @Override
  public String toString() {
    return "Body["
        + bytes.length
        + " bytes"
        + (contentType == null ? "" : ", " + contentType)
        + "]";
  }
}
