package dev.switchboard.examples.search;

import java.util.Map;

/**
 * The answer of an index-level change (create, delete).
 *
 * @param index the index concerned
 * @param acknowledged whether the cluster acknowledged the change
 */
public record Acknowledged(String index, boolean acknowledged) {
  static Acknowledged from(String index, Map<String, Object> json) {
    return new Acknowledged(index, Boolean.TRUE.equals(json.get("acknowledged")));
  }
}
