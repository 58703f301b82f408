package dev.switchboard.cli;

import dev.switchboard.Transports;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code switchboard} command; it only dispatches to its subcommands. */
@Command(
    name = "switchboard",
    mixinStandardHelpOptions = true,
    versionProvider = SwitchboardCommand.Version.class,
    description = {
      "Sends HTTP through interchangeable transports (jdk, apache, okhttp, or any on the class"
          + " path) and checks that they all behave the same.",
      ""
    },
    subcommands = {
      CheckCommand.class,
      RequestCommand.class,
      FanoutCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Exit status: 0 success, 1 a request or a conformance check failed, 2 invalid arguments.",
      "Third-party transports are found on the class path too:",
      "  java -cp switchboard.jar:their-transport.jar dev.switchboard.cli.Main check"
    })
final class SwitchboardCommand implements Runnable {
  @Spec private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing command: use check, request or fanout");
  }

  /** Reports the version of Switchboard. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "switchboard " + Transports.version(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
