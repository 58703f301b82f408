package dev.switchboard.tck;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.switchboard.Capability;
import dev.switchboard.Transports;
import dev.switchboard.spi.TransportProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the kit programmatically through the JUnit Platform launcher, for tools such as {@code
 * switchboard check}:
 *
 * <pre>{@code
 * List<TckReport> reports = new ArrayList<>();
 * for (TransportProvider p : Transports.providers()) {
 *   reports.add(TckRunner.run(p.name(), TckListener.NONE));
 * }
 * System.out.println(TckMatrix.of(reports).toText());
 * }</pre>
 *
 * The kit needs the JUnit Jupiter engine on the class path (a dependency of {@code
 * switchboard-tck}). No report file is written unless asked for with {@link #run(String,
 * TckListener, Map)}.
 */
public final class TckRunner {
  private TckRunner() {}

  /**
   * Runs every check against the provider named {@code provider}.
   *
   * @param provider a provider name as in {@link Transports#providers()}
   * @param listener told of each check as it starts and ends
   * @return the report; a failure to start the kit at all shows as a failed check {@code kit.setup}
   */
  public static TckReport run(String provider, TckListener listener) {
    return run(provider, listener, Map.of(TransportTck.REPORT, "false"));
  }

  /**
   * Runs every check against {@code provider} with extra JUnit configuration parameters (e.g.
   * {@link TransportTck#REPORT_DIR}).
   */
  public static TckReport run(
      String provider, TckListener listener, Map<String, String> parameters) {
    Objects.requireNonNull(provider, "provider");
    TckListener l = listener == null ? TckListener.NONE : listener;
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(DiscoveredTransportTck.class))
            .configurationParameters(parameters)
            .configurationParameter(DiscoveredTransportTck.PROVIDER, provider)
            .build();
    Collector collector = new Collector(l);
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, collector);
    List<String> caps = new ArrayList<>();
    for (TransportProvider p : Transports.providers()) {
      if (p.name().equalsIgnoreCase(provider)) {
        p.capabilities().stream().map(Capability::name).sorted().forEach(caps::add);
      }
    }
    return new TckReport(provider, caps, collector.results);
  }

  /** Turns launcher events into check results. */
  private static final class Collector implements TestExecutionListener {
    private final TckListener listener;
    private final List<CheckResult> results = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> starts = new ConcurrentHashMap<>();
    private final Map<String, String> alternatives = new ConcurrentHashMap<>();

    Collector(TckListener listener) {
      this.listener = listener;
    }

    @Override
    public void testPlanExecutionStarted(org.junit.platform.launcher.TestPlan plan) {
      listener.started((int) plan.countTestIdentifiers(TestIdentifier::isTest));
    }

    @Override
    public void executionStarted(TestIdentifier id) {
      starts.put(id.getUniqueId(), System.nanoTime());
      if (id.isTest()) {
        listener.checkStarted(id.getDisplayName());
      }
    }

    @Override
    public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
      Map<String, String> kv = entry.getKeyValuePairs();
      if (kv.containsKey(TckContext.STATUS_ENTRY)) {
        alternatives.putIfAbsent(id.getUniqueId(), "");
      }
      if (kv.containsKey(TckContext.MESSAGE_ENTRY)) {
        alternatives.put(id.getUniqueId(), kv.get(TckContext.MESSAGE_ENTRY));
      }
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
      if (id.isTest()) {
        finish(new CheckResult(id.getDisplayName(), CheckStatus.SKIPPED, reason, 0));
      }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
      Long start = starts.remove(id.getUniqueId());
      long millis = start == null ? 0 : TckContext.since(start);
      String message = result.getThrowable().map(TckExtension::message).orElse(null);
      if (id.isTest()) {
        CheckStatus status =
            switch (result.getStatus()) {
              case SUCCESSFUL ->
                  alternatives.containsKey(id.getUniqueId())
                      ? CheckStatus.ALTERNATIVE_VERIFIED
                      : CheckStatus.PASSED;
              case ABORTED -> CheckStatus.SKIPPED;
              case FAILED -> CheckStatus.FAILED;
            };
        if (status == CheckStatus.ALTERNATIVE_VERIFIED) {
          message = alternatives.get(id.getUniqueId());
        }
        finish(new CheckResult(id.getDisplayName(), status, message, millis));
      } else if (result.getStatus() == TestExecutionResult.Status.FAILED
          && id.getSource().isPresent()) {
        // a container failed (e.g. the provider could not be created): make it visible
        finish(new CheckResult("kit.setup", CheckStatus.FAILED, message, millis));
      }
    }

    private void finish(CheckResult r) {
      results.add(r);
      listener.checkFinished(r);
    }
  }
}
