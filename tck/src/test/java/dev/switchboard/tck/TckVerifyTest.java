package dev.switchboard.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A certification that did not happen, or happened in part, is refused. */
class TckVerifyTest {
  @TempDir Path dir;

  @Test
  void theCatalogListsEveryCheckOnce() {
    List<String> ids = TckCatalog.checkIds();
    assertTrue(ids.size() >= 90, "the kit has about 90 checks: " + ids.size());
    assertEquals(ids.size(), new HashSet<>(ids).size());
    assertTrue(ids.contains("get-body.get-json-body-intact"), ids.toString());
    ids.forEach(id -> assertTrue(id.matches("[a-z0-9-]+\\.[a-z0-9-]+"), id));
  }

  @Test
  void noReportIsAProblemNamingSurefire() {
    List<String> problems = TckVerify.problems(dir.resolve("switchboard-tck"));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("the kit did not run"), problems.toString());
    assertTrue(problems.get(0).contains("maven-surefire-plugin 3.x"), problems.toString());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> TckVerify.main(new String[] {dir.resolve("nothing").toString()}));
    assertTrue(e.getMessage().contains("the kit did not run"), e.getMessage());
  }

  @Test
  void aReportWithNoCheckOrSomeMissingIsAProblem() {
    new TckReport("empty", List.of(), List.of()).write(dir);
    List<CheckResult> some = new ArrayList<>();
    TckCatalog.checkIds().stream()
        .limit(10)
        .forEach(id -> some.add(new CheckResult(id, CheckStatus.PASSED, null, 1)));
    new TckReport("partial", List.of(), some).write(dir);
    List<String> problems = TckVerify.problems(dir);
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(
        problems.get(0).startsWith("empty: 0 of the kit's " + TckCatalog.size()), problems.get(0));
    assertTrue(
        problems.get(1).startsWith("partial: 10 of the kit's " + TckCatalog.size()),
        problems.get(1));
  }

  @Test
  void aCompleteConformingReportPassesAndAFailureDoesNot() {
    List<CheckResult> all = new ArrayList<>();
    TckCatalog.checkIds().forEach(id -> all.add(new CheckResult(id, CheckStatus.PASSED, null, 1)));
    new TckReport("good", List.of(), all).write(dir);
    assertEquals(List.of(), TckVerify.problems(dir));
    TckVerify.main(new String[] {dir.toString()});

    all.set(0, new CheckResult(all.get(0).id(), CheckStatus.FAILED, "boom", 1));
    new TckReport("bad", List.of(), all).write(dir);
    List<String> problems = TckVerify.problems(dir);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(
        problems.get(0).startsWith("bad: " + all.get(0).id() + " failed: boom"), problems.get(0));
  }
}
