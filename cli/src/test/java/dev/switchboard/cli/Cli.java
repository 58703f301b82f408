package dev.switchboard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command in-process with captured output. */
final class Cli {
  record Run(int status, String out, String err) {}

  private Cli() {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Run(status, out.toString(), err.toString());
  }
}
