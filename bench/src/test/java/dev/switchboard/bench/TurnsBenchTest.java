package dev.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TurnsBenchTest {
  @Test
  void theMedianOfAnOddAndOfAnEvenCount() {
    assertEquals(2.0, TurnsBench.median(new double[] {3, 1, 2}));
    assertEquals(2.5, TurnsBench.median(new double[] {4, 1, 3, 2}));
  }

  @Test
  void eachSwitchboardTurnIsComparedWithTheRawTurnBeforeIt() {
    List<double[]> raw = List.of(new double[] {1000, 50}, new double[] {2000, 40});
    List<double[]> switchboard =
        List.of(new double[] {900, 55}, new double[] {2100, 39}, new double[] {5000, 1});
    String summary = TurnsBench.summary("okhttp", raw, switchboard);
    assertTrue(summary.contains("   1       1000                900            0.900"), summary);
    assertTrue(summary.contains("   2       2000               2100            1.050"), summary);
    // median of 0.900 and 1.050; summed 3000 / 3000; extra CPU +5 and -1
    assertTrue(
        summary.contains(
            "turns okhttp: 2 pairs, Switchboard/raw median 0.975 (range 0.900-1.050), summed"
                + " 1.000; extra CPU per request median +2.0 us"),
        summary);
  }
}
