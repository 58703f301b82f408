package dev.switchboard.cli;

import dev.switchboard.HttpStatusException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard fanout URL...}: GETs every URL at once through one transport and shows that
 * the whole took about as long as the slowest, not as long as the sum.
 */
@Command(
    name = "fanout",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sends a GET to every URL at once through one transport, prints each result with its time,"
          + " then the total time against the sum of the individual times.",
      ""
    },
    footer = {
      "",
      "Example:",
      "  switchboard fanout http://127.0.0.1:9200/idx/_mapping \\",
      "      http://127.0.0.1:9200/_cluster/health --repeat 5",
      "",
      "Exit status: 0 every request got a response below 400, 1 at least one failed, 2 invalid"
          + " arguments."
    })
final class FanoutCommand implements Callable<Integer> {
  static final int MAX_REQUESTS = 10_000;
  private static final int MAX_ERROR = 200;

  @Spec private CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "URL",
      converter = UrlConverter.class,
      description = "Absolute http or https URLs.")
  private List<URI> urls;

  @Option(
      names = "--repeat",
      paramLabel = "N",
      defaultValue = "1",
      description = "Send each URL N times (default ${DEFAULT-VALUE}).")
  private int repeat;

  @Option(
      names = "--transport",
      paramLabel = "NAME",
      description = "The transport to use (jdk, apache, okhttp…); default: the one discovered.")
  private String transport;

  /** One request's result: a response or a failure, and how long it took. */
  private record Result(Response response, Throwable failure, long nanos) {}

  @Override
  public Integer call() {
    if (repeat < 1) {
      throw new ParameterException(
          spec.commandLine(), "--repeat must be at least 1, not " + repeat);
    }
    if ((long) repeat * urls.size() > MAX_REQUESTS) {
      throw new ParameterException(
          spec.commandLine(),
          "--repeat "
              + repeat
              + " × "
              + urls.size()
              + " URLs is more than "
              + MAX_REQUESTS
              + " requests");
    }
    List<Request> requests = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      for (URI url : urls) {
        requests.add(Request.get(url));
      }
    }
    TransportConfig.Builder config = TransportConfig.builder();
    if (transport != null) {
      config.provider(TransportNames.require(spec.commandLine(), transport));
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Transport t = Transports.create(config.build())) {
      List<CompletableFuture<Result>> futures = new ArrayList<>(requests.size());
      long start = System.nanoTime();
      for (Request r : requests) {
        long sent = System.nanoTime();
        futures.add(
            t.send(r)
                .handle(
                    (response, failure) ->
                        new Result(
                            response,
                            TransportException.unwrap(failure),
                            System.nanoTime() - sent)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      long total = System.nanoTime() - start;
      return report(
          out, t.name(), requests, futures.stream().map(CompletableFuture::join).toList(), total);
    } finally {
      out.flush();
    }
  }

  private static int report(
      PrintWriter out, String transport, List<Request> requests, List<Result> results, long total) {
    int width = String.valueOf(results.size()).length();
    int urlWidth = requests.stream().mapToInt(r -> r.uri().toString().length()).max().orElse(0);
    long sum = 0;
    int failed = 0;
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      sum += r.nanos();
      String what;
      if (r.failure() == null) {
        what = ResponsePrinter.statusLine(r.response()) + ", " + r.response().length() + " bytes";
      } else {
        failed++;
        what = shortError(r.failure());
      }
      out.printf(
          Locale.ROOT,
          "%" + width + "d  %9s  %-" + urlWidth + "s  %s%n",
          i + 1,
          Times.format(r.nanos()),
          requests.get(i).uri(),
          what);
    }
    out.printf(
        Locale.ROOT,
        "%d requests via %s: %s in all, against %s for their sum (%.1fx)%s%n",
        results.size(),
        transport,
        Times.format(total),
        Times.format(sum),
        total == 0 ? 0.0 : (double) sum / total,
        failed == 0 ? "" : "; " + failed + " failed");
    return failed == 0 ? Main.OK : Main.FAILED;
  }

  /** The error's type and the gist of its message; the URL is already on the line. */
  private static String shortError(Throwable failure) {
    if (failure instanceof HttpStatusException e) {
      return e.getClass().getSimpleName() + ": HTTP " + ResponsePrinter.statusLine(e.response());
    }
    String line = Errors.oneLine(failure);
    return line.length() <= MAX_ERROR ? line : line.substring(0, MAX_ERROR) + "…";
  }
}
