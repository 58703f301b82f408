package dev.switchboard.jpmscheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link Main} in a JVM of its own with this module's classes and every runtime dependency on
 * the module path and nothing on the class path. The dependencies are the files Maven resolved
 * (dependency:build-classpath at generate-test-resources): in a reactor build the api's and the
 * transports' own target/ jars or classes, which must hold module-info.class. Run alone ({@code -pl
 * jpms-check} without {@code -am}) it would use the jars in the local repository instead.
 */
class ModulePathTest {
  private static final long TIMEOUT_SECONDS = 120;
  private static final String MAIN = "dev.switchboard.jpmscheck.Main";
  private static final String OTHERS =
      "dev.switchboard.cluster,dev.switchboard.micrometer,dev.switchboard.opentelemetry";

  @Test
  void discoveryAndRequestsWorkWithEverythingOnTheModulePath() throws Exception {
    Run run =
        java(
            "module-path",
            "--module-path",
            modulePath(),
            "--add-modules",
            OTHERS,
            "-m",
            "dev.switchboard.jpmscheck/" + MAIN);

    assertEquals(0, run.exit, run.describe());
    for (String name : List.of("apache", "jdk", "okhttp")) {
      assertTrue(
          run.stdout.contains("in module dev.switchboard." + name + " (explicit)"),
          name + " was not found in its explicit module\n" + run.describe());
    }
    assertTrue(run.stdout.contains("jpms-check: OK"), run.describe());
    // quiet: no SLF4J warning (the apache transport binds SLF4J to System.Logger), no dead thread
    assertTrue(run.stderr.isBlank(), "the child JVM wrote to stderr\n" + run.describe());
  }

  /** The same main with everything on the class path must fail: the checks can tell. */
  @Test
  void theChecksFailOnTheClassPath() throws Exception {
    Run run = java("class-path", "-cp", modulePath(), MAIN);

    assertNotEquals(0, run.exit, run.describe());
    assertTrue(
        run.stdout.contains("FAILED: the application is not in a named module"), run.describe());
    assertTrue(run.stdout.contains("found the unnamed module (class path)"), run.describe());
  }

  private static String modulePath() throws IOException {
    String dependencies =
        Files.readString(Path.of(property("jpmscheck.modulePathFile")), StandardCharsets.UTF_8)
            .trim();
    assertFalse(dependencies.isEmpty(), "no dependencies resolved");
    return property("jpmscheck.classes") + File.pathSeparator + dependencies;
  }

  private static Run java(String name, String... args) throws Exception {
    Path dir = Path.of(property("jpmscheck.workDir"));
    Files.createDirectories(dir);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    // nothing on the class path, no options slipped in from the environment
    builder.environment().remove("CLASSPATH");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    builder.environment().remove("JDK_JAVA_OPTIONS");
    builder.environment().remove("_JAVA_OPTIONS");
    Process process = builder.start();
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail(
            "the child JVM did not finish within "
                + TIMEOUT_SECONDS
                + " s\n"
                + new Run(command, -1, Files.readString(out), Files.readString(err)).describe());
      }
    } finally {
      process.destroyForcibly();
    }
    return new Run(command, process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    assertTrue(value != null && !value.isEmpty(), "system property " + name + " is not set");
    return value;
  }

  private record Run(List<String> command, int exit, String stdout, String stderr) {
    String describe() {
      return "command: "
          + String.join(" ", command)
          + "\nexit: "
          + exit
          + "\n--- stdout\n"
          + stdout
          + "--- stderr\n"
          + stderr;
    }
  }
}
