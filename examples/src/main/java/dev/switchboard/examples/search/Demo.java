package dev.switchboard.examples.search;

import dev.switchboard.Transport;
import dev.switchboard.Transports;
import dev.switchboard.spi.TransportProvider;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The story end to end: starts a real OpenSearch node in this JVM, loads a few books, and on every
 * transport on the class path sends the three requests a search page needs (the index's mapping,
 * the cluster's health, a search) first one after another, then all at once, and prints the timings
 * side by side.
 *
 * <p>Run it with {@code mvn -q -pl examples exec:java}. Arguments (all optional): the number of
 * measured rounds (default 50), then transport names to limit the run to.
 */
public final class Demo {
  static final String INDEX = "books";

  static final Map<String, Object> MAPPINGS =
      Map.of(
          "properties",
          Map.of(
              "title", Map.of("type", "text"),
              "author", Map.of("type", "keyword"),
              "year", Map.of("type", "integer")));

  static final List<Map<String, Object>> BOOKS =
      List.of(
          Map.of("title", "Java Concurrency in Practice", "author", "Goetz", "year", 2006),
          Map.of("title", "Effective Java", "author", "Bloch", "year", 2018),
          Map.of(
              "title",
              "Designing Data-Intensive Applications",
              "author",
              "Kleppmann",
              "year",
              2017),
          Map.of("title", "Relevant Search", "author", "Turnbull", "year", 2016),
          Map.of("title", "HTTP: The Definitive Guide", "author", "Gourley", "year", 2002));

  static final Map<String, Object> QUERY = Map.of("match", Map.of("title", "java"));

  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args optional: the number of measured rounds, then transport names
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    if (rounds < 1) {
      throw new IllegalArgumentException("the number of rounds must be at least 1: " + rounds);
    }
    List<String> only = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
    run(rounds, only, System.out);
  }

  static void run(int rounds, List<String> only, PrintStream out) {
    List<String> names = new ArrayList<>();
    for (TransportProvider p : Transports.providers()) {
      if (only.isEmpty() || only.contains(p.name())) {
        names.add(p.name());
      }
    }
    if (names.isEmpty()) {
      throw new IllegalStateException(
          "no transport to run on; add switchboard-transport-jdk, -apache or -okhttp");
    }
    long t0 = System.nanoTime();
    try (EmbeddedOpenSearch node = EmbeddedOpenSearch.start()) {
      out.printf(
          Locale.ROOT,
          "OpenSearch started at %s in %.1f s%n",
          node.uri(),
          (System.nanoTime() - t0) / 1e9);

      story(node.uri(), names, WARMUP, rounds, out);
    }
    out.println("\nOpenSearch stopped.");
  }

  /** The whole story against the server at {@code base}: load the books, then compare. */
  static List<Row> story(URI base, List<String> names, int warmup, int rounds, PrintStream out) {
    try (Transport transport = Transports.create(SearchClient.recommendedConfig(names.get(0)))) {
      load(new SearchClient(transport, base), out);
    }
    return compare(base, names, warmup, rounds, out);
  }

  /** Creates the index {@value #INDEX} and loads the books into it, all at once. */
  static void load(SearchClient client, PrintStream out) {
    SearchClient.await(client.createIndex(INDEX, MAPPINGS));
    List<Supplier<CompletableFuture<Indexed>>> writes = new ArrayList<>();
    for (int i = 0; i < BOOKS.size(); i++) {
      String id = "book-" + (i + 1);
      Map<String, Object> book = BOOKS.get(i);
      writes.add(() -> client.index(INDEX, id, book));
    }
    List<Indexed> loaded = SearchClient.await(client.concurrentAsync(writes));
    out.printf(
        Locale.ROOT,
        "loaded %d books into '%s' via %s%n%n",
        loaded.size(),
        INDEX,
        client.transport().name());
  }

  /**
   * On each named transport, runs the three requests one after another and then at once, and prints
   * the timings side by side. Returns the rows.
   */
  static List<Row> compare(URI base, List<String> names, int warmup, int rounds, PrintStream out) {
    List<Row> rows = new ArrayList<>();
    for (String name : names) {
      try (Transport transport = Transports.create(SearchClient.recommendedConfig(name))) {
        rows.add(measure(new SearchClient(transport, base), warmup, rounds, out));
      }
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "mapping + health + search, median of %d rounds (after %d warm-up rounds)%n",
        rounds,
        warmup);
    out.printf(
        Locale.ROOT,
        "%-10s %18s %14s %10s%n",
        "transport",
        "one after another",
        "all at once",
        "speed-up");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          "%-10s %15.2f ms %11.2f ms %9.1fx%n",
          r.transport(),
          r.sequentialMillis(),
          r.concurrentMillis(),
          r.sequentialMillis() / r.concurrentMillis());
    }
    return rows;
  }

  static final int WARMUP = 20;

  /** The timings of one transport. */
  record Row(String transport, double sequentialMillis, double concurrentMillis) {}

  private static Row measure(SearchClient client, int warmup, int rounds, PrintStream out) {
    // what the three requests return, read once from async code by composing the futures
    List<Object> first =
        client
            .<Object>concurrentAsync(
                List.of(
                    () -> client.getMapping(INDEX),
                    client::health,
                    () -> client.search(INDEX, QUERY)))
            .join();
    IndexMapping mapping = (IndexMapping) first.get(0);
    ClusterHealth health = (ClusterHealth) first.get(1);
    SearchResult result = (SearchResult) first.get(2);
    out.printf(
        Locale.ROOT,
        "[%s] mapping %s | health %s, %d node(s) | search 'java': %d hits %s%n",
        client.transport().name(),
        mapping.fieldTypes(),
        health.status(),
        health.numberOfNodes(),
        result.total(),
        result.ids());

    double[] sequential = new double[rounds];
    double[] concurrent = new double[rounds];
    for (int i = -warmup; i < rounds; i++) {
      long s = System.nanoTime();
      SearchClient.await(client.getMapping(INDEX));
      SearchClient.await(client.health());
      SearchClient.await(client.search(INDEX, QUERY));
      long m = System.nanoTime();
      client.concurrent(
          () -> client.getMapping(INDEX), client::health, () -> client.search(INDEX, QUERY));
      long e = System.nanoTime();
      if (i >= 0) {
        sequential[i] = (m - s) / 1e6;
        concurrent[i] = (e - m) / 1e6;
      }
    }
    return new Row(client.transport().name(), median(sequential), median(concurrent));
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
