package dev.switchboard.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar for {@code request --output FILE} on one line of standard error, redrawn at most
 * every {@value #REDRAW_MILLIS} ms, and cleared when the download ends. Shown only when standard
 * error is a terminal: the caller makes none otherwise.
 *
 * <pre>
 *  41.2 MiB / 50.0 MiB [########################----]  82%  12.3 MiB/s
 *  41.2 MiB  12.3 MiB/s                       (length unknown)
 * </pre>
 */
final class DownloadProgress {
  static final long REDRAW_MILLIS = 200;
  private static final int BAR = 28;
  private static final int WIDTH = 79;

  private final PrintWriter err;
  private final long total;
  private final LongSupplier nanoTime;
  private final long start;
  private long lastDraw;
  private long bytes;
  private boolean drawn;

  /**
   * @param total the expected number of bytes, or -1 when unknown
   */
  DownloadProgress(PrintWriter err, long total, LongSupplier nanoTime) {
    this.err = err;
    this.total = total;
    this.nanoTime = nanoTime;
    this.start = nanoTime.getAsLong();
    this.lastDraw = start - REDRAW_MILLIS * 1_000_000; // the first update draws
  }

  /** {@code n} more bytes were written. */
  void advance(long n) {
    bytes += n;
    long now = nanoTime.getAsLong();
    if (now - lastDraw >= REDRAW_MILLIS * 1_000_000) {
      lastDraw = now;
      draw(now);
    }
  }

  /** Removes the bar (the caller prints the outcome). */
  void finish() {
    if (drawn) {
      err.print("\r" + " ".repeat(WIDTH) + "\r");
      err.flush();
      drawn = false;
    }
  }

  /** The line as drawn now, without the carriage return; for tests. */
  String line(long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    String rate = size(bytes / seconds) + "/s";
    String line;
    if (total > 0) {
      double part = Math.min(1.0, (double) bytes / total);
      int full = (int) Math.round(part * BAR);
      line =
          String.format(
              Locale.ROOT,
              "%10s / %s [%s%s] %3d%%  %s",
              size(bytes),
              size(total),
              "#".repeat(full),
              "-".repeat(BAR - full),
              (int) Math.floor(part * 100),
              rate);
    } else {
      line = String.format(Locale.ROOT, "%10s  %s", size(bytes), rate);
    }
    return line.length() > WIDTH ? line.substring(0, WIDTH) : line;
  }

  private void draw(long now) {
    String line = line(now);
    err.print("\r" + line + " ".repeat(WIDTH - line.length()));
    err.flush();
    drawn = true;
  }

  static String size(double bytes) {
    if (bytes < 1024) {
      return String.format(Locale.ROOT, "%d B", (long) bytes);
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024);
    }
    if (bytes < 1024.0 * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }
}
