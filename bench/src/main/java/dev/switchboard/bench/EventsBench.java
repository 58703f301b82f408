package dev.switchboard.bench;

import dev.switchboard.EventListener;
import dev.switchboard.TransportConfig;
import dev.switchboard.micrometer.MicrometerEventListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * What events cost (issue #20): the small GET of {@link SmallGetBench}, {@value #IN_FLIGHT} in
 * flight, through Switchboard with no listener, with a listener that does nothing, and with {@link
 * MicrometerEventListener} on a {@link SimpleMeterRegistry}. Run with {@code -prof gc} for the
 * bytes per request ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 15, time = 2)
@Measurement(iterations = 10, time = 2)
public class EventsBench {
  static final int IN_FLIGHT = 64;

  /** A listener that overrides every event and does nothing in any. */
  static final class NoOp implements EventListener {
    @Override
    public void callStart(dev.switchboard.CallEvent call) {}

    @Override
    public void attemptStart(dev.switchboard.AttemptEvent attempt) {}

    @Override
    public void requestSent(dev.switchboard.AttemptEvent attempt) {}

    @Override
    public void responseHeaders(
        dev.switchboard.AttemptEvent attempt, int status, dev.switchboard.Headers headers) {}

    @Override
    public void responseBodyEnd(dev.switchboard.AttemptEvent attempt, long bytes) {}

    @Override
    public void callEnd(dev.switchboard.CallEvent call, int status) {}
  }

  @Param({"jdk", "apache", "okhttp"})
  public String transport;

  /**
   * {@code switchboard} (no listener), {@code switchboard+noop}, {@code switchboard+micrometer}.
   */
  @Param({"switchboard", "switchboard+noop", "switchboard+micrometer"})
  public String via;

  private SwitchboardClient client;
  private URI uri;
  private final InFlight inFlight = new InFlight(IN_FLIGHT);
  private Client.Done done;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    TransportConfig config = Settings.config(transport, IN_FLIGHT, 4 * IN_FLIGHT);
    EventListener listener =
        switch (via) {
          case "switchboard" -> null;
          case "switchboard+noop" -> new NoOp();
          case "switchboard+micrometer" ->
              MicrometerEventListener.create(new SimpleMeterRegistry());
          default -> throw new IllegalArgumentException("unknown via: " + via);
        };
    client =
        new SwitchboardClient(
            config.toBuilder().provider(transport).eventListener(listener).build());
    uri = BenchServer.small();
    client.call(uri);
    done = inFlight.done(error -> false);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
  }

  /** Lets the requests of an iteration end before the next starts, and reports any failure. */
  @TearDown(Level.Iteration)
  public void drain() throws Exception {
    inFlight.drain();
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
