package dev.switchboard.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.switchboard.Body;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.StreamingResponse;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.BufferedSource;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;

/**
 * The streaming runner: moves a large body up and down through one transport, through Switchboard
 * and through the same library used raw (built as in {@link Clients}), against a loopback {@link
 * StreamServer} in another process, the bytes made on the fly ({@link StreamData}) and checksummed
 * (CRC-32C) at both ends. For each case it reports the throughput and the heap's growth: the
 * largest heap used right after a collection during the case (from the collectors' notifications),
 * against the heap used after a full collection just before it; and, as an upper bound that also
 * counts garbage, the largest heap used seen by a 5 ms sampler.
 *
 * <p>Usage: {@code java -Xmx64m -cp benchmarks.jar dev.switchboard.bench.Stream [key=value...]},
 * keys: {@code transport} (jdk, apache, okhttp; default jdk), {@code size} (bytes per body, with
 * k/m/g; 1g), {@code rounds} (3: each case this many times, raw and Switchboard taking turns),
 * {@code cases} (comma-separated, default all of {@link #ALL_CASES}), {@code server} ({@code
 * process}: a StreamServer in a child JVM, the default; {@code inproc}: in this JVM, for the smoke
 * test; or a port of a server already running on 127.0.0.1).
 */
public final class Stream {
  /** Every case: direction, then how the body is given or taken. */
  static final List<String> ALL_CASES =
      List.of(
          "up-raw", "up-inputstream", "up-publisher", "down-raw", "down-body", "down-publisher");

  /**
   * Cases run only when named: {@code down-raw-stream}, apache only, is HC5 used raw with its body
   * read as an {@code InputStream} on a thread of an executor (HC5's own {@code
   * AbstractClassicEntityConsumer}, 256 KiB buffer, as Switchboard's window), not on its I/O
   * thread: what a raw HC5 user who wants a stream pays, where {@code down-raw} consumes on the I/O
   * thread, which Switchboard never lets user code do. (Raw jdk and okhttp downloads are read on
   * the caller's thread already.) {@code up-raw-stream}, apache only, likewise: the upload's {@code
   * InputStream} copied into HC5's own {@code AbstractClassicEntityProducer} (256 KiB buffer) on an
   * executor's thread, where {@code up-raw} reads it on the I/O thread. That producer's length is
   * unknown to HC5, so this upload goes chunked.
   */
  static final List<String> EXTRA_CASES = List.of("up-raw-stream", "down-raw-stream");

