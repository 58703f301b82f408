package dev.switchboard.tck;

import dev.switchboard.Capability;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conformance kit: extend it in a transport module's tests, implement {@link #create}, and the
 * whole kit runs.
 *
 * <pre>{@code
 * class JdkTransportTckTest extends TransportTck {
 *   protected Transport create(TransportConfig config) {
 *     return Transports.create(config.toBuilder().provider("jdk").build());
 *   }
 * }
 * }</pre>
 *
 * <p>The checks are grouped by area in nested classes; each check's display name is its stable id
 * ({@code area.check}, e.g. {@code get-body.get-json-body-intact}), the catalogue is {@code
 * TCK.md}. The servers are the kit's own, on {@code 127.0.0.1} with free ports. Where the transport
 * declares it lacks a capability, the check verifies the documented alternative instead and is
 * reported as {@link CheckStatus#ALTERNATIVE_VERIFIED}.
 *
 * <p>When the class has run, the results are written to {@code
 * target/switchboard-tck/<transport>.json} ({@link TckReport}); {@link TckMatrix} renders all
 * reports found. JUnit configuration parameters (or system properties of the same name):
 *
 * <ul>
 *   <li>{@value #REPORT_DIR}: the directory of the report (default {@code target/switchboard-tck});
 *   <li>{@value #REPORT}: {@code false} writes no report;
 *   <li>{@value #REPORT_NAME}: the report's name instead of the transport's name.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(TckExtension.class)
public abstract class TransportTck {
  /** Configuration parameter: the directory reports are written to. */
  public static final String REPORT_DIR = "switchboard.tck.reportDir";

  /** Configuration parameter: {@code false} disables the report file. */
  public static final String REPORT = "switchboard.tck.report";

  /** Configuration parameter: the report's name (default: the transport's name). */
  public static final String REPORT_NAME = "switchboard.tck.reportName";

  private Function<String, Optional<String>> parameters = k -> Optional.empty();
  private TckContext ctx;
  private final List<CheckResult> results = new ArrayList<>();
  private Throwable setupFailure;

  /** For subclasses. */
  protected TransportTck() {}

  /**
   * Creates the transport under test for {@code config}. Called many times, once per configuration
   * a check needs; the kit closes every transport it created.
   *
   * @param config the configuration to honour (its provider is unset: set yours)
   * @return a new transport
   */
  protected abstract Transport create(TransportConfig config);

  /**
   * Optional: creates the transport from a library client built by "the user" (the adapter's public
   * factory that wraps an existing client), for {@code lifecycle.user-supplied-client}. The default
   * returns {@code null} and that check is skipped.
   *
   * @param config the configuration whose options the library client should reflect
   * @return a transport wrapping a user-built client, or {@code null}
   */
  protected Transport createWithUserClient(TransportConfig config) {
    return null;
  }

  /**
   * The value of a JUnit configuration parameter, falling back to the system property of the same
   * name.
   *
   * @param key the parameter's name
   * @return the value, if set
   */
  protected final Optional<String> parameter(String key) {
    Optional<String> v = parameters.apply(key);
    if (v.isPresent()) {
      return v;
    }
    return Optional.ofNullable(System.getProperty(key));
  }

  final void configure(Function<String, Optional<String>> parameters) {
    this.parameters = parameters;
  }

  final TckContext context() {
    return ctx;
  }

  final void record(CheckResult result) {
    synchronized (results) {
      results.add(result);
    }
  }

  final List<CheckResult> results() {
    synchronized (results) {
      return List.copyOf(results);
    }
  }

  private Path reportDir() {
    return Path.of(parameter(REPORT_DIR).orElse("target/switchboard-tck"));
  }

  final void writeReport() {
    if (parameter(REPORT).map("false"::equalsIgnoreCase).orElse(false)) {
      return;
    }
    reportFor().write(reportDir());
  }

  final TckReport reportFor() {
    List<CheckResult> all = new ArrayList<>(results());
    if (setupFailure != null) {
      all.add(
          new CheckResult("kit.setup", CheckStatus.FAILED, TckExtension.message(setupFailure), 0));
    }
    String name =
        parameter(REPORT_NAME)
            .orElse(ctx != null && ctx.name != null ? ctx.name : getClass().getSimpleName());
    List<String> caps =
        ctx == null ? List.of() : ctx.capabilities.stream().map(Capability::name).sorted().toList();
    return new TckReport(name, caps, all);
  }

  @BeforeAll
  final void startKit() {
    ctx = new TckContext(this::create, this::createWithUserClient, reportDir());
    try (Transport probe = create(TransportConfig.defaults())) {
      if (probe == null) {
        throw new IllegalStateException("create(TransportConfig) returned null");
      }
      ctx.name = probe.name();
      ctx.capabilities = probe.capabilities();
    } catch (RuntimeException | Error e) {
      setupFailure = e;
      throw e;
    }
  }

  @AfterEach
  final void endCheck() {
    ctx.endCheck();
  }

  @AfterAll
  final void stopKit() {
    if (ctx != null) {
      ctx.shutdown();
    }
  }

  // ======================================================================== methods

  /** Area {@code methods}. */
  @Nested
  @DisplayName("methods")
  @Timeout(60)
  class Methods {
    private final MethodsChecks c = new MethodsChecks(ctx);

    @Test
    @DisplayName("methods.standard-methods")
    void standardMethods() throws Exception {
      c.standardMethods();
    }

    @Test
    @DisplayName("methods.extension-method")
    void extensionMethod() throws Exception {
      c.extensionMethod();
    }

    @Test
    @DisplayName("methods.head-ignores-content-length")
    void headIgnoresContentLength() throws Exception {
      c.headIgnoresContentLength();
    }

    @Test
    @DisplayName("methods.no-content-204")
    void noContent() throws Exception {
      c.noContent();
    }

    @Test
    @DisplayName("methods.not-modified-304")
    void notModified() throws Exception {
      c.notModified();
    }

    @Test
    @DisplayName("methods.empty-post-content-length-zero")
    void emptyPost() throws Exception {
      c.emptyPostContentLengthZero();
    }
  }
}
