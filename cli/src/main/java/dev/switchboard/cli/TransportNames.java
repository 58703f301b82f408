package dev.switchboard.cli;

import dev.switchboard.Transports;
import dev.switchboard.spi.TransportProvider;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Checks the transport names given on the command line against the providers present. */
final class TransportNames {
  private TransportNames() {}

  /** The names of every provider on the class path, highest priority first. */
  static List<String> present() {
    return Transports.providers().stream().map(TransportProvider::name).toList();
  }

  /**
   * {@code name} as the provider spells it.
   *
   * @throws ParameterException (exit status 2) when no provider of that name is present
   */
  static String require(CommandLine cmd, String name) {
    List<String> present = present();
    for (String p : present) {
      if (p.equalsIgnoreCase(name.strip())) {
        return p;
      }
    }
    throw new ParameterException(
        cmd,
        "no transport named '"
            + name
            + "'; present: "
            + (present.isEmpty()
                ? "none"
                : present.stream().sorted().collect(Collectors.joining(", "))));
  }
}
