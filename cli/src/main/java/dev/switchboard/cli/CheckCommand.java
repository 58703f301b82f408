package dev.switchboard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code switchboard check}: placeholder until the TCK is wired in. */
@Command(name = "check", mixinStandardHelpOptions = true)
final class CheckCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return Main.FAILED;
  }
}
