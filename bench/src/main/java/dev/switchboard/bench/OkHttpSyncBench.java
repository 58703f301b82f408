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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * For reference beside {@link SmallGetBench#latency}: OkHttp's synchronous {@code Call.execute()},
 * which runs the exchange on the caller's thread with no hand-off at all. Switchboard's {@code
 * execute} is asynchronous underneath (as are the JDK and Apache raw forms), so the comparison in
 * {@code SmallGetBench} is against OkHttp's {@code enqueue}; this shows what the synchronous form
 * would cost instead.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 6, time = 2)
public class OkHttpSyncBench {
  private RawOkHttpClient client;
  private URI uri;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    client = new RawOkHttpClient(new Settings(Settings.config("okhttp", 64, 256)));
    uri = BenchServer.small();
    client.bytesBlocking(uri);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int latency() throws Exception {
    return client.bytesBlocking(uri).length;
  }
}
