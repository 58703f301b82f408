package dev.switchboard.examples.search;

import java.util.Map;

/**
 * The answer of indexing one document.
 *
 * @param index the index
 * @param id the document's id
 * @param version the document's version after this write
 * @param result {@code created} or {@code updated}
 */
public record Indexed(String index, String id, long version, String result) {
  static Indexed from(Map<String, Object> json) {
    return new Indexed(
        Fields.string(json, "_index"),
        Fields.string(json, "_id"),
        Fields.number(json, "_version"),
        Fields.string(json, "result"));
  }
}
