package dev.switchboard.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * The {@code switchboard} command: {@code check} (the conformance matrix of every transport on the
 * class path), {@code request} (one request) and {@code fanout} (many at once).
 *
 * <p>Exit status: {@value #OK} on success, {@value #FAILED} when a request or a conformance check
 * failed, {@value #USAGE} when the arguments are wrong.
 */
public final class Main {
  /** Exit status of a command that did what it was asked and found nothing wrong. */
  public static final int OK = 0;

  /** Exit status when a request failed or a conformance check did not pass. */
  public static final int FAILED = 1;

  /** Exit status when the arguments are wrong (unknown option, bad duration, missing URL…). */
  public static final int USAGE = 2;

  private static volatile boolean interactive;
  private static volatile InputStream stdin = System.in;

  private Main() {}

  /** Whether a person is watching a terminal (progress is then shown on one updating line). */
  static boolean interactive() {
    return interactive;
  }

  /** Where {@code --data @-} reads from: standard input. */
  static InputStream stdin() {
    return stdin;
  }

  /** For tests: {@code --data @-} reads {@code in} from now on. */
  static void useStdin(InputStream in) {
    stdin = in;
  }

  /** For tests: whether progress is drawn as for a terminal. */
  static void interactive(boolean on) {
    interactive = on;
  }

  /**
   * Runs the command and exits the JVM with its status.
   *
   * @param args the command line, e.g. {@code check --format markdown}
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    interactive = System.console() != null;
    int status = commandLine(out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** The command line, wired to {@code out} and {@code err}, ready to {@code execute(args)}. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new SwitchboardCommand());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    // "--data @file" is ours: picocli must not expand @file arguments itself
    cmd.setExpandAtFiles(false);
    cmd.setParameterExceptionHandler(Main::usageError);
    cmd.setExecutionExceptionHandler(
        (e, command, parseResult) -> {
          command.getErr().println("switchboard: " + Errors.oneLine(e));
          command.getErr().flush();
          return FAILED;
        });
    return cmd;
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String name = cmd.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + name + " --help' for more information.");
    err.flush();
    return USAGE;
  }
}
