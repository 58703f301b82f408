package dev.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.TransportConfig;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Keeps the benchmarks compiling and starting, not measuring: every benchmark and parameter runs
 * once, briefly, in this JVM, against the in-JVM server on 127.0.0.1 (no nginx needed).
 */
class SmokeTest {
  @Test
  void everyBenchmarkRunsAgainstEveryTransport() throws Exception {
    BenchServer.useInJvm();
    // a benchmark run elsewhere on the machine holds JMH's lock; this smoke run measures nothing
    System.setProperty("jmh.ignoreLock", "true");
    Options options =
        new OptionsBuilder()
            .include("dev\\.switchboard\\.bench\\..*Bench\\..*")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .timeout(TimeValue.seconds(30))
            .param("wide", "50")
            .shouldFailOnError(true)
            .addProfiler(CpuProfiler.class)
            .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
            .timeUnit(TimeUnit.MICROSECONDS)
            .build();
    Collection<RunResult> results = new Runner(options).run();

    Set<String> ran = new TreeSet<>();
    int withCpu = 0;
    for (RunResult r : results) {
      double score = r.getPrimaryResult().getScore();
      String name = r.getParams().getBenchmark().replaceFirst(".*\\.bench\\.", "");
      String transport = r.getParams().getParam("transport");
      String mode = r.getParams().getParam("via");
      ran.add(name + (transport == null ? "" : " " + transport) + (mode == null ? "" : " " + mode));
      assertFalse(Double.isNaN(score), name + " has no score");
      assertTrue(score > 0, name + " scored " + score);
      // the JVM's process CPU time moves in 10 ms ticks (JDK 17 on Linux reads times()): a 100 ms
      // iteration of a benchmark that mostly waits, on a busy machine, may see no tick at all, and
      // the profiler then says nothing rather than 0 (seen once in CI); where it says something,
      // it must be a time, and it must say something somewhere
      var cpu = r.getSecondaryResults().get("cpu.time.norm");
      if (cpu != null) {
        assertTrue(cpu.getScore() > 0, name + " has a CPU time per operation of " + cpu.getScore());
        withCpu++;
      }
    }
    assertTrue(withCpu > 0, "the CPU profiler reported for none of the benchmarks");
    // SmallGetBench and LargeBodyBench: 2 methods x 3 transports x 2 modes; FanOutBench: 2 x 3;
    // LayerBench: 2 x 3 listeners; OkHttpSyncBench: 1; EventsBench: 1 x 3 transports x 3 listeners
    assertEquals(12 + 12 + 6 + 6 + 1 + 9, ran.size(), "benchmarks run: " + ran);
  }

  /** {@code -p via=raw-offloaded}: the raw library, its end told on a pool thread. */
  @Test
  void anOffloadedRawClientTellsTheEndOnAPoolThread() throws Exception {
    BenchServer.useInJvm();
    for (String transport : new String[] {"jdk", "apache", "okhttp"}) {
      TransportConfig config = Settings.config(transport, 4, 4);
      try (Client raw = Clients.create(transport, Clients.RAW, config);
          Client offloaded = Clients.create(transport, Clients.RAW_OFFLOADED, config)) {
        String rawThread = endedOn(raw);
        String offloadedThread = endedOn(offloaded);
        assertTrue(offloadedThread.startsWith("offloaded-callback"), offloadedThread);
        assertFalse(rawThread.startsWith("offloaded-callback"), rawThread);
      }
    }
  }

  private static String endedOn(Client client) throws Exception {
    CompletableFuture<String> thread = new CompletableFuture<>();
    client.send(
        BenchServer.small(),
        error -> {
          if (error != null) {
            thread.completeExceptionally(error);
          } else {
            thread.complete(Thread.currentThread().getName());
          }
        });
    return thread.get(10, TimeUnit.SECONDS);
  }
}
