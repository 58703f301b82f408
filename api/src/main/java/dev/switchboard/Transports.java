package dev.switchboard;

import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Creates {@link Transport}s from the providers found on the class path.
 *
 * <p>The provider is chosen in this order, the first that applies wins:
 *
 * <ol>
 *   <li>{@link TransportConfig#provider()};
 *   <li>the system property {@value #PROPERTY};
 *   <li>the environment variable {@value #ENV};
 *   <li>the only provider present;
 *   <li>the provider of highest {@link TransportProvider#priority()}, ties broken by name, so the
 *       choice is the same on every run.
 * </ol>
 *
 * A name that matches no provider fails with a {@link TransportException} listing those present; no
 * provider at all fails naming the artifacts to add. Providers are loaded with {@link
 * ServiceLoader} through the class loader of {@link TransportProvider}.
 *
 * <p>When several providers are present and none was named, the choice is logged once per set of
 * providers, at {@code DEBUG} through {@link System.Logger} (logger {@code
 * dev.switchboard.Transports}): the chosen one and every one present with its priority. With the
 * three transports of this project (priority 0 each) the order is by name: {@code apache}, {@code
 * jdk}, {@code okhttp}.
 */
public final class Transports {
  /** The system property naming the provider to use. */
  public static final String PROPERTY = "switchboard.transport";

  /** The environment variable naming the provider to use. */
  public static final String ENV = "SWITCHBOARD_TRANSPORT";

  static final String ARTIFACTS =
      "dev.switchboard:switchboard-transport-jdk, dev.switchboard:switchboard-transport-apache or"
          + " dev.switchboard:switchboard-transport-okhttp";

  private Transports() {}

  /** A transport from the chosen provider, with the default configuration. */
  public static Transport create() {
    return create(TransportConfig.defaults());
  }

  /**
   * A transport from the chosen provider with {@code config}.
   *
   * @throws UnsupportedFeatureException when the provider cannot honour an option
   * @throws TransportException when no provider, or no provider of the requested name, is present
   */
  public static Transport create(TransportConfig config) {
    Objects.requireNonNull(config, "config");
    TransportProvider provider = choose(providers(), config, System::getProperty, System::getenv);
    TransportEngine engine;
    try {
      engine = provider.create(config);
    } catch (TransportException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new TransportException(
          "provider '" + provider.name() + "' failed to create a transport: " + e,
          null,
          provider.name(),
          false,
          e);
    }
    return wrap(engine, config);
  }

  /**
   * Wraps an engine in the layer every transport gets (interceptors, redirects, timeouts,
   * compression, status mapping, completion on the callback executor). This is how a transport
   * module's own factory (the one wrapping a library client the user already has) makes a transport
   * with exactly the semantics of a discovered one.
   *
   * <p>Closing the returned transport closes {@code engine}.
   */
  public static Transport wrap(TransportEngine engine, TransportConfig config) {
    return new LayeredTransport(
        Objects.requireNonNull(engine, "engine"), Objects.requireNonNull(config, "config"));
  }

  /**
   * Every provider on the class path, in the order {@link #create(TransportConfig)} prefers them
   * when none is named: by descending {@link TransportProvider#priority()}, then by {@link
   * TransportProvider#name()} ({@link String#compareTo}, so {@code apache} before {@code jdk}
   * before {@code okhttp} at equal priority). The first is the one chosen; the order does not
   * depend on the class path.
   *
   * @return the providers, a new unmodifiable list
   * @throws TransportException when a provider on the class path cannot be loaded
   */
  public static List<TransportProvider> providers() {
    List<TransportProvider> out = new ArrayList<>();
    ServiceLoader<TransportProvider> loader =
        ServiceLoader.load(TransportProvider.class, TransportProvider.class.getClassLoader());
    var it = loader.iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        out.add(it.next());
      } catch (ServiceConfigurationError e) {
        throw new TransportException(
            "a transport provider on the class path cannot be loaded: " + e.getMessage(),
            null,
            null,
            false,
            e);
      }
    }
    out.sort(ORDER);
    return List.copyOf(out);
  }

  /** The version of Switchboard, e.g. {@code 0.1.0}. */
  public static String version() {
    return VERSION;
  }

  static final Comparator<TransportProvider> ORDER =
      Comparator.comparingInt(TransportProvider::priority)
          .reversed()
          .thenComparing(TransportProvider::name);

  static TransportProvider choose(
      List<TransportProvider> providers,
      TransportConfig config,
      UnaryOperator<String> systemProperty,
      UnaryOperator<String> environment) {
    String wanted = config.provider();
    String source = "TransportConfig.provider";
    if (wanted == null) {
      wanted = blankToNull(systemProperty.apply(PROPERTY));
      source = "system property " + PROPERTY;
    }
    if (wanted == null) {
      wanted = blankToNull(environment.apply(ENV));
      source = "environment variable " + ENV;
    }
    if (providers.isEmpty()) {
      throw new TransportException(
          "no Switchboard transport on the class path; add one of " + ARTIFACTS,
          null,
          null,
          false,
          null);
    }
    if (wanted != null) {
      String name = wanted.strip().toLowerCase(Locale.ROOT);
      for (TransportProvider p : providers) {
        if (p.name().equalsIgnoreCase(name)) {
          return p;
        }
      }
      throw new TransportException(
          "no transport named '"
              + wanted
              + "' (asked for by "
              + source
              + "); present: "
              + providers.stream()
                  .sorted(ORDER)
                  .map(TransportProvider::name)
                  .collect(Collectors.joining(", ")),
          null,
          null,
          false,
          null);
    }
    List<TransportProvider> ordered = providers.stream().sorted(ORDER).toList();
    TransportProvider chosen = ordered.get(0);
    if (ordered.size() > 1) {
      logChoiceOnce(chosen, ordered);
    }
    return chosen;
  }

  private static final System.Logger LOG = System.getLogger(Transports.class.getName());
  private static final Set<String> LOGGED_CHOICES = ConcurrentHashMap.newKeySet();

  /** Logs at DEBUG, once per set of providers, which one was chosen without being named. */
  private static void logChoiceOnce(TransportProvider chosen, List<TransportProvider> ordered) {
    String present =
        ordered.stream()
            .map(p -> p.name() + " (priority " + p.priority() + ")")
            .collect(Collectors.joining(", "));
    if (LOG.isLoggable(System.Logger.Level.DEBUG) && LOGGED_CHOICES.add(present)) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "Switchboard chose transport ''{0}'' among {1}: none was named, so the highest priority,"
              + " then the name, decides. Pin one with TransportConfig.provider(name), -D{2}=name"
              + " or {3}=name",
          chosen.name(),
          present,
          PROPERTY,
          ENV);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static final String VERSION = readVersion();

  private static String readVersion() {
    try (InputStream in = Transports.class.getResourceAsStream("switchboard.properties")) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
