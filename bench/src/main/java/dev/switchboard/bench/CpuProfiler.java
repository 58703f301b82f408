package dev.switchboard.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark's JVM per operation ({@code cpu.time.norm}, µs/op): every thread of the
 * forked JVM (the library's, the JIT's and the GC's included), not the server's. Where throughput
 * depends on what else the machine runs, the CPU a request costs does much less: it tells whether
 * Switchboard costs more work, or only lost the race for a core. Use with {@code -prof
 * dev.switchboard.bench.CpuProfiler}.
 *
 * <p>The JVM counts process CPU time in clock ticks of 10 ms (JDK 17 on Linux reads {@code
 * times()}), so an iteration should last seconds for the figure to be within a percent; one in
 * which no tick passed reports nothing.
 */
public final class CpuProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long start;

  @Override
  public String getDescription() {
    return "CPU time of the benchmark's JVM per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    start = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    long used = os.getProcessCpuTime() - start;
    long ops = result.getMetadata().getAllOps();
    if (ops <= 0 || used <= 0) {
      return List.of();
    }
    return List.of(
        new ScalarResult("cpu.time.norm", used / 1000.0 / ops, "µs/op", AggregationPolicy.AVG));
  }
}
