package dev.switchboard.tck.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.tck.CheckResult;
import dev.switchboard.tck.CheckStatus;
import dev.switchboard.tck.TckListener;
import dev.switchboard.tck.TckReport;
import dev.switchboard.tck.TckRunner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The programmatic runner the CLI uses; the full run is {@link JdkTransportKitTest}'s job. */
class TckRunnerTest {
  @Test
  void unknownProviderIsAFailedSetupNamingThosePresent() {
    List<Integer> planned = new ArrayList<>();
    List<CheckResult> finished = new ArrayList<>();
    TckReport report =
        TckRunner.run(
            "no-such-transport",
            new TckListener() {
              @Override
              public void started(int checks) {
                planned.add(checks);
              }

              @Override
              public void checkFinished(CheckResult result) {
                finished.add(result);
              }
            });
    assertEquals(1, planned.size());
    assertTrue(planned.get(0) > 80, "planned checks: " + planned);
    assertFalse(report.conforms());
    CheckResult setup = report.result("kit.setup");
    assertEquals(CheckStatus.FAILED, setup.status());
    assertTrue(setup.message().contains("jdk"), setup.message());
    assertEquals(report.results().size(), finished.size());
  }
}
