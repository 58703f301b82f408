package dev.switchboard.tck;

import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;

/**
 * The kit against a provider found on the class path by name: the JUnit configuration parameter (or
 * system property) {@value #PROVIDER} names it; without it, discovery chooses as {@link
 * Transports#create(TransportConfig)} does. This is what {@link TckRunner} runs, and what a build
 * can run directly (select this class with the JUnit Platform launcher or console).
 */
public class DiscoveredTransportTck extends TransportTck {
  /** The configuration parameter naming the provider under test. */
  public static final String PROVIDER = "switchboard.tck.provider";

  /** Used by JUnit. */
  public DiscoveredTransportTck() {}

  @Override
  protected Transport create(TransportConfig config) {
    String provider = parameter(PROVIDER).orElse(null);
    return Transports.create(config.toBuilder().provider(provider).build());
  }
}
