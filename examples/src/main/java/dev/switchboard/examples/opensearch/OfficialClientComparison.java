package dev.switchboard.examples.opensearch;

import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.examples.search.EmbeddedOpenSearch;
import dev.switchboard.opensearch.SwitchboardOpenSearchTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * The same search workload through opensearch-java's own Apache transport and through {@code
 * switchboard-opensearch} on each Switchboard transport, against one embedded node, in one run: a
 * bench-style runner (not a test; nothing is asserted).
 *
 * <p>{@code threads} blocking callers each send searches (a match query on one of 16 words, 10
 * hits, each decoded into a record) back to back for {@code seconds}; every variant runs once per
 * round, in an order that rotates each round, after {@code warmup} rounds that are not counted (the
 * node's and the clients' code is compiled while they run: throughput climbs several-fold).
 * Printed: per variant and round the throughput and latency percentiles, then per variant the
 * median over rounds and the median of its per-round ratios to the client's own transport
 * (throughput: variant / own; latency: own / variant, so above 1 is better in both).
 *
 * <pre>
 * mvn -q -pl examples exec:java -Ddemo.main=dev.switchboard.examples.opensearch.OfficialClientComparison \
 *   -Dexec.args="rounds=6 warmup=3 seconds=5 threads=8"
 * </pre>
 *
 * The node shares the machine (and this JVM) with the callers: every variant pays for that alike.
 */
public final class OfficialClientComparison {
  static final String INDEX = "comparison";
  static final List<String> WORDS =
      List.of(
          "river", "stone", "glass", "winter", "ember", "harbor", "meadow", "signal", "copper",
          "lantern", "orbit", "thistle", "canyon", "velvet", "quarry", "falcon");

  /** A document of the workload. */
  public record Doc(String title, int year, String genre) {}

  /** One variant's numbers in one round. */
  record Result(double perSecond, double p50Micros, double p99Micros) {}

