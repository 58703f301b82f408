package dev.switchboard.bench;

import java.net.URI;
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
 * Measure 4: a 1 MiB JSON response, one request at a time, read into a {@code byte[]} ({@link
 * #bytes}) or parsed with Jackson into a {@code Map} ({@link #json}); raw (the library's byte array
 * plus one shared {@code ObjectMapper}) and through Switchboard ({@code Response.bytes()}, {@code
 * Response.json(Map.class)}).
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 6, time = 2)
public class LargeBodyBench {
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

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    client = Clients.create(transport, via, Settings.config(transport, 64, 256));
    uri = BenchServer.large();
    int n = client.bytes(uri).length;
    if (n != Payloads.LARGE_SIZE) {
      throw new IllegalStateException("expected " + Payloads.LARGE_SIZE + " bytes, got " + n);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
  }

  @Benchmark
  public byte[] bytes() throws Exception {
    return client.bytes(uri);
  }

  @Benchmark
  public Object json() throws Exception {
    return client.json(uri);
  }
}
