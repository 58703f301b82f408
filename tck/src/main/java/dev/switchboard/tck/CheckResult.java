package dev.switchboard.tck;

import java.util.Objects;

/**
 * The result of one check for one transport.
 *
 * @param id the check's stable id, {@code area.check} (e.g. {@code get-body.get-json-body-intact})
 * @param status what happened
 * @param message why it failed, was skipped, or which alternative was verified; {@code null} when
 *     it simply passed
 * @param millis how long the check took
 */
public record CheckResult(String id, CheckStatus status, String message, long millis) {
  /** Checks that nothing required is missing. */
  public CheckResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
  }

  /** The area of the check: the part of the id before the first dot. */
  public String area() {
    int dot = id.indexOf('.');
    return dot < 0 ? id : id.substring(0, dot);
  }
}
