package dev.switchboard.cli;

import dev.switchboard.tck.CheckResult;
import dev.switchboard.tck.CheckStatus;
import dev.switchboard.tck.TckListener;
import dev.switchboard.tck.TckReport;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Shows the progress of one kit run on standard error. On a terminal: one line that updates as each
 * check starts. Otherwise (a CI log, a file): one line per area as it completes. Either way a
 * failed check is shown at once with its reason, and a summary line ends the run.
 */
final class Progress implements TckListener {
  private static final int WIDTH = 79;
  private static final int MAX_MESSAGE = 240;

  private final String transport;
  private final PrintWriter err;
  private final boolean live;
  private final long start = System.nanoTime();
  private final Map<CheckStatus, Integer> areaCounts = new EnumMap<>(CheckStatus.class);
  private int done;
  private String area;
  private final Map<String, Long> areaStarts = new HashMap<>();
  private boolean lineOpen;

  Progress(String transport, PrintWriter err, boolean live) {
    this.transport = transport;
    this.err = err;
    this.live = live;
  }

  @Override
  public synchronized void checkStarted(String id) {
    areaStarts.putIfAbsent(areaOf(id), System.nanoTime());
    if (live) {
      String line = "[" + transport + "] " + (done + 1) + "  " + id;
      if (line.length() > WIDTH) {
        line = line.substring(0, WIDTH);
      }
      err.print("\r" + line + " ".repeat(WIDTH - line.length()));
      err.flush();
      lineOpen = true;
    }
  }

  @Override
  public synchronized void checkFinished(CheckResult result) {
    done++;
    if (area != null && !area.equals(result.area())) {
      if (!live) {
        printArea();
      }
      areaCounts.clear();
    }
    area = result.area();
    areaCounts.merge(result.status(), 1, Integer::sum);
    if (result.status() == CheckStatus.FAILED) {
      clearLine();
      err.println("[" + transport + "] FAILED " + result.id() + ": " + shorten(result.message()));
      err.flush();
    }
  }

  /** Ends the run: the last area and the transport's totals. */
  synchronized void done(TckReport report) {
    if (!live && area != null) {
      printArea();
    }
    clearLine();
    err.println(
        "["
            + transport
            + "] "
            + report.results().size()
            + " checks in "
            + Times.format(System.nanoTime() - start)
            + ": "
            + counts(report));
    err.flush();
  }

  private void printArea() {
    StringBuilder sb = new StringBuilder();
    areaCounts.forEach(
        (status, n) ->
            sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(status.label()));
    err.printf(
        "[%s] %-13s %s (%s)%n",
        transport,
        area,
        sb,
        Times.format(System.nanoTime() - areaStarts.getOrDefault(area, start)));
    err.flush();
    areaCounts.clear();
  }

  private void clearLine() {
    if (lineOpen) {
      err.print("\r" + " ".repeat(WIDTH) + "\r");
      lineOpen = false;
    }
  }

  private static String areaOf(String id) {
    int dot = id.indexOf('.');
    return dot < 0 ? id : id.substring(0, dot);
  }

  private static String counts(TckReport report) {
    StringBuilder sb = new StringBuilder();
    for (CheckStatus s : CheckStatus.values()) {
      long n = report.count(s);
      if (n > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(s.label());
      }
    }
    return sb.length() == 0 ? "nothing ran" : sb.toString();
  }

  private static String shorten(String message) {
    if (message == null) {
      return "(no message)";
    }
    String m = message.replaceAll("\\s+", " ").strip();
    return m.length() <= MAX_MESSAGE ? m : m.substring(0, MAX_MESSAGE) + "…";
  }
}
