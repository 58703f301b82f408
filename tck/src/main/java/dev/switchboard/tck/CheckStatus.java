package dev.switchboard.tck;

/** The outcome of one check of the kit for one transport. */
public enum CheckStatus {
  /** The transport does what the check demands. */
  PASSED,
  /** The transport does not; the result's message says what was seen instead. */
  FAILED,
  /**
   * The transport declares it lacks the capability the check is about, and the documented
   * alternative (a clear {@code UnsupportedFeatureException}, the fallback mode) was verified
   * instead: "not supported → alternative verified".
   */
  ALTERNATIVE_VERIFIED,
  /**
   * The check could not run here for a reason outside the transport (a precondition of the machine
   * not met, or an optional hook not provided); the message says which.
   */
  SKIPPED;

  /** Whether this status counts as conforming (passed, or alternative verified). */
  public boolean conforms() {
    return this == PASSED || this == ALTERNATIVE_VERIFIED;
  }

  /** A short human label: {@code passed}, {@code FAILED}, {@code alternative verified}, … */
  public String label() {
    return switch (this) {
      case PASSED -> "passed";
      case FAILED -> "FAILED";
      case ALTERNATIVE_VERIFIED -> "not supported → alternative verified";
      case SKIPPED -> "skipped";
    };
  }
}
