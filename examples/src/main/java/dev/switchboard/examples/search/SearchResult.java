package dev.switchboard.examples.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code _search}.
 *
 * @param tookMillis the time the server spent, in milliseconds
 * @param total the number of matching documents
 * @param hits the returned hits, best first
 */
public record SearchResult(long tookMillis, long total, List<Hit> hits) {
  /** Keeps an unmodifiable copy of the hits. */
  public SearchResult {
    hits = List.copyOf(hits);
  }

  /**
   * One hit.
   *
   * @param id the document's id
   * @param score its relevance score ({@code NaN} when the server sent none)
   * @param source the document
   */
  public record Hit(String id, double score, Map<String, Object> source) {
    /** Keeps an unmodifiable view of the source. */
    public Hit {
      source = java.util.Collections.unmodifiableMap(source);
    }
  }

  /** The ids of the hits, in order. */
  public List<String> ids() {
    return hits.stream().map(Hit::id).toList();
  }

  static SearchResult from(Map<String, Object> json) {
    Map<String, Object> hits = Fields.object(json, "hits");
    Object total = hits.get("total");
    long count =
        total instanceof Map<?, ?> m && m.get("value") instanceof Number n
            ? n.longValue()
            : total instanceof Number n2 ? n2.longValue() : 0;
    List<Hit> list = new ArrayList<>();
    for (Object o : Fields.list(hits, "hits")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> h = (Map<String, Object>) o;
      Object score = h.get("_score");
      list.add(
          new Hit(
              Fields.string(h, "_id"),
              score instanceof Number n ? n.doubleValue() : Double.NaN,
              h.containsKey("_source") ? Fields.object(h, "_source") : Map.of()));
    }
    return new SearchResult(Fields.number(json, "took"), count, list);
  }
}
