package dev.switchboard.bench;

import dev.switchboard.TransportConfig;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Makes the two sides of each comparison from the same configuration. */
final class Clients {
  /** The library used directly. */
  static final String RAW = "raw";

  /** The same library through Switchboard. */
  static final String SWITCHBOARD = "switchboard";

  /**
   * The library used raw, told of each ended request on a pool thread ({@link OffloadedClient}):
   * not in the default runs, given with {@code -p via=raw-offloaded}.
   */
  static final String RAW_OFFLOADED = "raw-offloaded";

  private Clients() {}

  /**
   * A cached pool of daemon threads named {@code threadName}, for the raw clients where the library
   * takes an executor (as Switchboard's engines give it one): a new thread when all are busy, idle
   * ones end after 60 s.
   */
  static ExecutorService cachedDaemonPool(String threadName) {
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, threadName);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * A client for {@code transport} ({@code jdk}, {@code apache}, {@code okhttp}) used {@code mode}
   * ({@value #RAW}, {@value #SWITCHBOARD} or {@value #RAW_OFFLOADED}), configured by {@code
   * config}.
   */
  static Client create(String transport, String mode, TransportConfig config) {
    if (mode.equals(SWITCHBOARD)) {
      return new SwitchboardClient(config.toBuilder().provider(transport).build());
    }
    if (mode.equals(RAW_OFFLOADED)) {
      return new OffloadedClient(create(transport, RAW, config));
    }
    if (!mode.equals(RAW)) {
      throw new IllegalArgumentException(
          "mode must be raw, switchboard or raw-offloaded, got " + mode);
    }
    Settings settings = new Settings(config);
    return switch (transport) {
      case "jdk" -> new RawJdkClient(settings);
      case "apache" -> new RawApacheClient(settings);
      case "okhttp" -> new RawOkHttpClient(settings);
      default -> throw new IllegalArgumentException("unknown transport " + transport);
    };
  }
}