  private OfficialClientComparison() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options =
        new HashMap<>(
            Map.of("rounds", "6", "warmup", "3", "seconds", "5", "threads", "8", "docs", "5000"));
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2 || !options.containsKey(kv[0])) {
        throw new IllegalArgumentException(
            "usage: rounds=N warmup=N seconds=N threads=N docs=N; got " + arg);
      }
      options.put(kv[0], kv[1]);
    }
    int rounds = Integer.parseInt(options.get("rounds"));
    int warmup = Integer.parseInt(options.get("warmup"));
    int seconds = Integer.parseInt(options.get("seconds"));
    int threads = Integer.parseInt(options.get("threads"));
    int docs = Integer.parseInt(options.get("docs"));
    PrintStream out = System.out;

    try (EmbeddedOpenSearch node = EmbeddedOpenSearch.start()) {
      Map<String, OpenSearchClient> variants = variants(node, threads);
      load(variants.values().iterator().next(), docs);
      out.printf(
          Locale.ROOT,
          "java %s, %d cores; %d docs; %d threads; %d warm-up and %d measured rounds of %d s per"
              + " variant%n",
          System.getProperty("java.version"),
          Runtime.getRuntime().availableProcessors(),
          docs,
          threads,
          warmup,
          rounds,
          seconds);
      List<String> names = new ArrayList<>(variants.keySet());
      // the node and the clients are warmed up together: their JIT takes tens of seconds
      for (int round = 0; round < warmup; round++) {
        for (String name : names) {
          run(variants.get(name), threads, seconds);
        }
      }
      Map<String, List<Result>> results = new LinkedHashMap<>();
      names.forEach(n -> results.put(n, new ArrayList<>()));
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < names.size(); i++) {
          String name = names.get((i + round) % names.size());
          Result r = run(variants.get(name), threads, seconds);
          results.get(name).add(r);
          out.printf(
              Locale.ROOT,
              "round %d %-20s %8.0f searches/s  p50 %7.0f us  p99 %7.0f us%n",
              round + 1,
              name,
              r.perSecond(),
              r.p50Micros(),
              r.p99Micros());
        }
      }
      summarize(results, names.get(0), out);
      for (OpenSearchClient client : variants.values()) {
        client._transport().close();
      }
    }
  }

  static Map<String, OpenSearchClient> variants(EmbeddedOpenSearch node, int threads) {
    Map<String, OpenSearchClient> variants = new LinkedHashMap<>();
    OpenSearchTransport own =
        ApacheHttpClient5TransportBuilder.builder(new HttpHost("http", "127.0.0.1", node.port()))
            .setHttpClientConfigCallback(
                b ->
                    b.setConnectionManager(
                        PoolingAsyncClientConnectionManagerBuilder.create()
                            .setMaxConnPerRoute(threads)
                            .setMaxConnTotal(threads)
                            .build()))
            .build();
    variants.put("opensearch-java-own", new OpenSearchClient(own));
    for (String transport : List.of("jdk", "apache", "okhttp")) {
      TransportConfig config =
          TransportConfig.builder()
              .provider(transport)
              .maxConnectionsPerHost(threads)
              .maxConnections(threads)
              .build();
      variants.put(
          "switchboard-" + transport,
          new OpenSearchClient(
              SwitchboardOpenSearchTransport.builder(Transports.create(config), node.uri())
                  .build()));
    }
    return variants;
  }

  static void load(OpenSearchClient client, int docs) throws IOException {
    client
        .indices()
        .create(c -> c.index(INDEX).settings(s -> s.numberOfShards(1).numberOfReplicas(0)));
    Random random = new Random(42);
    List<BulkOperation> operations = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      String title =
          WORDS.get(random.nextInt(WORDS.size())) + " " + WORDS.get(random.nextInt(WORDS.size()));
      Doc doc = new Doc(title, 1900 + random.nextInt(125), i % 3 == 0 ? "poetry" : "prose");
      String id = "d" + i;
      operations.add(BulkOperation.of(o -> o.index(x -> x.index(INDEX).id(id).document(doc))));
    }
    var bulk = client.bulk(b -> b.operations(operations).refresh(Refresh.True));
    if (bulk.errors()) {
      throw new IllegalStateException("the bulk load failed: " + bulk.items().get(0));
    }
  }

  static Result run(OpenSearchClient client, int threads, int seconds) throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong failures = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    int[] counts = new int[threads];
    for (int t = 0; t < threads; t++) {
      long[] mine = new long[2_000_000];
      latencies.add(mine);
      int index = t;
      Thread worker =
          new Thread(
              () -> {
                int n = 0;
                while (System.nanoTime() < end && n < mine.length) {
                  String word = WORDS.get((index * 7 + n) % WORDS.size());
                  long start = System.nanoTime();
                  try {
                    var r =
                        client.search(
                            s ->
                                s.index(INDEX)
                                    .size(10)
                                    .query(
                                        q ->
                                            q.match(
                                                m -> m.field("title").query(FieldValue.of(word)))),
                            Doc.class);
                    if (r.hits().hits().isEmpty()) {
                      failures.incrementAndGet();
                    }
                  } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                  }
                  mine[n++] = System.nanoTime() - start;
                }
                counts[index] = n;
              },
              "comparison-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " searches failed or found nothing");
    }
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(latencies.get(t), 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    return new Result(
        total / (double) seconds, all[total / 2] / 1_000.0, all[(int) (total * 0.99)] / 1_000.0);
  }

  static void summarize(Map<String, List<Result>> results, String own, PrintStream out) {
    out.println();
    out.printf(
        Locale.ROOT,
        "%-20s %12s %10s %10s %18s %18s%n",
        "variant (median)",
        "searches/s",
        "p50 us",
        "p99 us",
        "throughput ratio",
        "p50 latency ratio");
    List<Result> base = results.get(own);
    for (Map.Entry<String, List<Result>> e : results.entrySet()) {
      List<Result> rs = e.getValue();
      double[] throughputRatios = new double[rs.size()];
      double[] latencyRatios = new double[rs.size()];
      for (int i = 0; i < rs.size(); i++) {
        throughputRatios[i] = rs.get(i).perSecond() / base.get(i).perSecond();
        latencyRatios[i] = base.get(i).p50Micros() / rs.get(i).p50Micros();
      }
      out.printf(
          Locale.ROOT,
          "%-20s %12.0f %10.0f %10.0f %18.3f %18.3f%n",
          e.getKey(),
          median(rs.stream().mapToDouble(Result::perSecond).toArray()),
          median(rs.stream().mapToDouble(Result::p50Micros).toArray()),
          median(rs.stream().mapToDouble(Result::p99Micros).toArray()),
          median(throughputRatios),
          median(latencyRatios));
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
