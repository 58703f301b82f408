package dev.switchboard.apache;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps SLF4J quiet for the {@code apache} transport: Apache HttpClient 5 logs through {@code
 * slf4j-api}, which, with no provider on the class path, prints a warning on stderr at its first
 * use. A library must not choose a logging backend for its users, so nothing changes when one is
 * present; only when there is none, {@link Slf4jSystemLoggerProvider} (routing to {@link
 * System.Logger}) is bound instead of SLF4J's no-operation fallback. See that class for the exact
 * conditions.
 */
final class QuietSlf4j {
  static final String OPT_OUT = "switchboard.apache.slf4jFallback";
  private static final String PROVIDER_KEY = "slf4j.provider";
  private static final String VERBOSITY_KEY = "slf4j.internal.verbosity";
  private static final AtomicBoolean DONE = new AtomicBoolean();

  private QuietSlf4j() {}

  /** Called before any HttpClient class is used; does its work once per class loader. */
  static void ensure() {
    if (!DONE.compareAndSet(false, true) || "false".equals(System.getProperty(OPT_OUT))) {
      return;
    }
    try {
      bindIfNoProvider();
    } catch (LinkageError | RuntimeException | ServiceConfigurationError e) {
      // logging is never a reason to fail a transport: SLF4J then behaves as it always does (a
      // ServiceConfigurationError: a broken SLF4J provider of the application's, or, on the module
      // path, a module descriptor without `uses org.slf4j.spi.SLF4JServiceProvider`)
    }
  }

  private static void bindIfNoProvider() throws LinkageError {
    Class<?> spi;
    Class<?> loggerFactory;
    try {
      loggerFactory = Class.forName("org.slf4j.LoggerFactory", false, loader());
      spi = Class.forName("org.slf4j.spi.SLF4JServiceProvider", false, loader());
    } catch (ClassNotFoundException e) {
      return; // no slf4j-api, or 1.x: nothing a library can do without choosing a binding
    }
    ClassLoader slf4jLoader = loggerFactory.getClassLoader();
    if (System.getProperty(PROVIDER_KEY) != null
        || ServiceLoader.load(spi, slf4jLoader).stream().findAny().isPresent()
        || slf4jLoader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null
        || !visibleFrom(slf4jLoader)) {
      return; // the user's choice, or a clash SLF4J itself must report
    }
    String verbosity = System.getProperty(VERBOSITY_KEY);
    synchronized (System.getProperties()) {
      System.setProperty(PROVIDER_KEY, Slf4jSystemLoggerProvider.class.getName());
      if (verbosity == null) {
        // SLF4J announces an explicitly named provider at INFO ("Attempting to load provider")
        System.setProperty(VERBOSITY_KEY, "WARN");
      }
      try {
        org.slf4j.LoggerFactory.getILoggerFactory(); // binds now, once; no effect if bound already
      } finally {
        System.clearProperty(PROVIDER_KEY);
        if (verbosity == null) {
          System.clearProperty(VERBOSITY_KEY);
        }
      }
    }
  }

  private static boolean visibleFrom(ClassLoader slf4jLoader) {
    try {
      return Class.forName(Slf4jSystemLoggerProvider.class.getName(), false, slf4jLoader)
          == Slf4jSystemLoggerProvider.class;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static ClassLoader loader() {
    return QuietSlf4j.class.getClassLoader();
  }
}
