package dev.switchboard.bench;

import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Measure 3: many requests at once to a server that answers each after 100 ms, sent with {@link
 * Transport#sendAll}; the time until all are done. {@link #defaults} sends 64 (the default per-host
 * limit) with the default configuration, where a per-host cap hidden in a library would show;
 * {@link #wide} sends {@code wide} (1000) with {@code maxConnectionsPerHost} and {@code
 * maxConnections} raised to match. Connections stay pooled between iterations, so after warm-up
 * this is the steady state of an application that fans out repeatedly.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8)
@Measurement(iterations = 20)
public class FanOutBench {
  /** The default {@code maxConnectionsPerHost}. */
  static final int NARROW = 64;

  @Param({"jdk", "apache", "okhttp"})
  public String transport;

  @Param({"1000"})
  public int wide;

  private Transport defaults;
  private Transport tuned;
  private List<Request> narrowRequests;
  private List<Request> wideRequests;

  @Setup(Level.Trial)
  public void setUp() {
    defaults = Transports.create(TransportConfig.builder().provider(transport).build());
    tuned =
        Transports.create(
            TransportConfig.builder()
                .provider(transport)
                .maxConnectionsPerHost(wide)
                .maxConnections(Math.max(wide, TransportConfig.defaults().maxConnections()))
                .build());
    narrowRequests = requests(NARROW);
    wideRequests = requests(wide);
  }

  private static List<Request> requests(int n) {
    List<Request> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Request.get(BenchServer.delay().resolve("/delay?i=" + i)));
    }
    return List.copyOf(out);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    defaults.close();
    tuned.close();
  }

  /** 64 requests × 100 ms, default configuration. */
  @Benchmark
  public int defaults() {
    return check(defaults.sendAll(narrowRequests).join());
  }

  /** {@code wide} requests × 100 ms, {@code maxConnectionsPerHost(wide)}. */
  @Benchmark
  public int wide() {
    return check(tuned.sendAll(wideRequests).join());
  }

  private static int check(List<Response> responses) {
    int bytes = 0;
    for (Response r : responses) {
      bytes += r.length();
    }
    if (bytes == 0) {
      throw new IllegalStateException("empty responses");
    }
    return bytes;
  }
}
