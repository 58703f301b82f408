package dev.switchboard.tck;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import dev.switchboard.Capability;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every check shares: the factory under test, the servers, the things to close after the
 * check, and the bounded waits that turn a hang into a clear failure.
 */
final class TckContext {
  /** The longest any single wait in a check may take before it counts as a hang. */
  static final Duration HANG = Duration.ofSeconds(15);

  /** The longest the kit waits for one thing to close after a check. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  static final String STATUS_ENTRY = "switchboard.tck.status";
  static final String MESSAGE_ENTRY = "switchboard.tck.message";

  private final Function<TransportConfig, Transport> factory;
  private final Function<TransportConfig, Transport> userClientFactory;
  final Path workDir;
  private WireMockServer wireMock;
  private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
  String name;
  Set<Capability> capabilities = Set.of();
  volatile ExtensionContext current;
  volatile String alternative;

  TckContext(
      Function<TransportConfig, Transport> factory,
      Function<TransportConfig, Transport> userClientFactory,
      Path workDir) {
    this.factory = factory;
    this.userClientFactory = userClientFactory;
    this.workDir = workDir;
  }

  // ------------------------------------------------------------------ transports

  /** A transport with the default configuration, closed after the check. */
  Transport transport() {
    return transport(b -> b);
  }

  /** A transport with a configuration derived from the defaults, closed after the check. */
  Transport transport(UnaryOperator<TransportConfig.Builder> config) {
    return create(config.apply(TransportConfig.builder()).build());
  }

  /** A transport from exactly {@code config}, closed after the check. */
  Transport create(TransportConfig config) {
    Transport t = factory.apply(config);
    if (t == null) {
      throw new AssertionError("create(TransportConfig) returned null");
    }
    return closeLater(t);
  }

  /** The transport made from a user-supplied library client, or {@code null} when none. */
  Transport userClientTransport(TransportConfig config) {
    Transport t = userClientFactory.apply(config);
    return t == null ? null : closeLater(t);
  }

  boolean has(Capability c) {
    return capabilities.contains(c);
  }

  // ------------------------------------------------------------------ servers

  /** A raw server for this check only. */
  RawServer raw(RawServer.Handler handler) throws Exception {
    return closeLater(RawServer.start(handler));
  }

  /** The shared WireMock server; its stubs and journal are reset after every check. */
  WireMockServer wireMock() {
    if (wireMock == null) {
      WireMockServer wm =
          new WireMockServer(
              options()
                  .bindAddress("127.0.0.1")
                  .dynamicPort()
                  .containerThreads(300)
                  .http2PlainDisabled(true)
                  .gzipDisabled(true)
                  .notifier(new ConsoleNotifier(false)));
      wm.start();
      wireMock = wm;
    }
    return wireMock;
  }

  URI wm(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + wireMock().port() + pathAndQuery);
  }

  <T extends AutoCloseable> T closeLater(T c) {
    synchronized (toClose) {
      toClose.push(c);
    }
    return c;
  }

  // ------------------------------------------------------------------ check lifecycle

  void beginCheck(ExtensionContext context) {
    current = context;
    alternative = null;
  }

  void endCheck() {
    while (true) {
      AutoCloseable c;
      synchronized (toClose) {
        c = toClose.poll();
      }
      if (c == null) {
        break;
      }
      closeBounded(c);
    }
    if (wireMock != null) {
      wireMock.resetAll();
    }
    current = null;
  }

  /**
   * Closes {@code c}, but waits at most {@link #CLOSE_WAIT} for it: a broken transport whose
   * close() blocks must not hold up the servers behind it or the next check.
   */
  private static void closeBounded(AutoCloseable c) {
    Thread closer =
        new Thread(
            () -> {
              try {
                c.close();
              } catch (Exception ignored) {
                // a check's leftovers must not fail the next one
              }
            },
            "tck-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void shutdown() {
    endCheck();
    if (wireMock != null) {
      wireMock.stop();
      wireMock = null;
    }
  }

  /**
   * Records that the transport lacks the capability this check is about and that the documented
   * alternative was verified; the check then reports {@link CheckStatus#ALTERNATIVE_VERIFIED}.
   */
  void alternativeVerified(String note) {
    alternative = note;
    ExtensionContext c = current;
    if (c != null) {
      c.publishReportEntry(STATUS_ENTRY, CheckStatus.ALTERNATIVE_VERIFIED.name());
      c.publishReportEntry(MESSAGE_ENTRY, note);
    }
  }

  // ------------------------------------------------------------------ waiting

  /** The response, or an assertion error naming the failure (or the hang). */
  static Response ok(CompletableFuture<Response> f) {
    return ok(f, HANG);
  }

  static Response ok(CompletableFuture<Response> f, Duration within) {
    try {
      return f.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected a response, got " + describe(e.getCause()), e.getCause());
    } catch (CancellationException e) {
      throw new AssertionError("expected a response, the future was cancelled", e);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("no response within " + within.toSeconds() + " s (hang)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The failure of {@code f} (unwrapped), or an assertion error when it succeeds or hangs. */
  static Throwable failure(Future<?> f) {
    return failure(f, HANG);
  }

  static Throwable failure(Future<?> f, Duration within) {
    try {
      Object v = f.get(within.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return TransportException.unwrap(e.getCause());
    } catch (CancellationException e) {
      return e;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("no outcome within " + within.toSeconds() + " s (hang)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The failure of {@code f} as {@code type}, or an assertion error describing what it was. */
  static <T extends Throwable> T failure(Future<?> f, Class<T> type) {
    return expect(failure(f), type);
  }

  static <T extends Throwable> T failure(Future<?> f, Class<T> type, Duration within) {
    return expect(failure(f, within), type);
  }

  static <T extends Throwable> T expect(Throwable t, Class<T> type) {
    if (!type.isInstance(t)) {
      throw new AssertionError("expected " + type.getSimpleName() + ", got " + describe(t), t);
    }
    return type.cast(t);
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "null";
    }
    String s = t.getClass().getName() + ": " + t.getMessage();
    if (t.getCause() != null) {
      s += " (cause " + t.getCause().getClass().getName() + ": " + t.getCause().getMessage() + ")";
    }
    return s;
  }

  /** Milliseconds since {@code startNanos}. */
  static long since(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
