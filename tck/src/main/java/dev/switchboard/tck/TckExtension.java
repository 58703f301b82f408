package dev.switchboard.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Connects the kit to JUnit: hands the configuration parameters to the kit, marks the start of each
 * check, records each result, and writes the report when the kit's class has finished; fails the
 * class when none of its checks ran (see {@link TckVerify} for a run that never started).
 */
final class TckExtension
    implements TestInstancePostProcessor, BeforeEachCallback, TestWatcher, AfterAllCallback {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(TckExtension.class);

  @Override
  public void postProcessTestInstance(Object instance, ExtensionContext context) {
    if (instance instanceof TransportTck kit) {
      kit.configure(context::getConfigurationParameter);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("start", System.nanoTime());
    kit(context).ifPresent(k -> k.context().beginCheck(context));
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    kit(context)
        .ifPresent(
            k -> {
              String alt = k.context().alternative;
              record(
                  k,
                  context,
                  alt != null ? CheckStatus.ALTERNATIVE_VERIFIED : CheckStatus.PASSED,
                  alt);
            });
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    kit(context).ifPresent(k -> record(k, context, CheckStatus.FAILED, message(cause)));
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    kit(context).ifPresent(k -> record(k, context, CheckStatus.SKIPPED, message(cause)));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Optional<Object> instance = context.getTestInstance();
    if (instance.isPresent()
        && instance.get() instanceof TransportTck kit
        && context.getRequiredTestClass() == kit.getClass()) {
      kit.writeReport();
      int ran = kit.results().size();
      if (ran == 0) {
        // a certification that ran nothing must not look green
        throw new AssertionError(
            "Switchboard TCK: none of the kit's "
                + TckCatalog.size()
                + " checks ran in "
                + kit.getClass().getName()
                + " (filtered out by tags, -Dtest or an IDE selection?); a run that executes no"
                + " check certifies nothing");
      }
      if (ran < TckCatalog.size()) {
        context.publishReportEntry(
            "switchboard.tck", ran + " of the kit's " + TckCatalog.size() + " checks ran");
      }
    }
  }

  static String message(Throwable cause) {
    if (cause == null) {
      return null;
    }
    String m = cause.getMessage();
    if (m == null || m.isBlank()) {
      m = cause.getClass().getName();
    } else if (!(cause instanceof AssertionError)) {
      m = cause.getClass().getName() + ": " + m;
    }
    return m;
  }

  private static void record(
      TransportTck kit, ExtensionContext context, CheckStatus status, String message) {
    Long start = context.getStore(NS).get("start", Long.class);
    long millis = start == null ? 0 : TckContext.since(start);
    kit.record(new CheckResult(context.getDisplayName(), status, message, millis));
  }

  private static Optional<TransportTck> kit(ExtensionContext context) {
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      Optional<TransportTck> k =
          c.get().getTestInstances().flatMap(i -> i.findInstance(TransportTck.class));
      if (k.isPresent()) {
        return k;
      }
    }
    return Optional.empty();
  }

  static List<CheckResult> copy(List<CheckResult> results) {
    synchronized (results) {
      return new ArrayList<>(results);
    }
  }
}
