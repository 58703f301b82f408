package dev.switchboard.tck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses a certification that did not happen: reads the reports in a directory (by default {@code
 * target/switchboard-tck}) and fails when there is none, when one ran fewer checks than the kit has
 * ({@link TckCatalog}), none at all included, or when a check failed.
 *
 * <p>A build whose test runner never started the kit (Maven 3.8's default Surefire 2.12.4 runs no
 * JUnit 5 test and reports success) leaves no report, which this turns into a failure. Run it after
 * the tests, e.g. bound to {@code verify} with {@code exec-maven-plugin}'s {@code java} goal
 * ({@code classpathScope} {@code test}, main class {@code dev.switchboard.tck.TckVerify}), or from
 * a shell: {@code java -cp <test class path> dev.switchboard.tck.TckVerify target/switchboard-tck}.
 */
public final class TckVerify {
  private TckVerify() {}

  /**
   * What is wrong with the reports in {@code dir}; empty when every report found is complete and
   * conforms and at least one was found.
   *
   * @param dir the report directory
   * @return one line per problem
   */
  public static List<String> problems(Path dir) {
    List<String> problems = new ArrayList<>();
    List<TckReport> reports = Files.isDirectory(dir) ? TckReport.readAll(dir) : List.of();
    if (reports.isEmpty()) {
      problems.add(
          "no Switchboard TCK report in "
              + dir.toAbsolutePath()
              + ": the kit did not run. JUnit 5 tests need maven-surefire-plugin 3.x (Maven 3.8's"
              + " default Surefire 2.12.4 runs none and reports success), and the test class that"
              + " extends TransportTck must match Surefire's includes (a name ending in Test).");
      return problems;
    }
    Set<String> all = new TreeSet<>(TckCatalog.checkIds());
    for (TckReport r : reports) {
      Set<String> ran = new TreeSet<>();
      r.results().forEach(c -> ran.add(c.id()));
      Set<String> missing = new TreeSet<>(all);
      missing.removeAll(ran);
      if (!missing.isEmpty()) {
        problems.add(
            r.transport()
                + ": "
                + (all.size() - missing.size())
                + " of the kit's "
                + all.size()
                + " checks ran; missing "
                + abbreviate(missing));
      }
      r.failures()
          .forEach(c -> problems.add(r.transport() + ": " + c.id() + " failed: " + c.message()));
    }
    return problems;
  }

  /**
   * Checks {@code args[0]} (default {@code target/switchboard-tck}): prints one line per report and
   * throws when {@link #problems} finds any, so that {@code java} exits with status 1 and {@code
   * exec -maven-plugin} fails the build.
   *
   * @param args the report directory, optional
   * @throws IllegalStateException listing the problems
   */
  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/switchboard-tck");
    List<String> problems = problems(dir);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Switchboard TCK certification incomplete:\n  " + String.join("\n  ", problems));
    }
    for (TckReport r : TckReport.readAll(dir)) {
      System.out.println(
          "Switchboard TCK: "
              + r.transport()
              + " ran all "
              + TckCatalog.size()
              + " checks: "
              + r.count(CheckStatus.PASSED)
              + " passed, "
              + r.count(CheckStatus.ALTERNATIVE_VERIFIED)
              + " alternative verified, "
              + r.count(CheckStatus.SKIPPED)
              + " skipped");
    }
  }

  private static String abbreviate(Set<String> ids) {
    List<String> list = new ArrayList<>(ids);
    return list.size() <= 5
        ? String.join(", ", list)
        : String.join(", ", list.subList(0, 5)) + " and " + (list.size() - 5) + " more";
  }
}
