package dev.switchboard.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Measure 1b again, with raw and Switchboard taking turns in one JVM: the same small GET, {@value
 * SmallGetBench#IN_FLIGHT} in flight, but both clients are built in one fork and each iteration
 * uses the other one (raw first), every iteration ending with its requests. Each Switchboard
 * iteration is compared with the raw one just before it, 2 s apart, where {@link
 * SmallGetBench#throughput} compares forks minutes apart — on a machine whose speed drifts by ±20 %
 * within minutes, the pairs here spread far less.
 *
 * <p>What it does not show: each client alone in its JVM. Here the JIT compiles the code both use
 * (the library's, the semaphore) for both, so neither gets a profile of its own. JMH's own score
 * mixes both and means nothing; the result is the table printed at the end of the fork (in {@code
 * jmh.txt}): requests per second and the JVM's CPU time per request of every turn, the ratio of
 * each pair, and their median.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 30, time = 2) // even: the measured turns begin with raw
@Measurement(iterations = 20, time = 2)
public class TurnsBench {
  @Param({"jdk", "apache", "okhttp"})
  public String transport;

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private Client raw;
  private Client switchboard;
  private InFlight rawInFlight;
  private InFlight switchboardInFlight;
  private URI uri;

  private int turn; // counts warm-up and measured iterations: even turns are raw
  private Client client;
  private InFlight inFlight;
  private boolean measured;
  private long sent; // by the benchmark's one thread
  private long startNanos;
  private long startCpu;
  private final List<double[]> rawTurns = new ArrayList<>(); // {req/s, CPU µs per request}
  private final List<double[]> switchboardTurns = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    var config = Settings.config(transport, SmallGetBench.IN_FLIGHT, 4 * SmallGetBench.IN_FLIGHT);
    raw = Clients.create(transport, Clients.RAW, config);
    switchboard = Clients.create(transport, Clients.SWITCHBOARD, config);
    rawInFlight = new InFlight(SmallGetBench.IN_FLIGHT, false);
    switchboardInFlight = new InFlight(SmallGetBench.IN_FLIGHT, transport.equals("jdk"));
    uri = BenchServer.small();
    raw.call(uri); // both fail early when the server is not there
    switchboard.call(uri);
  }

  @Setup(Level.Iteration)
  public void beginTurn(IterationParams iteration) {
    boolean rawTurn = turn % 2 == 0;
    client = rawTurn ? raw : switchboard;
    inFlight = rawTurn ? rawInFlight : switchboardInFlight;
    measured = iteration.getType() == IterationType.MEASUREMENT;
    sent = 0;
    startNanos = System.nanoTime();
    startCpu = os.getProcessCpuTime();
  }

  /** Ends the turn with its requests: the next turn starts with none of this one's in flight. */
  @TearDown(Level.Iteration)
  public void endTurn() {
    long nanos = System.nanoTime() - startNanos;
    long requests = sent;
    inFlight.drain();
    long cpu = os.getProcessCpuTime() - startCpu;
    if (measured && requests > 0) {
      double[] result = {requests * 1e9 / nanos, cpu / 1000.0 / requests};
      (client == raw ? rawTurns : switchboardTurns).add(result);
    }
    turn++;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    raw.close();
    switchboard.close();
    switchboardInFlight.reportRefusedResends();
    System.out.println(summary(transport, rawTurns, switchboardTurns));
  }

  /** Requests per second with {@value SmallGetBench#IN_FLIGHT} in flight, raw and Switchboard. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput() throws InterruptedException {
    inFlight.take();
    client.send(uri, inFlight.done());
    sent++;
  }

  /**
   * The table of turns, and the median ratio of Switchboard's turns to the raw turns before them.
   */
  static String summary(String transport, List<double[]> raw, List<double[]> switchboard) {
    int pairs = Math.min(raw.size(), switchboard.size());
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%nturns of %s, raw then Switchboard:%n", transport));
    s.append(
        "pair  raw req/s  Switchboard req/s  Switchboard/raw  CPU us/request raw -> Switchboard\n");
    double[] ratios = new double[pairs];
    double[] extraCpu = new double[pairs];
    double rawSum = 0;
    double switchboardSum = 0;
    for (int i = 0; i < pairs; i++) {
      double[] r = raw.get(i);
      double[] w = switchboard.get(i);
      ratios[i] = w[0] / r[0];
      extraCpu[i] = w[1] - r[1];
      rawSum += r[0];
      switchboardSum += w[0];
      s.append(
          String.format(
              Locale.ROOT,
              "%4d %10.0f %18.0f %16.3f  %6.1f -> %.1f%n",
              i + 1,
              r[0],
              w[0],
              ratios[i],
              r[1],
              w[1]));
    }
    if (pairs > 0) {
      s.append(
          String.format(
              Locale.ROOT,
              "turns %s: %d pairs, Switchboard/raw median %.3f (range %.3f-%.3f), summed %.3f;"
                  + " extra CPU per request median %+.1f us%n",
              transport,
              pairs,
              median(ratios),
              Arrays.stream(ratios).min().orElse(0),
              Arrays.stream(ratios).max().orElse(0),
              switchboardSum / rawSum,
              median(extraCpu)));
    }
    return s.toString();
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
