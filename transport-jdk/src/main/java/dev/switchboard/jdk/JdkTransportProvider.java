package dev.switchboard.jdk;

import dev.switchboard.Capability;
import dev.switchboard.TransportConfig;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code jdk} transport: {@link java.net.http.HttpClient}, with no third-party dependency.
 * Found by {@link java.util.ServiceLoader}; use {@link dev.switchboard.Transports#create} or, for a
 * client of your own, {@link JdkTransports#wrap}.
 *
 * <p>Every {@link TransportConfig} option is honoured: the connect timeout per request (clients are
 * cached by connect timeout and share one executor of daemon threads named {@code
 * switchboard-jdk-io-N}), {@code maxConnectionsPerHost} and {@code maxConnections} (enforced by the
 * transport, as the JDK has no pool limit; under HTTP/2 they cap concurrent streams), the {@code
 * sslContext} (host names are still verified) and the {@code httpVersion} (HTTP/1.1 unless HTTP/2
 * is asked for, so no {@code Upgrade: h2c} is sent).
 *
 * <p>What the JDK does that cannot be switched off: it writes {@code Content-Length: 0} on every
 * request without body, GET and HEAD included (JDK 17 to 25 measured); it refuses the headers
 * {@code Connection}, {@code Upgrade} and, unless equal to what it writes anyway, {@code Host} and
 * {@code Content-Length} (refused with {@link dev.switchboard.UnsupportedFeatureException}); after
 * a refused connect it tries to connect once more (nothing reached the server). Its resend of a GET
 * or HEAD whose connection closed without a response byte is stopped before anything is written,
 * and the exchange fails with {@link dev.switchboard.MalformedResponseException}.
 *
 * <p>{@code close()} shuts the executor down and drops the clients. On JDK 21 and later it also
 * shuts the clients down ({@code HttpClient.shutdownNow}), closing their pooled connections; JDK 17
 * to 20 have no such call, so idle pooled connections close when the clients are garbage-collected
 * (their selector threads are daemons and end then too).
 */
public final class JdkTransportProvider implements TransportProvider {
  /** Creates the provider; cheap, as {@link java.util.ServiceLoader} requires. */
  public JdkTransportProvider() {}

  @Override
  public String name() {
    return JdkEngine.NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return JdkEngine.CAPABILITIES;
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    return new JdkEngine(Objects.requireNonNull(config, "config"), null);
  }
}
