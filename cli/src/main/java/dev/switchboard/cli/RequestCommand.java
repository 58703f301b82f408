package dev.switchboard.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.Body;
import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
      "  switchboard request POST http://127.0.0.1:9200/_bulk --data @docs.ndjson \\",
      "      -H 'Content-Type: application/x-ndjson'",
      "  gzip -dc docs.ndjson.gz | switchboard request POST http://127.0.0.1:9200/_bulk --data @- \\",
      "      -H 'Content-Type: application/x-ndjson'",
      "  switchboard request GET http://127.0.0.1:9200/_snapshot/... --output snapshot.bin",
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
      description =
          "The request body: the text itself, @file to stream a file (Content-Length: its size),"
              + " @- to stream standard input (sent chunked, as it is read). Neither is read into"
              + " memory.")
  private BodyConverter.Data data;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Stream the response body to FILE instead of printing it (written to FILE.part, renamed"
              + " when complete; never held in memory). A progress bar is drawn on standard error"
              + " when it is a terminal.")
  private Path output;

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
      if (output != null) {
        return download(t, request, out, err, start);
      }
      Response response = t.execute(request);
      long nanos = System.nanoTime() - start;
      ResponsePrinter.print(out, response, nanos);
      return Main.OK;
    } catch (TransportException | OutputFileException e) {
      long nanos = System.nanoTime() - start;
      out.flush();
      err.println("error: " + Errors.oneLine(e) + " after " + Times.format(nanos));
      err.flush();
      return Main.FAILED;
    } finally {
      out.flush();
    }
  }

  /**
   * {@code --output FILE}: the body streams into FILE.part, renamed to FILE once complete. The part
   * file is created before the request is sent, so a file that cannot be written costs no request;
   * on any failure it is removed and FILE is left as it was.
   */
  private int download(Transport t, Request request, PrintWriter out, PrintWriter err, long start) {
    Path target = output.toAbsolutePath();
    Path part = target.resolveSibling(target.getFileName() + ".part");
    if (Files.isDirectory(target)) {
      throw new OutputFileException(output, "it is a directory", null);
    }
    OutputStream file;
    try {
      file = Files.newOutputStream(part);
    } catch (NoSuchFileException e) {
      throw new OutputFileException(output, "no such directory: " + target.getParent(), e);
    } catch (AccessDeniedException e) {
      throw new OutputFileException(output, "permission denied", e);
    } catch (IOException | RuntimeException e) {
      throw new OutputFileException(output, String.valueOf(e), e);
    }
    boolean done = false;
    try (OutputStream sink = file;
        StreamingResponse response = t.openStream(request)) {
      out.println(
          ResponsePrinter.statusLine(response)
              + "  ("
              + Times.format(System.nanoTime() - start)
              + " to the headers via "
              + response.transport()
              + ")");
      for (Headers.Field h : response.headers().fields()) {
        out.println(h.name() + ": " + h.value());
      }
      out.flush();
      DownloadProgress progress =
          Main.interactive()
              ? new DownloadProgress(err, contentLength(response), System::nanoTime)
              : null;
      long written = copy(response, sink, progress);
      if (progress != null) {
        progress.finish();
      }
      sink.close();
      move(part, target);
      done = true;
      long nanos = System.nanoTime() - start;
      out.println();
      out.println(
          written
              + " bytes written to "
              + output
              + " in "
              + Times.format(nanos)
              + " ("
              + DownloadProgress.size(written / Math.max(1e-9, nanos / 1e9))
              + "/s)");
      return Main.OK;
    } catch (IOException e) {
      throw new OutputFileException(output, String.valueOf(e), e); // closing the file failed
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException ignored) {
          // the error already printed says more than this one would
        }
      }
    }
  }

  /** Copies the body; a read failure is the typed exchange failure, a write failure the file's. */
  private long copy(StreamingResponse response, OutputStream sink, DownloadProgress progress) {
    byte[] buffer = new byte[64 * 1024];
    long written = 0;
    InputStream body = response.body();
    while (true) {
      int n;
      try {
        n = body.read(buffer);
      } catch (IOException e) {
        if (e.getCause() instanceof TransportException te) {
          throw te;
        }
        throw new TransportException(
            "reading the response body failed: " + e,
            response.request(),
            response.transport(),
            true,
            e);
      }
      if (n < 0) {
        return written;
      }
      try {
        sink.write(buffer, 0, n);
      } catch (IOException e) {
        throw new OutputFileException(output, String.valueOf(e), e);
      }
      written += n;
      if (progress != null) {
        progress.advance(n);
      }
    }
  }

  private void move(Path part, Path target) {
    try {
      try {
        Files.move(
            part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new OutputFileException(output, "cannot rename " + part + " to it: " + e, e);
    }
  }

  private static long contentLength(StreamingResponse response) {
    String length = response.header("Content-Length");
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      return -1;
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
        checkJson();
      }
      if (!hasHeader("Accept")) {
        b.header("Accept", "application/json");
      }
    }
    if (data != null) {
      boolean typed = hasHeader("Content-Type");
      String type =
          typed
              ? null
              : json
                  ? "application/json"
                  : data instanceof BodyConverter.Text
                      ? "text/plain; charset=UTF-8"
                      : "application/octet-stream";
      b.body(body(type));
    }
    if (connectTimeout != null) {
      b.connectTimeout(connectTimeout);
    }
    if (timeout != null) {
      b.responseTimeout(timeout).requestTimeout(timeout);
    }
    return b.build();
  }

  private Body body(String type) {
    if (data instanceof BodyConverter.Text text) {
      return Body.of(text.bytes(), type);
    }
    if (data instanceof BodyConverter.FromFile f) {
      try {
        return Body.ofFile(f.file(), type);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--data: " + e.getMessage());
      }
    }
    // standard input can be read only once: a redirect or resend is refused with a message
    InputStream in = Main.stdin();
    Body stdin = Body.ofInputStream(() -> in, -1, type);
    return Body.ofPublisher(stdin.publisher(), -1, type);
  }

  /** Checks JSON data with a streaming parser: a file is read once, never held in memory. */
  private void checkJson() {
    if (data instanceof BodyConverter.FromStdin) {
      return; // read only once, as it is sent: not checked
    }
    try (JsonParser p =
        data instanceof BodyConverter.FromFile f
            ? JSON.getFactory().createParser(f.file().toFile())
            : JSON.getFactory().createParser(((BodyConverter.Text) data).bytes())) {
      if (p.nextToken() == null) {
        throw new ParameterException(
            spec.commandLine(), "--data is not valid JSON (with --json): it is empty");
      }
      p.skipChildren();
      while (p.nextToken() != null) {
        p.skipChildren();
      }
    } catch (JsonProcessingException e) {
      throw new ParameterException(
          spec.commandLine(), "--data is not valid JSON (with --json): " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--data cannot be read: " + e);
    }
  }

  private boolean hasHeader(String name) {
    return headers.stream().anyMatch(h -> h.name().equalsIgnoreCase(name));
  }
}
