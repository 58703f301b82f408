package dev.switchboard;

import java.util.ArrayList;
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
  private static final Headers EMPTY = new Headers(List.of());

  private final List<Field> fields;

  private Headers(List<Field> fields) {
    this.fields = fields;
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
    Builder b = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      b.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return b.build();
  }

  /** Returns a new empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding these fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.fields.addAll(fields);
    return b;
  }

  /** These fields followed by {@code extra} (already validated fields), without a builder. */
  Headers plus(Field... extra) {
    if (extra.length == 0) {
      return this;
    }
    Field[] all = fields.toArray(new Field[fields.size() + extra.length]);
    System.arraycopy(extra, 0, all, fields.size(), extra.length);
    return new Headers(List.of(all));
  }

  /** Returns the first value of {@code name} (any case), or {@code null}. */
  public String first(String name) {
    for (Field f : fields) {
      if (f.name.equalsIgnoreCase(name)) {
        return f.value;
      }
    }
    return null;
  }

  /** Returns every value of {@code name} (any case) in order; empty when absent. */
  public List<String> all(String name) {
    List<String> out = new ArrayList<>(2);
    for (Field f : fields) {
      if (f.name.equalsIgnoreCase(name)) {
        out.add(f.value);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Returns whether a field named {@code name} (any case) is present. */
  public boolean contains(String name) {
    return first(name) != null;
  }

  /** Returns the distinct names, in first-seen order, as first spelled. */
  public Set<String> names() {
    Map<String, String> seen = new LinkedHashMap<>();
    for (Field f : fields) {
      seen.putIfAbsent(f.name.toLowerCase(Locale.ROOT), f.name);
    }
    return Collections.unmodifiableSet(new LinkedHashSet<>(seen.values()));
  }

  /** Returns every field in order. */
  public List<Field> fields() {
    return Collections.unmodifiableList(fields);
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
    return fields.size();
  }

  /** Returns whether there are no fields. */
  public boolean isEmpty() {
    return fields.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && h.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  /** Renders the fields with credential values ({@link Redaction sensitive headers}) redacted. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Field f : fields) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(f.name)
          .append(": ")
          .append(Redaction.isSensitiveHeader(f.name) ? Redaction.MASK : f.value);
    }
    return sb.append('}').toString();
  }

  static void validateName(String name) {
    Objects.requireNonNull(name, "header name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("header name is empty; give a token such as X-Request-Id");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isTokenChar(c)) {
        throw new IllegalArgumentException(
            "header name '"
                + printable(name)
                + "' has an illegal character at index "
                + i
                + "; names are HTTP tokens (letters, digits and !#$%&'*+-.^_`|~)");
      }
    }
  }

  static void validateValue(String name, String value) {
    Objects.requireNonNull(value, () -> "value of header " + name);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
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
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
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
  }

  private static boolean isTokenChar(char c) {
    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
      return true;
    }
    return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static String printable(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n");
  }

  /** Builds {@link Headers}; not thread-safe. */
  public static final class Builder {
    private final List<Field> fields = new ArrayList<>();

    private Builder() {}

    /** Appends a field, keeping any existing values of the same name. */
    public Builder add(String name, String value) {
      fields.add(new Field(name, value));
      return this;
    }

    /** Replaces every field of {@code name} (any case) with this one value. */
    public Builder set(String name, String value) {
      Field f = new Field(name, value);
      remove(name);
      fields.add(f);
      return this;
    }

    /** Removes every field of {@code name} (any case). */
    public Builder remove(String name) {
      fields.removeIf(f -> f.name.equalsIgnoreCase(name));
      return this;
    }

    /** Appends every field of {@code headers}. */
    public Builder addAll(Headers headers) {
      fields.addAll(headers.fields);
      return this;
    }

    /** Returns whether a field named {@code name} (any case) is present. */
    public boolean contains(String name) {
      for (Field f : fields) {
        if (f.name.equalsIgnoreCase(name)) {
          return true;
        }
      }
      return false;
    }

    /** Returns the immutable headers. */
    public Headers build() {
      return fields.isEmpty() ? EMPTY : new Headers(List.copyOf(fields));
    }
  }
}
