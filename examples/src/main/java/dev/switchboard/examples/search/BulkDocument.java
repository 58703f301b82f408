package dev.switchboard.examples.search;

/**
 * One document of a bulk load: its id and its source, any value Jackson writes as a JSON object (a
 * {@code Map}, a record…).
 *
 * @param id the document's id; {@code null} lets the server choose one
 * @param source the document itself
 */
public record BulkDocument(String id, Object source) {
  /**
   * Checks the source.
   *
   * @throws NullPointerException when {@code source} is null
   */
  public BulkDocument {
    java.util.Objects.requireNonNull(source, "source");
  }
}
