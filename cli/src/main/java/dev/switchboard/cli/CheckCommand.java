package dev.switchboard.cli;

import dev.switchboard.Transports;
import dev.switchboard.spi.TransportProvider;
import dev.switchboard.tck.TckMatrix;
import dev.switchboard.tck.TckReport;
import dev.switchboard.tck.TckRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard check}: runs the conformance kit against every transport on the class path and
 * prints the matrix.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the conformance kit (TCK) against every transport on the class path, on its own"
          + " loopback test servers, shows progress on standard error, then prints the matrix:"
          + " checks as rows, transports as columns, with totals.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  switchboard check",
      "  switchboard check --transport okhttp --format markdown --output conformance.md",
      "  java -cp switchboard.jar:their-transport.jar dev.switchboard.cli.Main check",
      "",
      "Exit status: 0 every check passed (or its documented alternative was verified), 1 a"
          + " check failed, 2 invalid arguments."
    })
final class CheckCommand implements Callable<Integer> {
  /** The forms the matrix can be printed in. */
  enum Format {
    text,
    markdown,
    json
  }

  @Spec private CommandSpec spec;

  @Option(
      names = "--transport",
      paramLabel = "NAME",
      description = "Check only this transport; repeat for more (default: every one present).")
  private List<String> transports = new ArrayList<>();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, markdown or json (default ${DEFAULT-VALUE}).")
  private Format format;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write the matrix to FILE instead of standard output.")
  private Path output;

  @Override
  public Integer call() throws IOException {
    List<String> names = chosen();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (names.isEmpty()) {
      err.println(
          "error: no Switchboard transport on the class path; add switchboard-transport-jdk,"
              + " -apache or -okhttp (or your own) to it");
      err.flush();
      return Main.FAILED;
    }
    err.println(
        "Checking "
            + names.size()
            + (names.size() == 1 ? " transport" : " transports")
            + " ("
            + String.join(", ", names)
            + ") against the Switchboard TCK on loopback servers…");
    err.flush();
    long start = System.nanoTime();
    List<TckReport> reports = new ArrayList<>();
    for (String name : names) {
      reports.add(runKit(name, err));
    }
    TckMatrix matrix = TckMatrix.of(reports);
    String rendered =
        switch (format) {
          case text -> matrix.toText();
          case markdown -> matrix.toMarkdown();
          case json -> matrix.toJson() + "\n";
        };
    if (output != null) {
      if (output.toAbsolutePath().getParent() != null) {
        Files.createDirectories(output.toAbsolutePath().getParent());
      }
      Files.writeString(output, rendered, StandardCharsets.UTF_8);
    } else {
      out.print(rendered);
      out.flush();
    }
    err.println(
        (matrix.allConform() ? "All conform" : "NOT all conform")
            + ": "
            + names.size()
            + (names.size() == 1 ? " transport" : " transports")
            + " checked in "
            + Times.format(System.nanoTime() - start)
            + (output == null ? "" : "; matrix written to " + output));
    err.flush();
    return matrix.allConform() ? Main.OK : Main.FAILED;
  }

  /** The providers to check, validated, in the order given or in discovery order. */
  private List<String> chosen() {
    if (transports.isEmpty()) {
      return Transports.providers().stream().map(TransportProvider::name).toList();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String t : transports) {
      names.add(TransportNames.require(spec.commandLine(), t));
    }
    return List.copyOf(names);
  }

  /**
   * Runs the kit for one provider. Whatever the checks or the servers print goes to standard error,
   * so standard output carries the matrix alone.
   */
  private static TckReport runKit(String name, PrintWriter err) {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    Progress progress = new Progress(name, err, Main.interactive());
    try {
      TckReport report = TckRunner.run(name, progress);
      progress.done(report);
      return report;
    } finally {
      System.setOut(stdout);
    }
  }
}
