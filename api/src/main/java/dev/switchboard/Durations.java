package dev.switchboard;

import java.time.Duration;

/** Renders durations the way people write them: 500ms, 2s, 1m30s. */
final class Durations {
  private Durations() {}

  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000 || ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60 || s % 60 != 0) {
      return s + "s";
    }
    return (s / 60) + "m";
  }
}
