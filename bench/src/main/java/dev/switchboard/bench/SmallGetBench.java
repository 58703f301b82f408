package dev.switchboard.bench;

import dev.switchboard.MalformedResponseException;
import dev.switchboard.TransportException;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Measures 1 and 2: a GET of a ~200-byte JSON body, each library raw and through Switchboard with
 * the same settings. {@link #latency} sends one request at a time and waits for it; {@link
 * #throughput} keeps {@value #IN_FLIGHT} requests in flight from one thread. Run with {@code -prof
 * gc} for the allocation per request ({@code gc.alloc.rate.norm}, all threads counted).
 *
 * <p>30 s of warm-up: on a 2-core machine, with the benchmark itself keeping both cores busy, the
 * JIT needs 20-30 s before a run reaches its plateau (measured: iteration after iteration kept
 * getting faster with 10 s of warm-up, up to 3x between the first and last measured one).
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 15, time = 2)
@Measurement(iterations = 10, time = 2)
public class SmallGetBench {
  static final int IN_FLIGHT = 64;

  @Param({"jdk", "apache", "okhttp"})
  public String transport;

  /**
   * {@code raw} or {@code switchboard}. Named so that it sorts after {@code transport}: JMH nests
   * parameters in name order, so each transport's raw and Switchboard runs come one after the
   * other, and a machine that drifts over the 20 minutes of a run skews a ratio less.
   */
  @Param({"raw", "switchboard"})
  public String via;

  private Client client;
  private URI uri;
  private final InFlight inFlight = new InFlight(IN_FLIGHT);
  private final AtomicLong refusedResends = new AtomicLong();
  private Client.Done done;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    client = Clients.create(transport, via, Settings.config(transport, IN_FLIGHT, 4 * IN_FLIGHT));
    uri = BenchServer.small();
    client.call(uri); // fails early when the server is not there
    done =
        inFlight.done(
            error -> {
              boolean refused = isRefusedJdkResend(error);
              if (refused) {
                refusedResends.incrementAndGet();
              }
              return refused;
            });
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    long refused = refusedResends.get();
    if (refused > 0) {
      System.out.println(
          "refused JDK resends (the JDK pool race, see bench/README.md): " + refused);
    }
  }

  /**
   * The one failure the throughput run counts instead of stopping on: through Switchboard, the jdk
   * transport reports an exchange whose pooled connection the JDK itself closed before any response
   * byte (a race in the JDK's pool, see bench/README.md) and that raw {@code HttpClient} resends
   * silently. Every other failure stops the run.
   */
  private boolean isRefusedJdkResend(Throwable error) {
    return transport.equals("jdk")
        && via.equals("switchboard")
        && TransportException.unwrap(error) instanceof MalformedResponseException m
        && m.requestSent();
  }

  /** Lets the requests of an iteration end before the next starts, and reports any failure. */
  @TearDown(Level.Iteration)
  public void drain() throws Exception {
    inFlight.drain();
  }

  /** One request at a time: send, wait for the whole body. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int latency() throws Exception {
    return client.call(uri);
  }

  /** Requests per second with {@value #IN_FLIGHT} in flight. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void throughput() throws InterruptedException {
    inFlight.acquire();
    client.send(uri, done);
  }
}
