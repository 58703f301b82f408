package dev.switchboard.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The results of the kit for one transport: check id → {@link CheckResult}. Written as JSON to
 * {@code target/switchboard-tck/<transport>.json} by every kit run and read back by {@link
 * TckMatrix}.
 *
 * <p>The JSON form:
 *
 * <pre>{@code
 * {
 *   "transport" : "jdk",
 *   "capabilities" : [ "GET_WITH_BODY", "HTTP_2", "CUSTOM_SSL_CONTEXT" ],
 *   "checks" : {
 *     "get-body.get-json-body-intact" : { "status" : "PASSED", "millis" : 41 },
 *     "timeouts.connect-timeout" : { "status" : "FAILED", "message" : "...", "millis" : 1012 }
 *   }
 * }
 * }</pre>
 */
public final class TckReport {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String transport;
  private final List<String> capabilities;
  private final Map<String, CheckResult> checks;

  /**
   * Creates a report.
   *
   * @param transport the transport's name
   * @param capabilities the names of the capabilities it declared
   * @param results the results, in any order (kept sorted by id)
   */
  public TckReport(
      String transport, Collection<String> capabilities, Collection<CheckResult> results) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.capabilities = List.copyOf(capabilities);
    Map<String, CheckResult> m = new LinkedHashMap<>();
    results.stream().sorted(Comparator.comparing(CheckResult::id)).forEach(r -> m.put(r.id(), r));
    this.checks = java.util.Collections.unmodifiableMap(m);
  }

  /** The transport's name, which is also the report's file name. */
  public String transport() {
    return transport;
  }

  /** The capabilities the transport declared. */
  public List<String> capabilities() {
    return capabilities;
  }

  /** Every result, sorted by check id. */
  public List<CheckResult> results() {
    return List.copyOf(checks.values());
  }

  /** The result of check {@code id}, or {@code null} when it did not run. */
  public CheckResult result(String id) {
    return checks.get(id);
  }

  /** How many checks ended with {@code status}. */
  public long count(CheckStatus status) {
    return checks.values().stream().filter(r -> r.status() == status).count();
  }

  /** The checks that failed. */
  public List<CheckResult> failures() {
    return checks.values().stream().filter(r -> r.status() == CheckStatus.FAILED).toList();
  }

  /** Whether no check failed (skipped checks do not count against conformance). */
  public boolean conforms() {
    return count(CheckStatus.FAILED) == 0;
  }

  /** This report as JSON (see the class comment for the shape). */
  public String toJson() {
    try {
      return MAPPER.writeValueAsString(toTree());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  ObjectNode toTree() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("transport", transport);
    ArrayNode caps = root.putArray("capabilities");
    capabilities.forEach(caps::add);
    ObjectNode c = root.putObject("checks");
    for (CheckResult r : checks.values()) {
      ObjectNode n = c.putObject(r.id());
      n.put("status", r.status().name());
      if (r.message() != null) {
        n.put("message", r.message());
      }
      n.put("millis", r.millis());
    }
    return root;
  }

  /** Writes {@code <dir>/<transport>.json}, creating {@code dir}; returns the file. */
  public Path write(Path dir) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(fileName(transport));
      Files.writeString(file, toJson());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a report from its JSON form. */
  public static TckReport parse(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      List<String> caps = new ArrayList<>();
      root.path("capabilities").forEach(n -> caps.add(n.asText()));
      List<CheckResult> results = new ArrayList<>();
      root.path("checks")
          .fields()
          .forEachRemaining(
              e -> {
                JsonNode n = e.getValue();
                results.add(
                    new CheckResult(
                        e.getKey(),
                        CheckStatus.valueOf(n.path("status").asText()),
                        n.hasNonNull("message") ? n.get("message").asText() : null,
                        n.path("millis").asLong()));
              });
      return new TckReport(root.path("transport").asText(), caps, results);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a Switchboard TCK report: " + e.getMessage(), e);
    }
  }

  /** Reads one report file. */
  public static TckReport read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads every {@code *.json} report directly in {@code dir}, sorted by transport name. */
  public static List<TckReport> readAll(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".json"))
          .sorted()
          .map(TckReport::read)
          .sorted(Comparator.comparing(TckReport::transport))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String fileName(String transport) {
    return transport.replaceAll("[^A-Za-z0-9._-]", "_") + ".json";
  }

  @Override
  public String toString() {
    return "TckReport["
        + transport
        + ": "
        + count(CheckStatus.PASSED)
        + " passed, "
        + count(CheckStatus.ALTERNATIVE_VERIFIED)
        + " alternative verified, "
        + count(CheckStatus.FAILED)
        + " failed, "
        + count(CheckStatus.SKIPPED)
        + " skipped]";
  }
}
