package dev.switchboard.tck;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The conformance matrix over several transports: check ids as rows, transports as columns, and a
 * totals row. Rendered as plain text (for a terminal), Markdown (for a README or CI summary) or
 * JSON.
 *
 * <pre>{@code
 * TckMatrix m = TckMatrix.of(TckReport.readAll(Path.of("target/switchboard-tck")));
 * System.out.println(m.toMarkdown());
 * }</pre>
 */
public final class TckMatrix {
  private final List<TckReport> reports;
  private final List<String> ids;

  private TckMatrix(List<TckReport> reports) {
    this.reports = List.copyOf(reports);
    TreeSet<String> all = new TreeSet<>();
    reports.forEach(r -> r.results().forEach(c -> all.add(c.id())));
    this.ids = List.copyOf(all);
  }

  /** A matrix of {@code reports}, columns in the order given. */
  public static TckMatrix of(Collection<TckReport> reports) {
    return new TckMatrix(new ArrayList<>(reports));
  }

  /** A matrix of every report file found directly in {@code dir}. */
  public static TckMatrix fromDirectory(Path dir) {
    return of(TckReport.readAll(dir));
  }

  /** The reports, one per column. */
  public List<TckReport> reports() {
    return reports;
  }

  /** The check ids, one per row, sorted. */
  public List<String> checkIds() {
    return ids;
  }

  /** Whether every transport conforms (no check failed). */
  public boolean allConform() {
    return reports.stream().allMatch(TckReport::conforms);
  }

  /** The matrix as Markdown: a table, then the messages of failed checks. */
  public String toMarkdown() {
    StringBuilder sb = new StringBuilder("| check |");
    reports.forEach(r -> sb.append(' ').append(r.transport()).append(" |"));
    sb.append("\n| --- |");
    reports.forEach(r -> sb.append(" --- |"));
    sb.append('\n');
    for (String id : ids) {
      sb.append("| `").append(id).append("` |");
      for (TckReport r : reports) {
        CheckResult c = r.result(id);
        sb.append(' ').append(c == null ? "–" : markdownCell(c.status())).append(" |");
      }
      sb.append('\n');
    }
    sb.append("| **total** |");
    reports.forEach(r -> sb.append(' ').append(totals(r)).append(" |"));
    sb.append('\n');
    appendFailures(sb, "\n**Failures**\n\n", "- `%s` on %s: %s\n");
    return sb.toString();
  }

  /** The matrix as aligned plain text, then the messages of failed checks. */
  public String toText() {
    int w = "check".length();
    for (String id : ids) {
      w = Math.max(w, id.length());
    }
    List<Integer> widths = new ArrayList<>();
    for (TckReport r : reports) {
      int cw = Math.max(r.transport().length(), totals(r).length());
      for (String id : ids) {
        CheckResult c = r.result(id);
        cw = Math.max(cw, c == null ? 1 : c.status().label().length());
      }
      widths.add(cw);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(pad("check", w));
    for (int i = 0; i < reports.size(); i++) {
      sb.append("  ").append(pad(reports.get(i).transport(), widths.get(i)));
    }
    sb.append('\n');
    for (String id : ids) {
      sb.append(pad(id, w));
      for (int i = 0; i < reports.size(); i++) {
        CheckResult c = reports.get(i).result(id);
        sb.append("  ").append(pad(c == null ? "-" : c.status().label(), widths.get(i)));
      }
      sb.append('\n');
    }
    sb.append(pad("total", w));
    for (int i = 0; i < reports.size(); i++) {
      sb.append("  ").append(pad(totals(reports.get(i)), widths.get(i)));
    }
    sb.append('\n');
    appendFailures(sb, "\nFailures:\n", "  %s on %s: %s\n");
    return sb.toString();
  }

  /**
   * The matrix as JSON: {@code {"transports": [...], "checks": {id: {transport: status}}, "totals":
   * {transport: {PASSED: n, ...}}, "reports": [each report]}}.
   */
  public String toJson() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    var ts = root.putArray("transports");
    reports.forEach(r -> ts.add(r.transport()));
    ObjectNode checks = root.putObject("checks");
    for (String id : ids) {
      ObjectNode row = checks.putObject(id);
      for (TckReport r : reports) {
        CheckResult c = r.result(id);
        if (c != null) {
          row.put(r.transport(), c.status().name());
        }
      }
    }
    ObjectNode totals = root.putObject("totals");
    for (TckReport r : reports) {
      ObjectNode t = totals.putObject(r.transport());
      for (CheckStatus s : CheckStatus.values()) {
        t.put(s.name(), r.count(s));
      }
    }
    var all = root.putArray("reports");
    reports.forEach(r -> all.add(r.toTree()));
    try {
      return mapper.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Prints the matrix of the reports in a directory: {@code TckMatrix [dir] [text|markdown|json]},
   * by default {@code target/switchboard-tck} as Markdown.
   *
   * @param args the directory and the format, both optional
   */
  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/switchboard-tck");
    String format = args.length > 1 ? args[1] : "markdown";
    TckMatrix m = fromDirectory(dir);
    System.out.println(
        switch (format) {
          case "text" -> m.toText();
          case "json" -> m.toJson();
          default -> m.toMarkdown();
        });
  }

  /** Writes {@link #toMarkdown()} to {@code file}. */
  public Path writeMarkdown(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, toMarkdown());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void appendFailures(StringBuilder sb, String title, String format) {
    boolean any = false;
    for (TckReport r : reports) {
      for (CheckResult c : r.failures()) {
        if (!any) {
          sb.append(title);
          any = true;
        }
        String msg = c.message() == null ? "" : c.message().replace('\n', ' ');
        if (msg.length() > 300) {
          msg = msg.substring(0, 300) + "…";
        }
        sb.append(String.format(format, c.id(), r.transport(), msg));
      }
    }
  }

  private static String markdownCell(CheckStatus s) {
    return switch (s) {
      case PASSED -> "✅ passed";
      case FAILED -> "❌ **FAILED**";
      case ALTERNATIVE_VERIFIED -> "➖ not supported → alternative verified";
      case SKIPPED -> "⚪ skipped";
    };
  }

  private static String totals(TckReport r) {
    long ok = r.count(CheckStatus.PASSED) + r.count(CheckStatus.ALTERNATIVE_VERIFIED);
    long all = r.results().size();
    String s = ok + "/" + all + " conform";
    if (r.count(CheckStatus.FAILED) > 0) {
      s += ", " + r.count(CheckStatus.FAILED) + " failed";
    }
    if (r.count(CheckStatus.SKIPPED) > 0) {
      s += ", " + r.count(CheckStatus.SKIPPED) + " skipped";
    }
    return s;
  }

  private static String pad(String s, int w) {
    return s.length() >= w ? s : s + " ".repeat(w - s.length());
  }
}
