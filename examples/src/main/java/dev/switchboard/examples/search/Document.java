package dev.switchboard.examples.search;

import java.util.Map;

/**
 * A stored document, as {@code GET /<index>/_doc/<id>} returns it.
 *
 * @param index the index
 * @param id the id
 * @param version the version
 * @param source the document itself
 */
public record Document(String index, String id, long version, Map<String, Object> source) {
  /** Keeps an unmodifiable view of the source. */
  public Document {
    source = java.util.Collections.unmodifiableMap(source);
  }

  static Document from(Map<String, Object> json) {
    return new Document(
        Fields.string(json, "_index"),
        Fields.string(json, "_id"),
        Fields.number(json, "_version"),
        Fields.object(json, "_source"));
  }
}
