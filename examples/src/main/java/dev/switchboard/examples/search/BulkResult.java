package dev.switchboard.examples.search;

import java.util.List;

/**
 * The answer of a bulk load, counted as it streamed in (the server's answer of a large load is
 * never held whole in memory).
 *
 * @param tookMillis the time the server spent, in milliseconds
 * @param items the number of documents the server answered for
 * @param errors how many of them failed
 * @param firstErrors the first failures (at most {@value #KEPT_ERRORS}), in order
 */
public record BulkResult(long tookMillis, long items, long errors, List<ItemError> firstErrors) {
  /** How many failures {@link #firstErrors} keeps. */
  public static final int KEPT_ERRORS = 10;

  /** Keeps an unmodifiable copy of the failures. */
  public BulkResult {
    firstErrors = List.copyOf(firstErrors);
  }

  /** Whether every document was stored. */
  public boolean ok() {
    return errors == 0;
  }

  /**
   * One document the server refused.
   *
   * @param position its position in the load, from 0
   * @param id its id ({@code null} when the server did not say)
   * @param status the HTTP status of that item
   * @param type the server's error type, such as {@code mapper_parsing_exception}
   * @param reason the server's explanation
   */
  public record ItemError(long position, String id, int status, String type, String reason) {}
}
