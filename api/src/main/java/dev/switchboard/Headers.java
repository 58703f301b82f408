package dev.switchboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, ordered, multi-valued collection of HTTP header fields whose names compare without
 * regard to case.
 *
 * <p>Every name and value is validated when it is added: names must be HTTP tokens and values must
 * not contain CR, LF or other control characters except horizontal tab, so header injection is
 * impossible by construction. Iteration order is the order in which fields were added; all values
 * of one name keep their relative order. Instances are safe to share between threads.
 */
public final class Headers {
  private static final String[] NONE = new String[0];
  private static final Headers EMPTY = new Headers(NONE);

  /** Names at even indexes, each followed by its value; never written after construction. */
  private final String[] namesAndValues;

  private Headers(String[] namesAndValues) {
    this.namesAndValues = namesAndValues;
  }

  /** One header field: a name as it was given, and a value. */
  public record Field(String name, String value) {
    /** Validates the name and the value. */
    public Field {
      validateName(name);
      validateValue(name, value);
    }
  }

  /** Returns the empty header collection. */
  public static Headers empty() {
    return EMPTY;
  }

  /**
   * Returns headers built from alternating names and values, e.g. {@code of("Accept", "a/b")}.
   *
   * @throws IllegalArgumentException on an odd number of arguments or an invalid name or value
   */
  public static Headers of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "Headers.of takes name/value pairs; got an odd number of arguments");
    }
    Builder b = builder(namesAndValues.length / 2);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      b.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.build();
  }

  /** Returns a new empty builder. */
  public static Builder builder() {
    return new Builder(8);
  }

  /**
   * Returns a new empty builder with room for {@code expectedFields} fields (at most 256) before it
   * grows (it grows as needed past that): for code that converts another library's headers and
   * knows their number.
   *
   * @throws IllegalArgumentException if {@code expectedFields} is negative
   */
  public static Builder builder(int expectedFields) {
    if (expectedFields < 0) {
      throw new IllegalArgumentException("expectedFields must be 0 or more, got " + expectedFields);
    }
    return new Builder(expectedFields);
  }

  /** Returns a builder holding these fields. */
  public Builder toBuilder() {
    return new Builder(namesAndValues);
  }

  /**
   * These fields followed by {@code first} and, unless it is null, {@code second} (fields already
   * validated), without a builder.
   */
  Headers plus(Field first, Field second) {
    int at = namesAndValues.length;
    String[] all = Arrays.copyOf(namesAndValues, at + (second == null ? 2 : 4));
    all[at] = first.name();
    all[at + 1] = first.value();
    if (second != null) {
      all[at + 2] = second.name();
      all[at + 3] = second.value();
    }
    return new Headers(all);
  }

  /** Returns the first value of {@code name} (any case), or {@code null}. */
  public String first(String name) {
    String[] nv = namesAndValues;
    for (int i = 0; i < nv.length; i += 2) {
      if (nv[i].equalsIgnoreCase(name)) {
        return nv[i + 1];
      }
    }
    return null;
  }

  /** Returns every value of {@code name} (any case) in order; empty when absent. */
  public List<String> all(String name) {
    List<String> out = new ArrayList<>(2);
    String[] nv = namesAndValues;
    for (int i = 0; i < nv.length; i += 2) {
      if (nv[i].equalsIgnoreCase(name)) {
        out.add(nv[i + 1]);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Returns whether a field named {@code name} (any case) is present. */
  public boolean contains(String name) {
    return first(name) != null;
  }

  /**
   * Returns the name of the field at {@code index} (0 to {@link #size()} - 1, in order), as it was
   * given; with {@link #value(int)}, a way to walk the fields without creating any object.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not a field's index
   */
  public String name(int index) {
    return namesAndValues[2 * Objects.checkIndex(index, size())];
  }

  /**
   * Returns the value of the field at {@code index} (0 to {@link #size()} - 1, in order).
   *
   * @throws IndexOutOfBoundsException if {@code index} is not a field's index
   */
  public String value(int index) {
    return namesAndValues[2 * Objects.checkIndex(index, size()) + 1];
  }

  /** Returns the distinct names, in first-seen order, as first spelled. */
  public Set<String> names() {
    Map<String, String> seen = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      seen.putIfAbsent(namesAndValues[i].toLowerCase(Locale.ROOT), namesAndValues[i]);
    }
    return Collections.unmodifiableSet(new LinkedHashSet<>(seen.values()));
  }

  /** Returns every field in order (a new list on each call; {@link #name(int)} allocates none). */
  public List<Field> fields() {
    Field[] out = new Field[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Field(namesAndValues[2 * i], namesAndValues[2 * i + 1]);
    }
    return List.of(out);
  }

  /** Returns a map from each name (as first spelled) to its values, in order. */
  public Map<String, List<String>> toMap() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : names()) {
      out.put(name, all(name));
    }
    return Collections.unmodifiableMap(out);
  }

  /** Returns the number of fields. */
  public int size() {
    return namesAndValues.length / 2;
  }

  /** Returns whether there are no fields. */
  public boolean isEmpty() {
    return namesAndValues.length == 0;
  }

  /** Equal when the same names (same spelling) and values come in the same order. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && Arrays.equals(h.namesAndValues, namesAndValues);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(namesAndValues);
  }

  /** Renders the fields with credential values ({@link Redaction sensitive headers}) redacted. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      String name = namesAndValues[i];
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(name)
          .append(": ")
          .append(Redaction.isSensitiveHeader(name) ? Redaction.MASK : namesAndValues[i + 1]);
    }
    return sb.append('}').toString();
  }

  static void validateName(String name) {
    Objects.requireNonNull(name, "header name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("header name is empty; give a token such as X-Request-Id");
    }
    int bad = nonTokenAt(name);
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "header name '"
              + printable(name)
              + "' has an illegal character at index "
              + bad
              + "; names are HTTP tokens (letters, digits and !#$%&'*+-.^_`|~)");
    }
  }

  static void validateValue(String name, String value) {
    Objects.requireNonNull(value, () -> "value of header " + name);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != 0x7f || c == '\t') {
        continue; // the usual case, decided with the fewest tests
      }
      if (c == '\r' || c == '\n') {
        throw new IllegalArgumentException(
            "value of header '"
                + name
                + "' contains "
                + (c == '\r' ? "CR" : "LF")
                + " at index "
                + i
                + "; header values must be one line (remove line breaks or encode the value)");
      }
      throw new IllegalArgumentException(
          "value of header '"
              + name
              + "' contains control character 0x"
              + Integer.toHexString(c)
              + " at index "
              + i
              + "; remove it or encode the value");
    }
  }

  /**
   * Bit {@code c} set for each token character {@code c} below 64, and for {@code c - 64} above.
   */
  private static final long TOKEN_CHARS_LOW = tokenChars(0);

  private static final long TOKEN_CHARS_HIGH = tokenChars(64);

  private static long tokenChars(int from) {
    long bits = 0;
    for (int c = from; c < from + 64; c++) {
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0) {
        bits |= 1L << (c - from);
      }
    }
    return bits;
  }

  /** Whether {@code s} is an HTTP token (RFC 9110 {@code token}): a header name, a method. */
  static boolean isToken(String s) {
    return !s.isEmpty() && nonTokenAt(s) < 0;
  }

  /** The index of the first character of {@code s} that a token may not hold, or -1. */
  private static int nonTokenAt(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** One table look-up: every header of every response goes through here. */
  private static boolean isTokenChar(char c) {
    return c < 64
        ? (TOKEN_CHARS_LOW >>> c & 1) != 0
        : c < 128 && (TOKEN_CHARS_HIGH >>> (c - 64) & 1) != 0;
  }

  private static String printable(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n");
  }

  /** Builds {@link Headers}; not thread-safe. */
  public static final class Builder {
    private String[] namesAndValues;
    private int length; // used entries of namesAndValues
    private boolean shared; // namesAndValues is also held by built Headers: copy before writing

    private Builder(int expectedFields) {
      // a hint, not a promise: room for at most 256 fields up front, more grows as needed
      this.namesAndValues =
          expectedFields == 0 ? NONE : new String[2 * Math.min(expectedFields, 256)];
    }

    private Builder(String[] fields) {
      this.namesAndValues = fields;
      this.length = fields.length;
      this.shared = true;
    }

    /** Appends a field, keeping any existing values of the same name. */
    public Builder add(String name, String value) {
      validateName(name);
      validateValue(name, value);
      append(name, value);
      return this;
    }

    private void append(String name, String value) {
      if (shared || length == namesAndValues.length) {
        namesAndValues =
            Arrays.copyOf(namesAndValues, Math.max(length + 2, Math.min(2 * length, length + 32)));
        shared = false;
      }
      namesAndValues[length++] = name;
      namesAndValues[length++] = value;
    }

    /** Replaces every field of {@code name} (any case) with this one value. */
    public Builder set(String name, String value) {
      validateName(name);
      validateValue(name, value);
      remove(name);
      append(name, value);
      return this;
    }

    /** Removes every field of {@code name} (any case). */
    public Builder remove(String name) {
      if (!contains(name)) {
        return this;
      }
      String[] kept = new String[namesAndValues.length];
      int n = 0;
      for (int i = 0; i < length; i += 2) {
        if (!namesAndValues[i].equalsIgnoreCase(name)) {
          kept[n++] = namesAndValues[i];
          kept[n++] = namesAndValues[i + 1];
        }
      }
      namesAndValues = kept;
      length = n;
      shared = false;
      return this;
    }

    /** Appends every field of {@code headers}. */
    public Builder addAll(Headers headers) {
      String[] nv = headers.namesAndValues;
      for (int i = 0; i < nv.length; i += 2) {
        append(nv[i], nv[i + 1]);
      }
      return this;
    }

    /** Returns whether a field named {@code name} (any case) is present. */
    public boolean contains(String name) {
      for (int i = 0; i < length; i += 2) {
        if (namesAndValues[i].equalsIgnoreCase(name)) {
          return true;
        }
      }
      return false;
    }

    /** Returns the immutable headers; the builder may go on being used. */
    public Headers build() {
      if (length == 0) {
        return EMPTY;
      }
      if (length == namesAndValues.length) { // full: share it, and copy on the next write
        shared = true;
        return new Headers(namesAndValues);
      }
      return new Headers(Arrays.copyOf(namesAndValues, length));
    }
  }
}
