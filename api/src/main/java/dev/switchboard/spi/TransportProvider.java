package dev.switchboard.spi;

import dev.switchboard.Capability;
import dev.switchboard.TransportConfig;
import dev.switchboard.UnsupportedFeatureException;
import java.util.Set;

/**
 * What a transport module registers with {@link java.util.ServiceLoader} (in {@code
 * META-INF/services/dev.switchboard.spi.TransportProvider}) so {@link
 * dev.switchboard.Transports#create()} can find it.
 *
 * <p>Implementations must have a public no-argument constructor and be cheap to instantiate:
 * discovery instantiates every provider on the class path, and nothing heavy (threads, pools) may
 * start before {@link #create(TransportConfig)}.
 */
public interface TransportProvider {
  /** The transport's short, lower-case name ({@code jdk}, {@code apache}, {@code okhttp}). */
  String name();

  /**
   * The preference among providers present together: the highest wins, ties broken by name. The
   * default is 0.
   */
  default int priority() {
    return 0;
  }

  /** What transports made by this provider can do. */
  Set<Capability> capabilities();

  /**
   * Creates the engine for {@code config}: the library client, its pools and threads.
   *
   * <p>Every option of {@code config} that the engine handles ({@code connectTimeout}, the
   * connection limits, {@code sslContext}, {@code httpVersion}) must be honoured; one it cannot
   * honour is rejected here with {@link UnsupportedFeatureException} saying what to do instead. The
   * options applied by the api layer (interceptors, redirects, compression, User-Agent, timeouts
   * other than connect, limits on the body, the callback executor) need nothing from the engine
   * except that the library's own version of them is switched off.
   *
   * @throws UnsupportedFeatureException for an option this transport cannot honour
   */
  TransportEngine create(TransportConfig config);
}
