package dev.switchboard.bench;

import dev.switchboard.Capability;
import dev.switchboard.EventListener;
import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.micrometer.MicrometerEventListener;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
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
 * The api layer alone: Switchboard's {@code Transport} over an engine that answers every exchange
 * at once, in memory, with the small JSON body. What it measures is what the layer costs a request
 * by itself (time, including its hand-off to the callback executor, and allocation), with no
 * network and no library underneath. Not one of the measures; it locates overhead.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LayerBench {
  private static final URI URI_ = URI.create("http://127.0.0.1:9/small.json");

  /**
   * {@code switchboard} (no event listener), {@code switchboard+noop} (a listener that does
   * nothing) or {@code switchboard+micrometer}: what events cost the layer, without network noise.
   */
  @Param({"switchboard", "switchboard+noop", "switchboard+micrometer"})
  public String via;

  private Transport transport;
  private Transport inline;

  @Setup(Level.Trial)
  public void setUp() {
    EventListener listener =
        switch (via) {
          case "switchboard" -> null;
          case "switchboard+noop" -> new EventsBench.NoOp();
          case "switchboard+micrometer" ->
              MicrometerEventListener.create(new SimpleMeterRegistry());
          default -> throw new IllegalArgumentException("unknown via: " + via);
        };
    TransportConfig config = TransportConfig.builder().eventListener(listener).build();
    transport = Transports.wrap(new InstantEngine(), config);
    inline =
        Transports.wrap(
            new InstantEngine(), config.toBuilder().callbackExecutor(Runnable::run).build());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    transport.close();
    inline.close();
  }

  /** {@code send(...).join()}: the layer, one hop to the callback executor and back. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int sendJoin() {
    return transport.send(Request.get(URI_)).join().length();
  }

  /**
   * The same with the completion run where the engine reports it (a direct callback executor): the
   * layer's own work per request, without any thread hand-off.
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int sendJoinInline() {
    return inline.send(Request.get(URI_)).join().length();
  }

  /** An engine that answers at once, on the caller's thread, from memory. */
  static final class InstantEngine implements TransportEngine {
    private static final byte[] BODY = Payloads.small();
    private static final Headers HEADERS =
        Headers.of(
            "Server", "nginx/1.22.1",
            "Date", "Tue, 24 Nov 2026 20:00:00 GMT",
            "Content-Type", "application/json",
            "Content-Length", Integer.toString(BODY.length),
            "Connection", "keep-alive");

    @Override
    public String name() {
      return "instant";
    }

    @Override
    public Set<Capability> capabilities() {
      return Set.of();
    }

    @Override
    public Exchange start(ExchangeRequest request, ExchangeListener listener) {
      listener.onRequestSent();
      listener.onResponseHeaders(200, HEADERS);
      listener.onBody(ByteBuffer.wrap(BODY));
      listener.onComplete();
      return new Exchange() {
        @Override
        public void request(long n) {}

        @Override
        public void abort() {}
      };
    }

    @Override
    public void close() {}
  }
}
