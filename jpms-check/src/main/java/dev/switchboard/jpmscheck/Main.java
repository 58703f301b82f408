package dev.switchboard.jpmscheck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.Body;
import dev.switchboard.Capability;
import dev.switchboard.GetWithBody;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.spi.TransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Run with every jar on the module path ({@code java --module-path ... -m
 * dev.switchboard.jpmscheck/dev.switchboard.jpmscheck.Main}): lists the providers {@link
 * Transports#providers()} finds, checks that each comes from the explicit module of its transport
 * (so it was found through {@code provides}, not through {@code META-INF/services} of a jar on the
 * class path or of an automatic module), then sends a GET with a body and a POST with each of them
 * to a loopback server of its own. Prints one line per fact, and {@code FAILED: ...} lines; exits
 * with 1 when anything failed, 0 otherwise.
 */
public final class Main {
  private static final List<String> TRANSPORTS = List.of("apache", "jdk", "okhttp");

  /** Modules the test adds with {@code --add-modules}: they must resolve and be explicit too. */
  private static final Map<String, String> OTHERS =
      Map.of(
          "dev.switchboard.cluster", "dev.switchboard.cluster.ClusterTransport",
          "dev.switchboard.micrometer", "dev.switchboard.micrometer.MicrometerEventListener",
          "dev.switchboard.opentelemetry",
              "dev.switchboard.opentelemetry.OpenTelemetryEventListener");

  private final List<String> failures = new ArrayList<>();

  private Main() {}

  public static void main(String[] args) throws Exception {
    Main main = new Main();
    main.run();
    if (main.failures.isEmpty()) {
      System.out.println("jpms-check: OK");
      System.exit(0);
    }
    System.out.println("jpms-check: " + main.failures.size() + " failure(s)");
    System.exit(1);
  }

  private void run() throws Exception {
    Module self = Main.class.getModule();
    System.out.println("application: " + describe(self));
    check(self.isNamed(), "the application is not in a named module (run it with -m)");
    Module api = Transports.class.getModule();
    System.out.println("api: " + describe(api));
    checkExplicit(api, "dev.switchboard");

    List<TransportProvider> providers = Transports.providers();
    List<String> names = new ArrayList<>();
    for (TransportProvider provider : providers) {
      Module module = provider.getClass().getModule();
      names.add(provider.name());
      System.out.printf(
          "provider %s: %s in %s%n",
          provider.name(), provider.getClass().getName(), describe(module));
      checkExplicit(module, "dev.switchboard." + provider.name());
      // found by service binding: the application does not require the transport modules
      check(
          !self.canRead(module),
          "the application reads " + module.getName() + ", so binding was not what found it");
    }
    check(names.equals(TRANSPORTS), "providers found " + names + ", expected " + TRANSPORTS);

    for (Map.Entry<String, String> other : OTHERS.entrySet()) {
      Optional<Module> module = ModuleLayer.boot().findModule(other.getKey());
      if (module.isEmpty()) {
        check(false, other.getKey() + " is not in the boot layer (not on the module path?)");
        continue;
      }
      System.out.println("resolved: " + describe(module.get()));
      checkExplicit(module.get(), other.getKey());
      check(
          Class.forName(module.get(), other.getValue()) != null,
          other.getValue() + " not found in " + other.getKey());
    }

    ExecutorService executor = Executors.newCachedThreadPool();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/echo", Main::echo);
    server.setExecutor(executor);
    server.start();
    try {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/echo");
      for (String name : TRANSPORTS) {
        exchange(name, uri, providers);
      }
    } finally {
      server.stop(0);
      executor.shutdownNow();
    }
    slf4jBinding();
  }

  private void exchange(String name, URI uri, List<TransportProvider> providers) {
    boolean getWithBody =
        providers.stream()
            .filter(p -> p.name().equals(name))
            .anyMatch(p -> p.capabilities().contains(Capability.GET_WITH_BODY));
    TransportConfig config =
        TransportConfig.builder()
            .provider(name)
            .getWithBody(getWithBody ? GetWithBody.NATIVE : GetWithBody.AS_POST)
            .build();
    try (Transport transport = Transports.create(config)) {
      check(name.equals(transport.name()), "asked for " + name + ", got " + transport.name());

      Response get =
          transport.execute(
              Request.builder("GET", uri).body(Body.of("query-" + name, "text/plain")).build());
      String expected = (getWithBody ? "GET" : "POST") + " query-" + name;
      System.out.printf("%s: GET with a body -> %d %s%n", name, get.status(), get.text());
      check(get.status() == 200, name + ": GET status " + get.status());
      check(expected.equals(get.text()), name + ": GET answered '" + get.text() + "'");

      Response post = transport.execute(Request.post(uri, Body.json(Map.of("transport", name))));
      System.out.printf("%s: POST -> %d %s%n", name, post.status(), post.text());
      check(post.status() == 200, name + ": POST status " + post.status());
      check(
          post.text().equals("POST {\"transport\":\"" + name + "\"}"),
          name + ": POST answered '" + post.text() + "'");
    } catch (RuntimeException e) {
      e.printStackTrace(System.out);
      check(false, name + ": " + e);
    }
  }

  /**
   * The apache transport binds SLF4J to System.Logger when no SLF4J provider is present; on the
   * module path SLF4J instantiates that provider by reflection from module org.slf4j.
   */
  private void slf4jBinding() throws ReflectiveOperationException {
    Optional<Module> slf4j = ModuleLayer.boot().findModule("org.slf4j");
    if (slf4j.isEmpty()) {
      check(false, "org.slf4j is not in the boot layer");
      return;
    }
    Object factory =
        Class.forName(slf4j.get(), "org.slf4j.LoggerFactory")
            .getMethod("getILoggerFactory")
            .invoke(null);
    String type = factory.getClass().getName();
    System.out.println("slf4j: logger factory " + type);
    check(
        type.startsWith("dev.switchboard.apache.Slf4jSystemLoggerProvider"),
        "SLF4J is not bound to the apache transport's System.Logger provider: " + type);
  }

  private static void echo(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    byte[] answer =
        (exchange.getRequestMethod() + " " + new String(body, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, answer.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(answer);
    }
  }

  private void checkExplicit(Module module, String name) {
    check(module.isNamed(), "expected module " + name + ", found the unnamed module (class path)");
    check(name.equals(module.getName()), "expected module " + name + ", found " + module.getName());
    check(
        module.getDescriptor() == null || !module.getDescriptor().isAutomatic(),
        name
            + " is an automatic module (a jar without module-info.class: built with -am? see"
            + " jpms-check's test)");
  }

  private static String describe(Module module) {
    if (!module.isNamed()) {
      return "the unnamed module";
    }
    return "module "
        + module.getName()
        + (module.getDescriptor().isAutomatic() ? " (automatic)" : " (explicit)");
  }

  private void check(boolean ok, String failure) {
    if (!ok) {
      failures.add(failure);
      System.out.println("FAILED: " + failure);
    }
  }
}
