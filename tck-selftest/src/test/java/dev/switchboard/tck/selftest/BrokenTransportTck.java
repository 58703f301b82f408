package dev.switchboard.tck.selftest;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.tck.TransportTck;
import dev.switchboard.tck.selftest.BrokenTransports.Breakage;

/**
 * The kit against one broken transport, named by the configuration parameter {@value #BREAKAGE}.
 * Not run on its own (its name does not end in Test): {@link KitBitesTest} runs it.
 */
public class BrokenTransportTck extends TransportTck {
  /** The configuration parameter naming the {@link Breakage}. */
  public static final String BREAKAGE = "switchboard.selftest.breakage";

  /** The value of {@value #BREAKAGE} that runs the unbroken jdk transport (the baseline). */
  public static final String NONE = "NONE";

  private Breakage breakage() {
    String name =
        parameter(BREAKAGE).orElseThrow(() -> new IllegalStateException(BREAKAGE + " not set"));
    return name.equals(NONE) ? null : Breakage.valueOf(name);
  }

  @Override
  protected Transport create(TransportConfig config) {
    Breakage b = breakage();
    return b == null ? Transports.create(BrokenTransports.jdkConfig(config)) : b.create(config);
  }

  @Override
  protected Transport createWithUserClient(TransportConfig config) {
    // only one breakage stands for "the factory wrapping a user's client is broken"
    return breakage() == Breakage.LEAKS_LIBRARY_USER_AGENT ? breakage().create(config) : null;
  }
}
