package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one run's results ({@code jmh.json}, {@code wrk-*.txt}, {@code machine.txt} in the
 * directory given as the only argument) into the Markdown tables of {@code bench/README.md}, with
 * each target checked against the medians.
 */
public final class Report {
  private static final String[] TRANSPORTS = {"jdk", "apache", "okhttp"};

  private final JsonNode results;
  private final Path dir;
  private final StringBuilder out = new StringBuilder();

  private Report(Path dir) throws IOException {
    this.dir = dir;
    this.results = new ObjectMapper().readTree(dir.resolve("jmh.json").toFile());
  }

  /** Prints the report for the results in {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Report <results directory>");
      System.exit(2);
    }
    Report r = new Report(Path.of(args[0]));
    r.write();
    System.out.print(r.out);
  }

  private void write() throws IOException {
    Path machine = dir.resolve("machine.txt");
    if (Files.exists(machine)) {
      line("Machine and run:");
      line("");
      line("```");
      out.append(Files.readString(machine));
      line("```");
      line("");
    }
    line(
        "Medians over the measured iterations (for latency: the median request), ± the 99.9%"
            + " confidence half-width JMH reports for the mean; a target is checked on the"
            + " medians.");
    line("");
    ceiling();
    latency();
    reference();
    throughput();
    allocation();
    fanOut();
    large();
  }

  // ------------------------------------------------------------------ tables

  private void ceiling() throws IOException {
    line("### Ceiling: wrk against the same nginx");
    line("");
    line("| load | requests/s | latency p50 | latency mean ± sd |");
    line("| --- | ---: | ---: | ---: |");
    for (String[] w :
        new String[][] {
          {"small-c1", "small JSON, 1 connection"},
          {"small-c64", "small JSON, 64 connections"},
          {"large-c1", "1 MiB JSON, 1 connection"},
          {"delay-c1000", "/delay (100 ms), 1000 connections"}
        }) {
      Path f = dir.resolve("wrk-" + w[0] + ".txt");
      if (!Files.exists(f)) {
        continue;
      }
      String text = Files.readString(f);
      line(
          "| "
              + w[1]
              + " | "
              + find(text, "Requests/sec:\\s+([0-9.]+)")
              + " | "
              + find(text, "\\s50%\\s+([0-9.]+\\w+)")
              + " | "
              + find(text, "Latency\\s+([0-9.]+\\w+)")
              + " ± "
              + find(text, "Latency\\s+[0-9.]+\\w+\\s+([0-9.]+\\w+)")
              + " |");
    }
    line("");
  }

  private void latency() {
    line("### 1a. Latency of one small GET (~200-byte JSON), one at a time");
    line("");
    line(
        "| transport | raw p50 (µs) | raw mean (µs) | Switchboard p50 (µs) | Switchboard mean (µs)"
            + " | Switchboard / raw (p50) | target ≤ 1.05 |");
    line("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for (String t : TRANSPORTS) {
      JsonNode raw = find("SmallGetBench.latency", t, Clients.RAW);
      JsonNode sb = find("SmallGetBench.latency", t, Clients.SWITCHBOARD);
      if (raw == null || sb == null) {
        continue;
      }
      double r = p50(raw);
      double s = p50(sb);
      line(
          "| "
              + t
              + " | "
              + num(r)
              + " | "
              + meanErr(raw)
              + " | "
              + num(s)
              + " | "
              + meanErr(sb)
              + " | "
              + ratio(s / r)
              + " | "
              + met(s / r <= 1.05)
              + " |");
    }
    line("");
  }

  private void reference() {
    JsonNode sync = find("OkHttpSyncBench.latency", null, null);
    JsonNode layer = find("LayerBench.sendJoin", null, null);
    if (sync == null && layer == null) {
      return;
    }
    line("For reference (not targets):");
    line("");
    if (sync != null) {
      line(
          "- OkHttp's synchronous `Call.execute()` (no thread hand-off at all): p50 "
              + num(p50(sync))
              + " µs, mean "
              + meanErr(sync)
              + " µs.");
    }
    if (layer != null) {
      JsonNode a = alloc(layer);
      line(
          "- The api layer alone, over an engine that answers from memory (`LayerBench`,"
              + " `send(...).join()`): "
              + meanErr(layer)
              + " µs"
              + (a == null ? "" : ", " + num(median(a)) + " B allocated")
              + " per request.");
    }
    line("");
  }

  private void throughput() {
    line("### 1b. Throughput of small GETs, 64 in flight");
    line("");
    line("| transport | raw (req/s) | Switchboard (req/s) | Switchboard / raw | target ≥ 0.95 |");
    line("| --- | ---: | ---: | ---: | --- |");
    for (String t : TRANSPORTS) {
      JsonNode raw = find("SmallGetBench.throughput", t, Clients.RAW);
      JsonNode sb = find("SmallGetBench.throughput", t, Clients.SWITCHBOARD);
      if (raw == null || sb == null) {
        continue;
      }
      double r = median(raw.get("primaryMetric"));
      double s = median(sb.get("primaryMetric"));
      line(
          "| "
              + t
              + " | "
              + medErr(raw.get("primaryMetric"))
              + " | "
              + medErr(sb.get("primaryMetric"))
              + " | "
              + ratio(s / r)
              + " | "
              + met(s / r >= 0.95)
              + " |");
    }
    line("");
  }

  private void allocation() {
    line("### 2. Allocation per small GET (`-prof gc`, `gc.alloc.rate.norm`, all threads)");
    line("");
    line(
        "| transport | benchmark | raw (B/request) | Switchboard (B/request) | extra |"
            + " target extra ≤ 2048 B |");
    line("| --- | --- | ---: | ---: | ---: | --- |");
    for (String t : TRANSPORTS) {
      for (String b : new String[] {"throughput", "latency"}) {
        JsonNode raw = alloc(find("SmallGetBench." + b, t, Clients.RAW));
        JsonNode sb = alloc(find("SmallGetBench." + b, t, Clients.SWITCHBOARD));
        if (raw == null || sb == null) {
          continue;
        }
        double extra = median(sb) - median(raw);
        line(
            "| "
                + t
                + " | "
                + b
                + " | "
                + medErr(raw)
                + " | "
                + medErr(sb)
                + " | "
                + num(extra)
                + " | "
                + met(extra <= 2048)
                + " |");
      }
    }
    line("");
  }

  private void fanOut() {
    line("### 3. Fan-out: all at once to a server answering each after 100 ms (`sendAll`)");
    line("");
    line(
        "| transport | 64 × 100 ms, defaults (ms) | min–max | target ≤ 150 ms | 1000 × 100 ms,"
            + " maxConnectionsPerHost(1000) (ms) | min–max | target ≤ 1000 ms |");
    line("| --- | ---: | ---: | --- | ---: | ---: | --- |");
    for (String t : TRANSPORTS) {
      JsonNode narrow = find("FanOutBench.defaults", t, null);
      JsonNode wide = find("FanOutBench.wide", t, null);
      StringBuilder row = new StringBuilder("| " + t);
      for (Object[] c : new Object[][] {{narrow, 150.0}, {wide, 1000.0}}) {
        JsonNode n = (JsonNode) c[0];
        if (n == null) {
          row.append(" | – | – | –");
          continue;
        }
        JsonNode m = n.get("primaryMetric");
        List<Double> v = values(m);
        row.append(" | ")
            .append(medErr(m))
            .append(" | ")
            .append(num(v.get(0)))
            .append("–")
            .append(num(v.get(v.size() - 1)))
            .append(" | ")
            .append(met(median(m) <= (Double) c[1]));
      }
      line(row + " |");
    }
    line("");
  }

  private void large() {
    line("### 4. A 1 MiB JSON response, one at a time");
    line("");
    line(
        "| transport | read as | raw (ms) | Switchboard (ms) | Switchboard / raw | raw alloc (KiB)"
            + " | Switchboard alloc (KiB) |");
    line("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (String t : TRANSPORTS) {
      for (String b : new String[] {"bytes", "json"}) {
        JsonNode raw = find("LargeBodyBench." + b, t, Clients.RAW);
        JsonNode sb = find("LargeBodyBench." + b, t, Clients.SWITCHBOARD);
        if (raw == null || sb == null) {
          continue;
        }
        JsonNode ra = alloc(raw);
        JsonNode sa = alloc(sb);
        line(
            "| "
                + t
                + " | "
                + (b.equals("bytes") ? "`byte[]`" : "JSON → `Map`")
                + " | "
                + medErr(raw.get("primaryMetric"))
                + " | "
                + medErr(sb.get("primaryMetric"))
                + " | "
                + ratio(median(sb.get("primaryMetric")) / median(raw.get("primaryMetric")))
                + " | "
                + (ra == null ? "–" : num(median(ra) / 1024))
                + " | "
                + (sa == null ? "–" : num(median(sa) / 1024))
                + " |");
      }
    }
    line("");
  }

  // ------------------------------------------------------------------ JMH JSON

  private JsonNode find(String benchmark, String transport, String mode) {
    for (JsonNode n : results) {
      String name = n.get("benchmark").asText();
      JsonNode p = n.path("params");
      if (name.endsWith(benchmark)
          && (transport == null || transport.equals(p.path("transport").asText()))
          && (mode == null || mode.equals(p.path("via").asText()))) {
        return n;
      }
    }
    return null;
  }

  private static JsonNode alloc(JsonNode result) {
    if (result == null) {
      return null;
    }
    JsonNode a = result.path("secondaryMetrics").get("gc.alloc.rate.norm");
    return a == null || a.isMissingNode() ? null : a;
  }

  /** Every iteration's value, sorted. */
  private static List<Double> values(JsonNode metric) {
    List<Double> v = new ArrayList<>();
    JsonNode raw = metric.get("rawData");
    if (raw != null) {
      raw.forEach(fork -> fork.forEach(x -> v.add(x.asDouble())));
    }
    if (v.isEmpty()) {
      v.add(metric.get("score").asDouble());
    }
    Collections.sort(v);
    return v;
  }

  private static double median(JsonNode metric) {
    List<Double> v = values(metric);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private static double p50(JsonNode result) {
    return result.get("primaryMetric").get("scorePercentiles").get("50.0").asDouble();
  }

  private static String medErr(JsonNode metric) {
    return num(median(metric)) + " ± " + num(error(metric));
  }

  private static String meanErr(JsonNode result) {
    JsonNode m = result.get("primaryMetric");
    return num(m.get("score").asDouble()) + " ± " + num(error(m));
  }

  private static double error(JsonNode metric) {
    double e = metric.path("scoreError").asDouble(Double.NaN);
    return Double.isNaN(e) ? 0 : e;
  }

  // ------------------------------------------------------------------ text

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? m.group(1) : "?";
  }

  private static String num(double v) {
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String ratio(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  private static String met(boolean ok) {
    return ok ? "met" : "**missed**";
  }

  private void line(String s) {
    out.append(s).append('\n');
  }
}
