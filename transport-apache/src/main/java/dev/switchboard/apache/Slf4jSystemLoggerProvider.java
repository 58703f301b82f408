package dev.switchboard.apache;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J 2 provider that hands every SLF4J call to the JDK's {@link System.Logger} of the same
 * name (levels TRACE, DEBUG, INFO, WARNING, ERROR; no MDC).
 *
 * <p>It is <b>not</b> registered with {@link java.util.ServiceLoader}, so it never competes with a
 * provider you chose (Logback, Log4j 2, slf4j-simple, ...). The {@code apache} transport installs
 * it only when SLF4J would otherwise fall back to its no-operation logger and print its {@code
 * SLF4J(W): No SLF4J providers were found} warning on stderr: on the first {@code create} or {@code
 * wrap}, when {@code slf4j-api} 2.x has not been initialised yet, no SLF4J provider and no SLF4J
 * 1.x binding is on the class path, and the system property {@code slf4j.provider} is unset. Apache
 * HttpClient's log then goes where Switchboard's goes, to {@code System.Logger} (by default {@code
 * java.util.logging}: INFO and above on stderr; HttpClient logs almost only at DEBUG). Set {@code
 * -Dswitchboard.apache.slf4jFallback=false} to leave SLF4J alone.
 */
public final class Slf4jSystemLoggerProvider implements SLF4JServiceProvider {
  private final ILoggerFactory loggers = SystemLoggerAdapter::new;
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  /** Called by SLF4J when named by the {@code slf4j.provider} system property. */
  public Slf4jSystemLoggerProvider() {}

  @Override
  public ILoggerFactory getLoggerFactory() {
    return loggers;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  /** One SLF4J logger over the {@link System.Logger} of the same name. */
  private static final class SystemLoggerAdapter extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient System.Logger target;

    SystemLoggerAdapter(String name) {
      this.name = name;
      this.target = System.getLogger(name);
    }

    private static System.Logger.Level level(Level level) {
      return switch (level) {
        case TRACE -> System.Logger.Level.TRACE;
        case DEBUG -> System.Logger.Level.DEBUG;
        case INFO -> System.Logger.Level.INFO;
        case WARN -> System.Logger.Level.WARNING;
        case ERROR -> System.Logger.Level.ERROR;
      };
    }

    @Override
    public boolean isTraceEnabled() {
      return target.isLoggable(System.Logger.Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
      return target.isLoggable(System.Logger.Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
      return target.isLoggable(System.Logger.Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
      return target.isLoggable(System.Logger.Level.WARNING);
    }

    @Override
    public boolean isErrorEnabled() {
      return target.isLoggable(System.Logger.Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
      String message = MessageFormatter.basicArrayFormat(pattern, arguments);
      if (throwable == null) {
        target.log(level(level), message);
      } else {
        target.log(level(level), message, throwable);
      }
    }
  }
}
