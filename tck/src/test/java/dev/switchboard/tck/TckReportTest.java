package dev.switchboard.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TckReportTest {
  private static TckReport jdk() {
    return new TckReport(
        "jdk",
        List.of("GET_WITH_BODY"),
        List.of(
            new CheckResult("methods.standard-methods", CheckStatus.PASSED, null, 12),
            new CheckResult("errors.garbage", CheckStatus.FAILED, "expected X, got Y", 40)));
  }

  private static TckReport okhttp() {
    return new TckReport(
        "okhttp",
        List.of(),
        List.of(
            new CheckResult("methods.standard-methods", CheckStatus.PASSED, null, 9),
            new CheckResult(
                "get-body.get-json-body-intact",
                CheckStatus.ALTERNATIVE_VERIFIED,
                "GET_WITH_BODY not supported",
                30)));
  }

  @Test
  void jsonRoundTripKeepsEveryField(@TempDir Path dir) {
    TckReport r = jdk();
    Path file = r.write(dir);
    assertEquals("jdk.json", file.getFileName().toString());
    TckReport back = TckReport.read(file);
    assertEquals("jdk", back.transport());
    assertEquals(List.of("GET_WITH_BODY"), back.capabilities());
    assertEquals(r.results(), back.results());
    assertFalse(back.conforms());
    assertEquals(1, back.failures().size());
    assertEquals("errors.garbage", back.results().get(0).id(), "sorted by id");
  }

  @Test
  void matrixHasChecksAsRowsTransportsAsColumnsAndTotals(@TempDir Path dir) throws Exception {
    jdk().write(dir);
    okhttp().write(dir);
    Files.createDirectories(dir.resolve("not-a-report"));
    TckMatrix m = TckMatrix.fromDirectory(dir);
    assertEquals(2, m.reports().size());
    assertEquals(
        List.of("errors.garbage", "get-body.get-json-body-intact", "methods.standard-methods"),
        m.checkIds());
    assertFalse(m.allConform());
    String md = m.toMarkdown();
    assertTrue(md.startsWith("| check | jdk | okhttp |"), md);
    assertTrue(md.contains("| `errors.garbage` | ❌ **FAILED** | – |"), md);
    assertTrue(md.contains("not supported → alternative verified"), md);
    assertTrue(md.contains("| **total** | 1/2 conform, 1 failed | 2/2 conform |"), md);
    assertTrue(md.contains("expected X, got Y"), md);
    String text = m.toText();
    assertTrue(text.contains("methods.standard-methods"), text);
    assertTrue(text.lines().anyMatch(l -> l.startsWith("total")), text);
    String json = m.toJson();
    assertTrue(json.contains("\"errors.garbage\" : {"), json);
    assertTrue(json.contains("\"FAILED\""), json);
  }
}
