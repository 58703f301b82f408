package dev.switchboard.examples.search;

import java.util.List;
import java.util.Map;

/** Reads fields of a JSON object parsed into maps, failing clearly when one is missing. */
final class Fields {
  private Fields() {}

  static String string(Map<String, Object> json, String name) {
    Object v = require(json, name);
    return v.toString();
  }

  static long number(Map<String, Object> json, String name) {
    Object v = require(json, name);
    if (v instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalStateException("field '" + name + "' is not a number: " + v);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Map<String, Object> json, String name) {
    Object v = require(json, name);
    if (v instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw new IllegalStateException("field '" + name + "' is not an object: " + v);
  }

  static List<?> list(Map<String, Object> json, String name) {
    Object v = require(json, name);
    if (v instanceof List<?> l) {
      return l;
    }
    throw new IllegalStateException("field '" + name + "' is not an array: " + v);
  }

  private static Object require(Map<String, Object> json, String name) {
    Object v = json.get(name);
    if (v == null) {
      throw new IllegalStateException("the server's answer has no field '" + name + "'");
    }
    return v;
  }
}
