package dev.switchboard.examples.search;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of {@code GET /<index>/_mapping}: each field's type.
 *
 * @param index the index
 * @param fieldTypes each top-level field of the mapping and its type ({@code text}, {@code
 *     keyword}, {@code integer}…), in the server's order
 */
public record IndexMapping(String index, Map<String, String> fieldTypes) {
  /** Keeps an unmodifiable copy. */
  public IndexMapping {
    fieldTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fieldTypes));
  }

  static IndexMapping from(String index, Map<String, Object> json) {
    Map<String, Object> forIndex = Fields.object(json, index);
    Map<String, Object> mappings = Fields.object(forIndex, "mappings");
    Map<String, Object> properties =
        mappings.containsKey("properties") ? Fields.object(mappings, "properties") : Map.of();
    Map<String, String> types = new LinkedHashMap<>();
    properties.forEach(
        (field, def) -> {
          Object type = def instanceof Map<?, ?> m ? m.get("type") : null;
          types.put(field, type == null ? "object" : type.toString());
        });
    return new IndexMapping(index, types);
  }
}
