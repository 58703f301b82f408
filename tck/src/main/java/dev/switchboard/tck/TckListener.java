package dev.switchboard.tck;

/**
 * Progress of a kit run through {@link TckRunner}; both methods are called on the thread running
 * the checks, one check at a time. The default methods do nothing.
 */
public interface TckListener {
  /** A listener that ignores everything. */
  TckListener NONE = new TckListener() {};

  /** The kit starts; {@code checks} checks are planned. */
  default void started(int checks) {}

  /** Check {@code id} starts. */
  default void checkStarted(String id) {}

  /** A check has finished. */
  default void checkFinished(CheckResult result) {}
}
