package dev.switchboard.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.Body;
import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code switchboard request METHOD URL}: one request, its answer and the time it took. */
@Command(
    name = "request",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sends one request and prints the status, the headers, the body (pretty JSON or text) and"
          + " the time it took. A failure prints the error's type and message on one line.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  switchboard request GET http://127.0.0.1:9200/_cluster/health",
      "  switchboard request POST http://127.0.0.1:9200/idx/_search \\",
      "      --json --data '{\"query\":{\"match_all\":{}}}' --transport okhttp --timeout 2s",
      "",
      "Exit status: 0 a response arrived (status below 400), 1 the request failed (the error is"
          + " printed), 2 invalid arguments."
    })
final class RequestCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "METHOD",
      description = "The method token: GET, POST, PUT, DELETE, HEAD, PROPFIND…")
  private String method;

  @Parameters(
      index = "1",
      paramLabel = "URL",
      converter = UrlConverter.class,
      description = "An absolute http or https URL.")
  private URI url;

  @Option(
      names = {"-H", "--header"},
      paramLabel = "HEADER",
      converter = HeaderConverter.class,
      description = "A request header, written 'Name: value'; repeat for more.")
  private List<Headers.Field> headers = new ArrayList<>();

  @Option(
      names = {"-d", "--data"},
      paramLabel = "TEXT|@FILE",
      converter = BodyConverter.class,
      description = "The request body: the text itself, @file for a file, @- for standard input.")
  private BodyConverter.Data data;

  @Option(
      names = "--json",
      description =
          "Send the body as JSON (checked before sending; Content-Type: application/json) and ask"
              + " for JSON back (Accept: application/json).")
  private boolean json;

  @Option(
      names = "--transport",
      paramLabel = "NAME",
      description = "The transport to use (jdk, apache, okhttp…); default: the one discovered.")
  private String transport;

  @Option(
      names = "--connect-timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "Connect timeout, e.g. 500ms or 2s (default 10s).")
  private Duration connectTimeout;

  @Option(
      names = "--timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      description =
          "Limit on the whole exchange, body included, e.g. 5s or 1m (default: 30s to"
              + " the response headers, no limit on the body).")
  private Duration timeout;

  @Override
  public Integer call() {
    Request request = buildRequest();
    TransportConfig.Builder config = TransportConfig.builder();
    if (transport != null) {
      config.provider(TransportNames.require(spec.commandLine(), transport));
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long start = System.nanoTime();
    try (Transport t = Transports.create(config.build())) {
      start = System.nanoTime();
      Response response = t.execute(request);
      long nanos = System.nanoTime() - start;
      ResponsePrinter.print(out, response, nanos);
      return Main.OK;
    } catch (TransportException e) {
      long nanos = System.nanoTime() - start;
      out.flush();
      err.println("error: " + Errors.oneLine(e) + " after " + Times.format(nanos));
      err.flush();
      return Main.FAILED;
    } finally {
      out.flush();
    }
  }

  private Request buildRequest() {
    String token = method.strip().toUpperCase(Locale.ROOT);
    Request.Builder b;
    try {
      b = Request.builder(token, url);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    for (Headers.Field h : headers) {
      b.header(h.name(), h.value());
    }
    if (json) {
      if (data != null) {
        try {
          JSON.readTree(data.bytes());
        } catch (java.io.IOException e) {
          String detail =
              e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
          throw new ParameterException(
              spec.commandLine(), "--data is not valid JSON (with --json): " + detail);
        }
      }
      if (!hasHeader("Accept")) {
        b.header("Accept", "application/json");
      }
    }
    if (data != null) {
      String type = json ? "application/json" : data.fromFile() ? "application/octet-stream" : null;
      if (type == null) {
        type = "text/plain; charset=UTF-8";
      }
      b.body(Body.of(data.bytes(), hasHeader("Content-Type") ? null : type));
    }
    if (connectTimeout != null) {
      b.connectTimeout(connectTimeout);
    }
    if (timeout != null) {
      b.responseTimeout(timeout).requestTimeout(timeout);
    }
    return b.build();
  }

  private boolean hasHeader(String name) {
    return headers.stream().anyMatch(h -> h.name().equalsIgnoreCase(name));
  }
}
