package dev.switchboard.cli;

import java.util.Locale;

/** Formats elapsed times for people: {@code 3.2 ms}, {@code 312 ms}, {@code 1.52 s}. */
final class Times {
  private Times() {}

  static String format(long nanos) {
    double ms = nanos / 1_000_000.0;
    if (ms < 10) {
      return String.format(Locale.ROOT, "%.1f ms", ms);
    }
    if (ms < 1000) {
      return String.format(Locale.ROOT, "%d ms", Math.round(ms));
    }
    return String.format(Locale.ROOT, "%.2f s", ms / 1000);
  }
}
