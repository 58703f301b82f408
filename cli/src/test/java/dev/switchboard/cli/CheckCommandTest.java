package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} against a transport that fails some checks: the whole kit runs once here. */
class CheckCommandTest {
  @TempDir static Path dir;
  static Path matrix;
  static Cli.Run run;

  @BeforeAll
  static void runTheKitAgainstABrokenTransport() {
    matrix = dir.resolve("out/conformance.md");
    run =
        Cli.run(
            "check",
            "--transport",
            BrokenProvider.NAME,
            "--format",
            "markdown",
            "--output",
            matrix.toString());
  }

  @Test
  void exitStatusIsOneWhenACheckFails() {
    assertThat(run.status()).as(run.err()).isEqualTo(Main.FAILED);
  }

  @Test
  void progressAndFailuresGoToStandardError() {
    assertThat(run.err())
        .startsWith("Checking 1 transport (broken) against the Switchboard TCK")
        .containsPattern("\\[broken] methods +\\d+ passed")
        .containsPattern("\\[broken] FAILED bodies\\.round-trip-1-byte: .+")
        .containsPattern("\\[broken] \\d+ checks in [\\d.]+ m?s: \\d+ passed, \\d+ FAILED")
        .contains("NOT all conform")
        .contains("matrix written to " + matrix);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void theMatrixIsWrittenInTheFormatAsked() throws IOException {
    String md = Files.readString(matrix);
    assertThat(md)
        .startsWith("| check | broken |\n| --- | --- |\n")
        .contains("| `bodies.round-trip-1-byte` | ❌ **FAILED** |")
        .containsPattern("\\| `methods\\.[a-z0-9-]+` \\| ✅ passed \\|")
        .containsPattern("\\| \\*\\*total\\*\\* \\| \\d+/\\d+ conform, \\d+ failed[^|]* \\|")
        .contains("**Failures**");
  }

  @Test
  void helpIsShownWithExitZero() {
    Cli.Run help = Cli.run("check", "--help");

    assertThat(help.status()).isZero();
    assertThat(help.out())
        .contains("Usage: switchboard check")
        .contains("--transport=NAME")
        .contains("--format=FORMAT")
        .contains("--output=FILE");
  }
}