  /** The executor of {@code down-raw-stream}'s consumers. */
  private static final java.util.concurrent.ExecutorService CLASSIC_READERS =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "raw-apache-stream-reader");
            t.setDaemon(true);
            return t;
          });

  private static final String TYPE = "application/octet-stream";

  private Stream() {}

  /** One run of one case. */
  record Run(
      String transport,
      String kase,
      long bytes,
      long nanos,
      long cpuNanos,
      long heapGrowthAfterGc,
      long heapPeakGrowth,
      int collections,
      String error) {
    boolean ok() {
      return error == null;
    }

    double mibPerSecond() {
      return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    }

    /**
     * CPU seconds the client's JVM (all its threads, GC included; the server runs in another
     * process) spent per GiB moved: what the transport costs, less noisy than its speed on a
     * machine whose cores the server shares.
     */
    double cpuSecondsPerGib() {
      return cpuNanos / 1e9 / (bytes / (double) (1L << 30));
    }
  }

  /** The options. */
  static final class Options {
    String transport = "jdk";
    long size = 1L << 30;
    int rounds = 3;
    List<String> cases = ALL_CASES;
    String server = "process";
    Boolean fork;
    String heap = "64m";
    long warmup = 64L << 20;
    String jvmOptions = "";
    long timeoutSeconds = 600;

    boolean forks() {
      return fork != null ? fork : !server.equals("inproc");
    }

    static Options parse(String... args) {
      Options o = new Options();
      for (String a : args) {
        int eq = a.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("expected key=value, got " + a);
        }
        String k = a.substring(0, eq);
        String v = a.substring(eq + 1);
        switch (k) {
          case "transport" -> o.transport = v;
          case "size" -> o.size = parseSize(v);
          case "rounds" -> o.rounds = Integer.parseInt(v);
          case "cases" -> o.cases = List.of(v.split(","));
          case "server" -> o.server = v;
          case "fork" -> o.fork = Boolean.parseBoolean(v);
          case "heap" -> o.heap = v;
          case "warmup" -> o.warmup = parseSize(v);
          case "jvmOptions" -> o.jvmOptions = v;
          case "timeout" -> o.timeoutSeconds = Long.parseLong(v);
          default -> throw new IllegalArgumentException("unknown key " + k);
        }
      }
      for (String c : o.cases) {
        if (!ALL_CASES.contains(c) && !EXTRA_CASES.contains(c)) {
          throw new IllegalArgumentException(
              "unknown case " + c + "; cases: " + ALL_CASES + ", and " + EXTRA_CASES);
        }
      }
      if ((o.cases.contains("down-raw-stream") || o.cases.contains("up-raw-stream"))
          && !"apache".equals(o.transport)) {
        throw new IllegalArgumentException(
            "up-raw-stream and down-raw-stream are for apache; raw "
                + o.transport
                + " reads and writes bodies on the caller's thread already");
      }
      return o;
    }
  }

  static long parseSize(String v) {
    String s = v.strip().toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = s.charAt(s.length() - 1);
    if (last == 'k' || last == 'm' || last == 'g') {
      unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
      s = s.substring(0, s.length() - 1);
    }
    return Long.parseLong(s) * unit;
  }

  /** Runs every case {@code rounds} times; a wrong checksum or status throws. */
  static List<Run> run(Options o, boolean print) throws Exception {
    AutoCloseable server;
    int port;
    if (o.server.equals("inproc")) {
      StreamServer s = new StreamServer(0);
      server = s;
      port = s.port();
    } else if (o.server.equals("process")) {
      ChildServer c = ChildServer.start();
      server = c;
      port = c.port;
    } else {
      server = () -> {};
      port = Integer.parseInt(o.server);
    }
    if (o.forks()) {
      try (server) {
        return forked(o, port, print);
      }
    }
    HeapWatch heap = new HeapWatch();
    List<Run> runs = new ArrayList<>();
    try (server;
        heap;
        Sides sides = new Sides(o.transport)) {
      URI base = URI.create("http://127.0.0.1:" + port);
      long expected = StreamData.checksum(o.size);
      // a shorter exchange of each kind first: connections open, classes loaded, code compiled
      long warm = Math.min(o.warmup, o.size);
      long warmCrc = StreamData.checksum(warm);
      for (String c : o.cases) {
        once(sides, c, base, warm, warmCrc);
      }
      for (int round = 0; round < o.rounds; round++) {
        for (String c : o.cases) {
          heap.reset();
          long cpu0 = processCpuNanos();
          long t0 = System.nanoTime();
          once(sides, c, base, o.size, expected);
          long nanos = System.nanoTime() - t0;
          long cpu = processCpuNanos() - cpu0;
          HeapWatch.Growth g = heap.growth();
          Run r =
              new Run(o.transport, c, o.size, nanos, cpu, g.afterGc, g.peak, g.collections, null);
          runs.add(r);
          if (print) {
            System.out.println(describe(r, round));
            System.out.println(
                "RESULT "
                    + String.join(
                        " ",
                        o.transport,
                        c,
                        Long.toString(o.size),
                        Long.toString(nanos),
                        Long.toString(cpu),
                        Long.toString(g.afterGc),
                        Long.toString(g.peak),
                        Integer.toString(g.collections)));
          }
        }
      }
    }
    return runs;
  }

  /**
   * Each run of each case in a JVM of its own ({@code java -Xmx<heap>}, this class path), raw and
   * Switchboard taking turns; a run that fails (an {@link OutOfMemoryError} included) is recorded
   * with its error and the others go on.
   */
  private static List<Run> forked(Options o, int port, boolean print) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    List<Run> runs = new ArrayList<>();
    for (int round = 0; round < o.rounds; round++) {
      for (String c : o.cases) {
        List<String> cmd =
            new ArrayList<>(List.of(java, "-Xmx" + o.heap, "-XX:+ExitOnOutOfMemoryError"));
        for (String opt : o.jvmOptions.split(" ")) {
          if (!opt.isBlank()) {
            cmd.add(opt);
          }
        }
        cmd.addAll(
            List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Stream.class.getName(),
                "transport=" + o.transport,
                "size=" + o.size,
                "warmup=" + o.warmup,
                "rounds=1",
                "cases=" + c,
                "server=" + port,
                "fork=false"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader =
            new Thread(
                () -> {
                  try (BufferedReader out =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                      lines.add(line);
                    }
                  } catch (IOException e) {
                    lines.add("reading the run's output: " + e);
                  }
                },
                "stream-run-output");
        reader.start();
        boolean ended = p.waitFor(o.timeoutSeconds, TimeUnit.SECONDS);
        if (!ended) {
          p.destroyForcibly();
          lines.add("Error: no result after " + o.timeoutSeconds + " s (timeout)");
        }
        int exit = p.waitFor();
        reader.join(5000);
        Run result = null;
        StringBuilder output = new StringBuilder();
        synchronized (lines) {
          for (String line : lines) {
            if (line.startsWith("RESULT ")) {
              String[] f = line.split(" ");
              result =
                  new Run(
                      f[1],
                      f[2],
                      Long.parseLong(f[3]),
                      Long.parseLong(f[4]),
                      Long.parseLong(f[5]),
                      Long.parseLong(f[6]),
                      Long.parseLong(f[7]),
                      Integer.parseInt(f[8]),
                      null);
            } else if (!line.startsWith("stream: ")) {
              output.append(line).append('\n');
            }
          }
        }
        if (result == null || exit != 0) {
          String text = output.toString();
          String error =
              text.contains("OutOfMemoryError")
                  ? "OutOfMemoryError"
                  : !ended
                      ? "timeout"
                      : text.lines()
                          .filter(l -> l.contains("Exception") || l.contains("Error"))
                          .findFirst()
                          .orElse("exit " + exit);
          result = new Run(o.transport, c, o.size, -1, -1, -1, -1, -1, error);
        }
        runs.add(result);
        if (print) {
          System.out.println(describe(result, round));
          if (!result.ok()) {
            System.out.print(
                output
                    .toString()
                    .lines()
                    .limit(15)
                    .map(l -> "    " + l + "\n")
                    .reduce("", String::concat));
          }
        }
      }
    }
    return runs;
  }

  static String describe(Run r, int round) {
    if (!r.ok()) {
      return String.format(
          Locale.ROOT,
          "%s %-15s round %d: FAILED %s",
          r.transport(),
          r.kase(),
          round + 1,
          r.error());
    }
    return String.format(
        Locale.ROOT,
        "%s %-15s round %d: %,d bytes in %.2f s, %.1f MiB/s, %.2f CPU s/GiB, heap after GC"
            + " +%.1f MiB (peak used +%.1f MiB, %d collections)",
        r.transport(),
        r.kase(),
        round + 1,
        r.bytes(),
        r.nanos() / 1e9,
        r.mibPerSecond(),
        r.cpuSecondsPerGib(),
        mib(r.heapGrowthAfterGc()),
        mib(r.heapPeakGrowth()),
        r.collections());
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static void once(Sides sides, String c, URI base, long size, long expected)
      throws Exception {
    URI down = base.resolve("/down/" + size);
    URI up = base.resolve("/up");
    switch (c) {
      case "up-raw" -> checkUp(sides.rawUpload(up, size), size, expected, c);
      case "up-raw-stream" -> checkUp(sides.rawUploadStream(up, size), size, expected, c);
      case "up-inputstream" ->
          checkUp(
              sides.switchboardUpload(
                  up, Body.ofInputStream(() -> StreamData.source(size), size, TYPE)),
              size,
              expected,
              c);
      case "up-publisher" ->
          checkUp(
              sides.switchboardUpload(up, Body.ofPublisher(StreamData.publisher(size), size, TYPE)),
              size,
              expected,
              c);
      case "down-raw" -> checkDown(sides.rawDownload(down), size, expected, c);
      case "down-raw-stream" -> checkDown(sides.rawDownloadStream(down), size, expected, c);
      case "down-body" -> checkDown(sides.switchboardDownloadBody(down), size, expected, c);
      case "down-publisher" ->
          checkDown(sides.switchboardDownloadPublisher(down), size, expected, c);
      default -> throw new IllegalArgumentException(c);
    }
  }

  private static void checkUp(String answer, long size, long expected, String c) {
    String want = size + " " + Long.toHexString(expected);
    if (!answer.strip().equals(want)) {
      throw new IllegalStateException(c + ": the server read " + answer + ", expected " + want);
    }
  }

  private static void checkDown(long[] countAndCrc, long size, long expected, String c) {
    if (countAndCrc[0] != size || countAndCrc[1] != expected) {
      throw new IllegalStateException(
          c
              + ": read "
              + countAndCrc[0]
              + " bytes, crc "
              + Long.toHexString(countAndCrc[1])
              + ", expected "
              + size
              + " and "
              + Long.toHexString(expected));
    }
  }

  /** Reads a stream to its end: {count, crc}. */
  static long[] drain(InputStream in) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[StreamData.BLOCK];
    long count = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      crc.update(buf, 0, n);
      count += n;
    }
    return new long[] {count, crc.getValue()};
  }

  /** Switchboard and the raw library for one transport, configured alike. */
  static final class Sides implements AutoCloseable {
    private final String transport;
    private final Transport switchboard;
    private final Client raw;

    Sides(String transport) {
      this.transport = transport;
      TransportConfig config =
          Settings.config(transport, 64, 256).toBuilder()
              .responseTimeout(Duration.ofMinutes(10))
              .readTimeout(Duration.ofMinutes(1))
              .build();
      this.switchboard = Transports.create(config);
      if (!switchboard.name().equals(transport)) {
        throw new IllegalStateException("asked for " + transport + ", got " + switchboard);
      }
      this.raw = Clients.create(transport, Clients.RAW, config);
    }

    String switchboardUpload(URI uri, Body body) {
      Response r = switchboard.execute(Request.post(uri, body));
      return r.text();
    }

    long[] switchboardDownloadBody(URI uri) throws IOException {
      try (StreamingResponse r = switchboard.openStream(Request.get(uri));
          InputStream in = r.body()) {
        if (r.status() != 200) {
          throw new IOException("status " + r.status());
        }
        return drain(in);
      }
    }

    long[] switchboardDownloadPublisher(URI uri) throws Exception {
      CompletableFuture<long[]> done = new CompletableFuture<>();
      try (StreamingResponse r = switchboard.openStream(Request.get(uri))) {
        if (r.status() != 200) {
          throw new IOException("status " + r.status());
        }
        r.publisher().subscribe(new Checksummer(done));
        return done.get(30, TimeUnit.MINUTES);
      }
    }

    String rawUpload(URI uri, long size) throws Exception {
      return switch (transport) {
        case "jdk" -> {
          HttpClient client = ((RawJdkClient) raw).client();
          HttpRequest request =
              HttpRequest.newBuilder(uri)
                  .header("User-Agent", Settings.USER_AGENT)
                  .header("Accept-Encoding", Settings.ACCEPT_ENCODING)
                  .header("Content-Type", TYPE)
                  .POST(
                      HttpRequest.BodyPublishers.fromPublisher(
                          HttpRequest.BodyPublishers.ofInputStream(() -> StreamData.source(size)),
                          size))
                  .build();
          HttpResponse<String> r =
              client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get();
          if (r.statusCode() != 200) {
            throw RawJdkClient.status(r);
          }
          yield r.body();
        }
        case "okhttp" -> {
          OkHttpClient client = ((RawOkHttpClient) raw).client();
          RequestBody body =
              new RequestBody() {
                @Override
                public MediaType contentType() {
                  return MediaType.get(TYPE);
                }

                @Override
                public long contentLength() {
                  return size;
                }

                @Override
                public void writeTo(BufferedSink sink) throws IOException {
                  byte[] buf = new byte[StreamData.BLOCK];
                  try (InputStream in = StreamData.source(size)) {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                      sink.write(buf, 0, n);
                    }
                  }
                }
              };
          okhttp3.Response r = enqueue(client, okRequest(uri).post(body).build()).get();
          try (r) {
            if (r.code() != 200) {
              throw new IOException("status " + r.code());
            }
            yield r.body().string();
          }
        }
        case "apache" -> {
          CloseableHttpAsyncClient client = ((RawApacheClient) raw).client();
          BasicHttpRequest request = apacheRequest("POST", uri);
          CompletableFuture<SimpleHttpResponse> f = new CompletableFuture<>();
          client.execute(
              new BasicRequestProducer(request, new StreamProducer(StreamData.source(size), size)),
              SimpleResponseConsumer.create(),
              callback(f));
          yield apacheAnswer(f.get());
        }
        default -> throw new IllegalArgumentException(transport);
      };
    }

    long[] rawDownload(URI uri) throws Exception {
      return switch (transport) {
        case "jdk" -> {
          HttpClient client = ((RawJdkClient) raw).client();
          HttpRequest request =
              HttpRequest.newBuilder(uri)
                  .header("User-Agent", Settings.USER_AGENT)
                  .header("Accept-Encoding", Settings.ACCEPT_ENCODING)
                  .GET()
                  .build();
          HttpResponse<InputStream> r =
              client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).get();
          try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
              throw RawJdkClient.status(r);
            }
            yield drain(in);
          }
        }
        case "okhttp" -> {
          OkHttpClient client = ((RawOkHttpClient) raw).client();
          okhttp3.Response r = enqueue(client, okRequest(uri).get().build()).get();
          try (r) {
            if (r.code() != 200) {
              throw new IOException("status " + r.code());
            }
            BufferedSource source = r.body().source();
            CRC32C crc = new CRC32C();
            byte[] buf = new byte[StreamData.BLOCK];
            long count = 0;
            for (int n; (n = source.read(buf)) >= 0; ) {
              crc.update(buf, 0, n);
              count += n;
            }
            yield new long[] {count, crc.getValue()};
          }
        }
        case "apache" -> {
          CloseableHttpAsyncClient client = ((RawApacheClient) raw).client();
          BasicHttpRequest request = apacheRequest("GET", uri);
          CompletableFuture<long[]> f = new CompletableFuture<>();
          client.execute(new BasicRequestProducer(request, null), new CrcConsumer(), callback(f));
          yield f.get();
        }
        default -> throw new IllegalArgumentException(transport);
      };
    }

    /** {@link #EXTRA_CASES}: HC5 raw, its body read as an InputStream off the I/O thread. */
    /** {@link #EXTRA_CASES}: HC5 raw, its upload written from an InputStream off the I/O thread. */
    String rawUploadStream(URI uri, long size) throws Exception { // apache only
      CloseableHttpAsyncClient client = ((RawApacheClient) raw).client();
      BasicHttpRequest request = apacheRequest("POST", uri);
      CompletableFuture<SimpleHttpResponse> f = new CompletableFuture<>();
      client.execute(
          new BasicRequestProducer(
              request,
              new org.apache.hc.core5.http.nio.support.classic.AbstractClassicEntityProducer(
                  256 * 1024, ContentType.APPLICATION_OCTET_STREAM, CLASSIC_READERS) {
                @Override
                protected void produceData(ContentType type, java.io.OutputStream out)
                    throws IOException {
                  try (InputStream in = StreamData.source(size)) {
                    in.transferTo(out);
                  }
                }
              }),
          SimpleResponseConsumer.create(),
          callback(f));
      return apacheAnswer(f.get());
    }

    long[] rawDownloadStream(URI uri) throws Exception { // apache only: Options.parse checks
      CloseableHttpAsyncClient client = ((RawApacheClient) raw).client();
      BasicHttpRequest request = apacheRequest("GET", uri);
      CompletableFuture<
              org.apache.hc.core5.http.Message<org.apache.hc.core5.http.HttpResponse, long[]>>
          f = new CompletableFuture<>();
      client.execute(
          new BasicRequestProducer(request, null),
          new org.apache.hc.core5.http.nio.support.BasicResponseConsumer<>(
              new org.apache.hc.core5.http.nio.support.classic.AbstractClassicEntityConsumer<
                  long[]>(256 * 1024, CLASSIC_READERS) {
                @Override
                protected long[] consumeData(ContentType type, InputStream in) throws IOException {
                  return drain(in);
                }
              }),
          callback(f));
      var m = f.get();
      if (m.getHead().getCode() != 200) {
        throw new IOException("status " + m.getHead().getCode());
      }
      return m.getBody();
    }

    @Override
    public void close() throws Exception {
      switchboard.close();
      raw.close();
    }
  }

  /** A raw HC5 request with the headers both sides send. */
  private static BasicHttpRequest apacheRequest(String method, URI uri) {
    BasicHttpRequest request = new BasicHttpRequest(method, uri);
    request.setHeader("User-Agent", Settings.USER_AGENT);
    request.setHeader("Accept-Encoding", Settings.ACCEPT_ENCODING);
    return request;
  }

  /** The server's answer to a raw HC5 upload; any status but 200 fails the run. */
  private static String apacheAnswer(SimpleHttpResponse r) throws IOException {
    if (r.getCode() != 200) {
      throw new IOException("status " + r.getCode());
    }
    return r.getBodyText();
  }

  private static okhttp3.Request.Builder okRequest(URI uri) {
    return new okhttp3.Request.Builder()
        .url(uri.toString())
        .header("User-Agent", Settings.USER_AGENT)
        .header("Accept-Encoding", Settings.ACCEPT_ENCODING);
  }

  private static CompletableFuture<okhttp3.Response> enqueue(
      OkHttpClient client, okhttp3.Request request) {
    CompletableFuture<okhttp3.Response> f = new CompletableFuture<>();
    client
        .newCall(request)
        .enqueue(
            new okhttp3.Callback() {
              @Override
              public void onResponse(okhttp3.Call call, okhttp3.Response response) {
                if (!f.complete(response)) {
                  response.close();
                }
              }

              @Override
              public void onFailure(okhttp3.Call call, IOException e) {
                f.completeExceptionally(e);
              }
            });
    return f;
  }

  private static <T> FutureCallback<T> callback(CompletableFuture<T> f) {
    return new FutureCallback<>() {
      @Override
      public void completed(T result) {
        f.complete(result);
      }

      @Override
      public void failed(Exception e) {
        f.completeExceptionally(e);
      }

      @Override
      public void cancelled() {
        f.completeExceptionally(new IOException("cancelled"));
      }
    };
  }

  /** Takes the body with a demand of 4 buffers ahead, one more per buffer checked. */
  private static final class Checksummer implements Flow.Subscriber<ByteBuffer> {
    private final CompletableFuture<long[]> done;
    private final CRC32C crc = new CRC32C();
    private long count;
    private Flow.Subscription subscription;

    Checksummer(CompletableFuture<long[]> done) {
      this.done = done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(4);
    }

    @Override
    public void onNext(ByteBuffer item) {
      count += item.remaining();
      crc.update(item);
      subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(new long[] {count, crc.getValue()});
    }
  }

  /**
   * HttpCore's asynchronous entity producer over an {@link InputStream}, as a raw user writes one:
   * a 64 KiB buffer refilled from the stream on the I/O thread whenever the channel took it all.
   */
  private static final class StreamProducer implements AsyncEntityProducer {
    private final InputStream in;
    private final long length;
    private final ByteBuffer buffer = ByteBuffer.allocate(StreamData.BLOCK);
    private boolean eof;

    StreamProducer(InputStream in, long length) {
      this.in = in;
      this.length = length;
      buffer.flip();
    }

    @Override
    public boolean isRepeatable() {
      return false;
    }

    @Override
    public void failed(Exception cause) {}

    @Override
    public long getContentLength() {
      return length;
    }

    @Override
    public String getContentType() {
      return TYPE;
    }

    @Override
    public String getContentEncoding() {
      return null;
    }

    @Override
    public boolean isChunked() {
      return false;
    }

    @Override
    public Set<String> getTrailerNames() {
      return Collections.emptySet();
    }

    @Override
    public int available() {
      return eof && !buffer.hasRemaining() ? 0 : Integer.MAX_VALUE;
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
      while (true) {
        if (!buffer.hasRemaining()) {
          if (eof) {
            channel.endStream(null);
            return;
          }
          buffer.clear();
          int n = in.read(buffer.array(), 0, buffer.capacity());
          if (n < 0) {
            eof = true;
            buffer.limit(0);
            continue;
          }
          buffer.limit(n);
        }
        if (channel.write(buffer) == 0) {
          return;
        }
      }
    }

    @Override
    public void releaseResources() {
      try {
        in.close();
      } catch (IOException e) {
        // nothing to release
      }
    }
  }

  /** HttpClient's binary response consumer, checksumming as data comes; a 256 KiB window. */
  private static final class CrcConsumer extends AbstractBinResponseConsumer<long[]> {
    private final CRC32C crc = new CRC32C();
    private long count;
    private int status;

    @Override
    protected void start(org.apache.hc.core5.http.HttpResponse response, ContentType contentType) {
      status = response.getCode();
    }

    @Override
    protected long[] buildResult() {
      if (status != 200) {
        throw new IllegalStateException("status " + status);
      }
      return new long[] {count, crc.getValue()};
    }

    @Override
    protected int capacityIncrement() {
      return 256 * 1024;
    }

    @Override
    protected void data(ByteBuffer data, boolean endOfStream) {
      count += data.remaining();
      crc.update(data);
    }

    @Override
    public void releaseResources() {}
  }

  /**
   * The heap seen by the collectors: after a full collection at {@link #reset()}, and after every
   * collection until {@link #growth()} (from the notifications, so only what survived a collection
   * counts: live data, plus garbage already promoted that no collection since has reclaimed); and
   * the largest heap used (garbage included) sampled every 5 ms.
   */
  static final class HeapWatch implements AutoCloseable {
    private final List<MemoryPoolMXBean> heapPools = new ArrayList<>();
    private final AtomicLong maxAfterGc = new AtomicLong();
    private final AtomicLong maxUsed = new AtomicLong();
    private final AtomicInteger collections = new AtomicInteger();
    private final List<Runnable> removals = new ArrayList<>();
    private final Thread sampler;
    private volatile long baseline;
    private volatile boolean closed;

    /** What {@link #growth()} returns. */
    record Growth(long afterGc, long peak, int collections) {}

    HeapWatch() {
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          heapPools.add(p);
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          javax.management.NotificationListener l =
              (n, h) -> {
                if (!n.getType()
                    .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                  return;
                }
                GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long used = 0;
                for (Map.Entry<String, MemoryUsage> e :
                    info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                  if (isHeap(e.getKey())) {
                    used += e.getValue().getUsed();
                  }
                }
                long u = used;
                maxAfterGc.accumulateAndGet(u, Math::max);
                collections.incrementAndGet();
              };
          emitter.addNotificationListener(l, null, null);
          removals.add(
              () -> {
                try {
                  emitter.removeNotificationListener(l);
                } catch (Exception e) {
                  // gone already
                }
              });
        }
      }
      sampler =
          new Thread(
              () -> {
                while (!closed) {
                  maxUsed.accumulateAndGet(
                      ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                      Math::max);
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "heap-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    private boolean isHeap(String pool) {
      for (MemoryPoolMXBean p : heapPools) {
        if (p.getName().equals(pool)) {
          return true;
        }
      }
      return false;
    }

    /** A full collection, then the baseline: the heap used after it. */
    void reset() throws InterruptedException {
      System.gc();
      System.gc();
      Thread.sleep(200); // the notifications of those collections come on another thread
      baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      maxAfterGc.set(baseline);
      maxUsed.set(baseline);
      collections.set(0);
    }

    /** The growth since {@link #reset()}. */
    Growth growth() throws InterruptedException {
      Thread.sleep(100); // the last notifications
      return new Growth(maxAfterGc.get() - baseline, maxUsed.get() - baseline, collections.get());
    }

    @Override
    public void close() {
      closed = true;
      sampler.interrupt();
      removals.forEach(Runnable::run);
    }
  }

  /** A {@link StreamServer} in a child JVM of the same Java and class path. */
  private static final class ChildServer implements AutoCloseable {
    final Process process;
    final int port;

    private ChildServer(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static ChildServer start() throws IOException {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  StreamServer.class.getName())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
      String line = out.readLine();
      if (line == null || !line.startsWith("listening ")) {
        p.destroyForcibly();
        throw new IOException("the stream server did not start: " + line);
      }
      return new ChildServer(p, Integer.parseInt(line.substring("listening ".length()).strip()));
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /**
   * The table: per case, the median throughput over the runs that completed, its spread, its ratio
   * to the raw case of the same direction, and the largest heap growth of any run.
   */
  static String table(List<Run> runs) {
    Map<String, List<Run>> byCase = new LinkedHashMap<>();
    for (Run r : runs) {
      byCase.computeIfAbsent(r.transport() + " " + r.kase(), k -> new ArrayList<>()).add(r);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| transport | case | runs (failed) | MiB/s median | min–max | / raw (median) | client CPU"
            + " s/GiB (median) | / raw | heap after GC, max growth (MiB) | heap used, peak growth"
            + " (MiB) | target ≤ 32 MiB |\n");
    sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Map.Entry<String, List<Run>> e : byCase.entrySet()) {
      List<Run> all = e.getValue();
      List<Run> rs = all.stream().filter(Run::ok).toList();
      Run first = all.get(0);
      String failed =
          all.size() == rs.size()
              ? ""
              : " ("
                  + (all.size() - rs.size())
                  + ": "
                  + all.stream()
                      .filter(r -> !r.ok())
                      .map(Run::error)
                      .distinct()
                      .reduce((a, b) -> a + ", " + b)
                      .orElse("")
                  + ")";
      if (rs.isEmpty()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %d%s | – | – | – | – | – | – | – | **missed** |%n",
                first.transport(),
                first.kase(),
                all.size(),
                failed));
        continue;
      }
      double med = median(rs);
      String dir = first.kase().substring(0, first.kase().indexOf('-'));
      List<Run> raw = byCase.get(first.transport() + " " + dir + "-raw");
      List<Run> rawOk = raw == null ? List.of() : raw.stream().filter(Run::ok).toList();
      String ratio = rawOk.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f", med / median(rawOk));
      double cpu = medianOf(rs, Run::cpuSecondsPerGib);
      String cpuRatio =
          rawOk.isEmpty()
              ? ""
              : String.format(Locale.ROOT, "%.2f", cpu / medianOf(rawOk, Run::cpuSecondsPerGib));
      double min = rs.stream().mapToDouble(Run::mibPerSecond).min().orElse(0);
      double max = rs.stream().mapToDouble(Run::mibPerSecond).max().orElse(0);
      double heapAfterGc = mib(rs.stream().mapToLong(Run::heapGrowthAfterGc).max().orElse(0));
      double heapPeak = mib(rs.stream().mapToLong(Run::heapPeakGrowth).max().orElse(0));
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d%s | %.0f | %.0f–%.0f | %s | %.2f | %s | %.1f | %.1f | %s |%n",
              first.transport(),
              first.kase(),
              all.size(),
              failed,
              med,
              min,
              max,
              ratio,
              cpu,
              cpuRatio,
              heapAfterGc,
              heapPeak,
              heapAfterGc <= 32 && all.size() == rs.size() ? "met" : "**missed**"));
    }
    return sb.toString();
  }

  private static double median(List<Run> rs) {
    return medianOf(rs, Run::mibPerSecond);
  }

  private static double medianOf(List<Run> rs, java.util.function.ToDoubleFunction<Run> of) {
    double[] v = rs.stream().mapToDouble(of).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** CPU time of this whole JVM, all threads (GC included), in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Runs, prints every run and the table; exits 1 on a wrong checksum or a failed exchange. */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    System.out.printf(
        Locale.ROOT,
        "stream: transport %s, %,d bytes per body, %d rounds, cases %s, max heap %.0f MiB, gc %s%n",
        o.transport,
        o.size,
        o.rounds,
        o.cases,
        mib(Runtime.getRuntime().maxMemory()),
        Arrays.toString(
            ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName)
                .toArray()));
    List<Run> runs;
    try {
      runs = run(o, true);
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.exit(1);
      return;
    }
    System.out.println();
    System.out.print(table(runs));
    System.exit(runs.stream().allMatch(Run::ok) ? 0 : 1);
  }
}
