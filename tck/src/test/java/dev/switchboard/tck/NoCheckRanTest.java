package dev.switchboard.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** A run of the kit's class in which no check ran fails, saying so. */
class NoCheckRanTest {
  /** A transport that cannot even be created: the kit's class runs, none of its checks does. */
  static class Uncreatable extends TransportTck {
    @Override
    protected Transport create(TransportConfig config) {
      throw new IllegalStateException("no transport today");
    }
  }

  @Test
  void theKitsClassFailsWhenNoneOfItsChecksRan() {
    List<Throwable> classFailures = new ArrayList<>();
    List<String> checksRun = new ArrayList<>();
    LauncherFactory.create()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Uncreatable.class))
                .configurationParameter(TransportTck.REPORT, "false")
                .build(),
            new TestExecutionListener() {
              @Override
              public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                  checksRun.add(id.getDisplayName());
                } else if (id.getDisplayName().endsWith(Uncreatable.class.getSimpleName())) {
                  result.getThrowable().ifPresent(classFailures::add);
                }
              }
            });
    assertEquals(List.of(), checksRun);
    assertEquals(1, classFailures.size(), classFailures.toString());
    Throwable failure = classFailures.get(0);
    List<Throwable> all = new ArrayList<>(Arrays.asList(failure.getSuppressed()));
    all.add(failure);
    assertTrue(
        all.stream()
            .anyMatch(
                t ->
                    t instanceof AssertionError
                        && t.getMessage()
                            .startsWith(
                                "Switchboard TCK: none of the kit's "
                                    + TckCatalog.size()
                                    + " checks ran")),
        all.toString());
  }
}
