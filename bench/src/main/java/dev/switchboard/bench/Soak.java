package dev.switchboard.bench;

import dev.switchboard.ConnectionException;
import dev.switchboard.HttpStatusException;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.NotFoundException;
import dev.switchboard.ReadTimeoutException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.ResponseTimeoutException;
import dev.switchboard.ServerErrorException;
import dev.switchboard.TlsException;
import dev.switchboard.TooManyRequestsException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The soak: N requests through one transport against a fault server of its own ({@link
 * SoakServer}), a seeded mix of ~90 % normal answers and ~10 % faults, every outcome checked
 * against what the server was told to do, and the process's file descriptors, threads, connections
 * to the server and heap compared before the transport was created and after it was closed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.switchboard.bench.Soak [key=value...]}, keys (also
 * read as system properties, e.g. {@code -Dtransport=okhttp}): {@code transport} (jdk, apache,
 * okhttp; default jdk), {@code requests} (100000), {@code inFlight} (64), {@code seed} (18), {@code
 * faultRate} (0.10), {@code connectTimeout} (2000 ms), {@code responseTimeout} (1000), {@code
 * readTimeout} (1000), {@code stall} (ms a stall lasts; 3 × the longer timeout), {@code hang} (ms
 * after which a request counts as hung; 60000), {@code settle} (ms to wait, at most, after close
 * for the counts to come back; 90000). Exits 1 when a target is missed: 0 misclassified, 0 hangs,
 * +0 file descriptors, +0 threads, 0 connections left.
 */
public final class Soak {
  /** What the server does with one request (the first time it sees its id). */
  enum Fault {
    /** 200 with a small JSON body and Content-Length. */
    OK,
    /** 200, the body gzip-encoded. */
    OK_GZIP,
    /** 200, the body in chunks. */
    OK_CHUNKED,
    /** The connection closed without an answer. */
    CLOSE,
    /** The connection reset (SO_LINGER 0) without an answer. */
    RESET,
    /** The head and half the body, then a reset. */
    RESET_MID_BODY,
    /** A garbage status line, then close. */
    GARBAGE,
    /** Content-Length larger than what is sent, then close. */
    TRUNCATED,
    /** The head and a third of the body, then silence longer than the read timeout. */
    BODY_STALL,
    /** No answer at all for longer than the response timeout. */
    HEAD_STALL,
    /** A complete body in four pieces, with pauses shorter than the read timeout. */
    SLOW_BODY,
    /** 429 with Retry-After: 7. */
    TOO_MANY_REQUESTS,
    /** 503. */
    UNAVAILABLE,
    /** 404. */
    NOT_FOUND,
    /** Sent to a port where nothing listens. */
    REFUSED;

    boolean isFault() {
      return ordinal() > OK_CHUNKED.ordinal();
    }

    /** A fault after which one resend of the request (a stale connection) may succeed. */
    boolean mayBeResent() {
      return this == CLOSE || this == RESET || this == RESET_MID_BODY;
    }
  }

  private static final Fault[] FAULTS =
      Arrays.stream(Fault.values()).filter(Fault::isFault).toArray(Fault[]::new);

  private Soak() {}

  /** The soak's settings. */
  static final class Options {
    String transport = "jdk";
    int requests = 100_000;
    int inFlight = 64;
    long seed = 18;
    double faultRate = 0.10;
    long connectTimeout = 2_000;
    long responseTimeout = 1_000;
    long readTimeout = 1_000;
    long stall = -1;
    long hang = 60_000;
    long settle = 90_000;

    static Options parse(String... args) {
      Map<String, String> given = new HashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("expected key=value, got " + arg);
        }
        given.put(arg.substring(0, eq), arg.substring(eq + 1));
      }
      Options o = new Options();
      o.transport = value(given, "transport", o.transport);
      o.requests = Integer.parseInt(value(given, "requests", "" + o.requests));
      o.inFlight = Integer.parseInt(value(given, "inFlight", "" + o.inFlight));
      o.seed = Long.parseLong(value(given, "seed", "" + o.seed));
      o.faultRate = Double.parseDouble(value(given, "faultRate", "" + o.faultRate));
      o.connectTimeout = Long.parseLong(value(given, "connectTimeout", "" + o.connectTimeout));
      o.responseTimeout = Long.parseLong(value(given, "responseTimeout", "" + o.responseTimeout));
      o.readTimeout = Long.parseLong(value(given, "readTimeout", "" + o.readTimeout));
      o.stall = Long.parseLong(value(given, "stall", "" + o.stall));
      o.hang = Long.parseLong(value(given, "hang", "" + o.hang));
      o.settle = Long.parseLong(value(given, "settle", "" + o.settle));
      Set<String> known =
          Set.of(
              "transport",
              "requests",
              "inFlight",
              "seed",
              "faultRate",
              "connectTimeout",
              "responseTimeout",
              "readTimeout",
              "stall",
              "hang",
              "settle");
      for (String key : given.keySet()) {
        if (!known.contains(key)) {
          throw new IllegalArgumentException("unknown option " + key + "; known: " + known);
        }
      }
      return o;
    }

    private static String value(Map<String, String> given, String key, String fallback) {
      String v = given.get(key);
      if (v == null) {
        v = System.getProperty(key);
      }
      if (v == null) {
        v = System.getProperty("soak." + key);
      }
      return v == null ? fallback : v;
    }

    long stallMillis() {
      return stall > 0 ? stall : 3 * Math.max(responseTimeout, readTimeout);
    }
  }

  /** What a soak found. */
  static final class Result {
    String transport;
    String java;
    int requests;
    int faults;
    int misclassified;
    int hangs;
    int resends;
    int fds;
    int threads;
    int connectionsLeft;
    int serverConnectionsLeft;
    double heapMb;
    double seconds;
    double settleSeconds;
    final List<String> problems = new ArrayList<>();
    final Map<Fault, Map<String, Integer>> outcomes = new EnumMap<>(Fault.class);
    final List<String> newThreads = new ArrayList<>();
    final List<String> sharedThreads = new ArrayList<>();
    final List<String> newFds = new ArrayList<>();
    final Map<String, Integer> connectionStates = new TreeMap<>();

    boolean targetsMet() {
      return misclassified == 0
          && hangs == 0
          && fds <= 0
          && threads <= 0
          && connectionsLeft == 0
          && serverConnectionsLeft == 0;
    }

    String summary() {
      return String.format(
          Locale.ROOT,
          "soak %s on Java %s: %d requests, %d faults, %d misclassified, %d hangs, %d resends;"
              + " after close: %+d fds, %+d threads, %d connections left (server: %d open),"
              + " %+.1f MB heap; %.1f s (+%.1f s settling): %s",
          transport,
          java,
          requests,
          faults,
          misclassified,
          hangs,
          resends,
          fds,
          threads,
          connectionsLeft,
          serverConnectionsLeft,
          heapMb,
          seconds,
          settleSeconds,
          targetsMet() ? "targets met" : "TARGETS MISSED");
    }

    static String tableHeader() {
      return "| transport | JDK | requests | faults | misclassified | hangs | resends | +fds |"
          + " +threads | connections left | +heap MB | duration |\n"
          + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
    }

    String tableRow() {
      return String.format(
          Locale.ROOT,
          "| %s | %s | %,d | %,d | %d | %d | %d | %+d | %+d | %d | %+.1f | %.0f s |",
          transport,
          java,
          requests,
          faults,
          misclassified,
          hangs,
          resends,
          fds,
          threads,
          Math.max(connectionsLeft, serverConnectionsLeft),
          heapMb,
          seconds);
    }
  }

  /** Runs the soak; prints a summary and a markdown table row; exits 1 when a target is missed. */
  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Result result = run(options, true);
    System.out.println();
    System.out.println(result.summary());
    System.out.println(Result.tableHeader());
    System.out.println(result.tableRow());
    System.exit(result.targetsMet() ? 0 : 1);
  }

  /** One request in flight. */
  private static final class Pending {
    final long start = System.nanoTime();
    volatile CompletableFuture<Response> future;
  }

  static Result run(Options o, boolean verbose) throws Exception {
    Fault[] plan = plan(o);
    Result result = new Result();
    result.transport = o.transport;
    result.java = System.getProperty("java.version");
    result.requests = o.requests;
    result.faults = (int) Arrays.stream(plan).filter(Fault::isFault).count();
    long stall = o.stallMillis();
    try (SoakServer server = new SoakServer(o.requests, stall, Math.max(10, o.readTimeout / 5));
        Socket refused = boundNotListening()) {
      int refusedPort = refused.getLocalPort();
      warmJvmSingletons(refusedPort);
      Snapshot before = Snapshot.take(server.port());
      System.out.println("before fds: " + new TreeMap<>(before.fds));
      if (verbose) {
        System.out.printf(
            Locale.ROOT,
            "soak: %s, Java %s, %d requests (%d faults), %d in flight, seed %d, server 127.0.0.1:%d,"
                + " refused port %d; before: %d fds, %d threads, %.1f MB heap%n",
            o.transport,
            result.java,
            o.requests,
            result.faults,
            o.inFlight,
            o.seed,
            server.port(),
            refusedPort,
            before.fds.size(),
            before.threads.size(),
            before.heapBytes / 1e6);
      }

      long start = System.nanoTime();
      Transport transport = Transports.create(config(o));
      Semaphore permits = new Semaphore(o.inFlight);
      Map<Integer, Pending> pending = new ConcurrentHashMap<>();
      AtomicInteger misclassified = new AtomicInteger();
      List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
      Map<Fault, Map<String, Integer>> outcomes = new ConcurrentHashMap<>();
      AtomicInteger hangs = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      long hangNanos = TimeUnit.MILLISECONDS.toNanos(o.hang);
      long lastReport = System.nanoTime();
      try {
        for (int i = 0; i < o.requests; i++) {
          while (!permits.tryAcquire(200, TimeUnit.MILLISECONDS)) {
            checkHangs(pending, hangNanos, hangs, problems, plan, permits);
          }
          int id = i;
          Fault fault = plan[id];
          int port = fault == Fault.REFUSED ? refusedPort : server.port();
          Request request = Request.get("http://127.0.0.1:" + port + "/soak/" + id + "/" + fault);
          Pending p = new Pending();
          pending.put(id, p);
          CompletableFuture<Response> future = transport.send(request);
          p.future = future;
          future.whenComplete(
              (response, failure) -> {
                if (pending.remove(id) == null) {
                  return; // counted as a hang already
                }
                Throwable t = failure == null ? null : TransportException.unwrap(failure);
                int arrivals = fault == Fault.REFUSED ? 0 : server.arrivals(id);
                String outcome = outcome(response, t) + (arrivals > 1 ? " after resend" : "");
                outcomes
                    .computeIfAbsent(fault, f -> new ConcurrentHashMap<>())
                    .merge(outcome, 1, Integer::sum);
                String wrong = check(id, fault, response, t, arrivals);
                if (wrong != null) {
                  misclassified.incrementAndGet();
                  if (problems.size() < 10) {
                    problems.add("#" + id + " " + fault + ": " + wrong + describe(t));
                  }
                }
                done.incrementAndGet();
                permits.release();
              });
          if (verbose && System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
            lastReport = System.nanoTime();
            System.out.printf(
                Locale.ROOT,
                "  %.0f s: %d done, %d misclassified, %d hangs, %d connections accepted%n",
                (lastReport - start) / 1e9,
                done.get(),
                misclassified.get(),
                hangs.get(),
                server.acceptedConnections());
          }
        }
        while (!pending.isEmpty()) {
          Thread.sleep(50);
          checkHangs(pending, hangNanos, hangs, problems, plan, permits);
        }
      } finally {
        for (Pending p : pending.values()) {
          if (p.future != null) {
            p.future.cancel(true);
          }
        }
        transport.close();
      }
      result.seconds = (System.nanoTime() - start) / 1e9;
      result.misclassified = misclassified.get();
      result.hangs = hangs.get();
      result.problems.addAll(problems);
      outcomes.forEach((f, m) -> result.outcomes.put(f, new TreeMap<>(m)));
      for (int id = 0; id < o.requests; id++) {
        if (server.arrivals(id) > 1) {
          result.resends++;
        }
      }

      // settle: GC and look again until nothing is left or the bound passes
      long settleStart = System.nanoTime();
      long settleEnd = settleStart + TimeUnit.MILLISECONDS.toNanos(o.settle);
      Snapshot after;
      int round = 0;
      while (true) {
        round++;
        after = Snapshot.take(server.port());
        System.out.println("after fds: " + new TreeMap<>(after.fds));
        compare(result, before, after, server);
        boolean clean =
            result.fds <= 0
                && result.threads <= 0
                && result.connectionsLeft == 0
                && result.serverConnectionsLeft == 0;
        if ((clean && round >= 2) || System.nanoTime() > settleEnd) {
          break;
        }
        if (verbose && round % 10 == 1) {
          System.out.printf(
              Locale.ROOT,
              "  settling, round %d: %+d fds, %+d threads, %d connections (server %d)%n",
              round,
              result.fds,
              result.threads,
              result.connectionsLeft,
              result.serverConnectionsLeft);
        }
        Thread.sleep(round < 5 ? 200 : 1_000);
      }
      result.settleSeconds = (System.nanoTime() - settleStart) / 1e9;
      if (verbose) {
        print(result);
      }
    }
    return result;
  }

  private static TransportConfig config(Options o) {
    return TransportConfig.builder()
        .provider(o.transport)
        .connectTimeout(Duration.ofMillis(o.connectTimeout))
        .responseTimeout(Duration.ofMillis(o.responseTimeout))
        .readTimeout(Duration.ofMillis(o.readTimeout))
        .build();
  }

  /** Each request's fault, from the seed: ~(1 - faultRate) normal answers, the rest faults. */
  static Fault[] plan(Options o) {
    Random random = new Random(o.seed);
    Fault[] plan = new Fault[o.requests];
    for (int i = 0; i < plan.length; i++) {
      if (random.nextDouble() < o.faultRate) {
        plan[i] = FAULTS[random.nextInt(FAULTS.length)];
      } else {
        int normal = random.nextInt(6);
        plan[i] = normal < 4 ? Fault.OK : normal == 4 ? Fault.OK_GZIP : Fault.OK_CHUNKED;
      }
    }
    return plan;
  }

  private static void checkHangs(
      Map<Integer, Pending> pending,
      long hangNanos,
      AtomicInteger hangs,
      List<String> problems,
      Fault[] plan,
      Semaphore permits) {
    long now = System.nanoTime();
    for (Map.Entry<Integer, Pending> e : pending.entrySet()) {
      if (now - e.getValue().start > hangNanos && pending.remove(e.getKey(), e.getValue())) {
        hangs.incrementAndGet();
        if (problems.size() < 10) {
          problems.add(
              "#"
                  + e.getKey()
                  + " "
                  + plan[e.getKey()]
                  + ": no outcome after "
                  + TimeUnit.NANOSECONDS.toMillis(hangNanos)
                  + " ms (hang)");
        }
        permits.release();
      }
    }
  }

  /** Null when the outcome is what the server's choice calls for, else what is wrong. */
  static String check(int id, Fault fault, Response response, Throwable t, int arrivals) {
    if (arrivals > 2) {
      return "the request reached the server " + arrivals + " times";
    }
    if (arrivals == 2 && !fault.mayBeResent()) {
      return "resent after " + fault + " (the server saw it twice)";
    }
    switch (fault) {
      case OK:
      case OK_GZIP:
      case OK_CHUNKED:
      case SLOW_BODY:
        return expectBody(id, fault, response, t);
      case CLOSE:
      case RESET:
      case RESET_MID_BODY:
        if (arrivals == 2) {
          return expectBody(id, fault, response, t); // resent on a new connection: answered
        }
        return expect(t, MalformedResponseException.class);
      case GARBAGE:
      case TRUNCATED:
        return expect(t, MalformedResponseException.class);
      case BODY_STALL:
        return expect(t, ReadTimeoutException.class);
      case HEAD_STALL:
        return expect(t, ResponseTimeoutException.class);
      case TOO_MANY_REQUESTS:
        {
          String wrong = expect(t, TooManyRequestsException.class);
          if (wrong != null) {
            return wrong;
          }
          Optional<Duration> retryAfter = ((TooManyRequestsException) t).retryAfter();
          return retryAfter.equals(Optional.of(Duration.ofSeconds(7)))
              ? null
              : "retryAfter() " + retryAfter + ", expected 7 s";
        }
      case UNAVAILABLE:
        {
          String wrong = expect(t, ServerErrorException.class);
          return wrong != null || ((HttpStatusException) t).status() == 503
              ? wrong
              : "status " + ((HttpStatusException) t).status();
        }
      case NOT_FOUND:
        return expect(t, NotFoundException.class);
      case REFUSED:
        {
          String wrong = expect(t, ConnectionException.class);
          if (wrong == null && t instanceof TlsException) {
            wrong = "expected a ConnectionException, got a TlsException";
          }
          if (wrong == null && ((TransportException) t).requestSent()) {
            wrong = "requestSent() is true for a refused connection";
          }
          return wrong;
        }
      default:
        throw new IllegalStateException(fault.toString());
    }
  }

  private static String expectBody(int id, Fault fault, Response response, Throwable t) {
    if (t != null) {
      return "expected 200 with the body, got " + t.getClass().getSimpleName();
    }
    if (response.status() != 200) {
      return "status " + response.status();
    }
    return Arrays.equals(response.bytes(), SoakServer.body(id, fault))
        ? null
        : "the body differs: " + response.text();
  }

  private static String expect(Throwable t, Class<? extends Throwable> type) {
    if (t == null) {
      return "expected " + type.getSimpleName() + ", got a response";
    }
    return type.isInstance(t)
        ? null
        : "expected " + type.getSimpleName() + ", got " + t.getClass().getSimpleName();
  }

  private static String outcome(Response response, Throwable t) {
    return t == null ? "" + response.status() : t.getClass().getSimpleName();
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "";
    }
    StringWriter text = new StringWriter();
    t.printStackTrace(new PrintWriter(text));
    String[] lines = text.toString().split("\n");
    // the exception and its causes, without the frames
    return "\n      "
        + Arrays.stream(lines)
            .filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t..."))
            .collect(Collectors.joining("\n      "));
  }

  private static void compare(Result result, Snapshot before, Snapshot after, SoakServer server) {
    result.fds = after.fds.size() - before.fds.size();
    result.newFds.clear();
    Map<String, Integer> newFds = new TreeMap<>();
    for (Map.Entry<String, String> fd : after.fds.entrySet()) {
      if (!fd.getValue().equals(before.fds.get(fd.getKey()))) {
        String target = fd.getValue();
        if (target.startsWith("socket:[")) {
          String inode = target.substring("socket:[".length(), target.length() - 1);
          target = "socket " + after.sockets.getOrDefault(inode, "(not in /proc/net/tcp)");
        }
        newFds.merge(target.replaceAll("\\[\\d+\\]", "[...]"), 1, Integer::sum);
      }
    }
    newFds.forEach((target, n) -> result.newFds.add(n + " x " + target));
    result.newThreads.clear();
    result.sharedThreads.clear();
    int threads = 0;
    for (Map.Entry<Long, String> t : after.threads.entrySet()) {
      if (before.threads.containsKey(t.getKey())) {
        continue;
      }
      String name = t.getValue();
      if (name.startsWith("soak-")) {
        continue; // the fault server's own
      }
      if (name.startsWith("ForkJoinPool.commonPool-worker")
          || name.equals("CompletableFutureDelayScheduler")
          || name.equals("switchboard-timer")) {
        // one per JVM, shared by every library (and by every Switchboard transport), not per
        // transport: listed, not counted
        result.sharedThreads.add(name);
        continue;
      }
      result.newThreads.add(name);
      threads++;
    }
    result.threads = threads; // a thread of the baseline that ended does not excuse a new one
    result.heapMb = (after.heapBytes - before.heapBytes) / 1e6;
    result.connectionStates.clear();
    result.connectionStates.putAll(after.clientConnections);
    result.connectionsLeft = after.clientConnections.values().stream().mapToInt(i -> i).sum();
    result.serverConnectionsLeft = server.openConnections();
  }

  private static void print(Result r) {
    System.out.println("outcomes per server choice:");
    for (Map.Entry<Fault, Map<String, Integer>> e : r.outcomes.entrySet()) {
      System.out.println("  " + e.getKey() + ": " + e.getValue());
    }
    if (!r.problems.isEmpty()) {
      System.out.println("first misclassified or hung requests:");
      r.problems.forEach(p -> System.out.println("  " + p));
    }
    System.out.println("new file descriptors: " + (r.newFds.isEmpty() ? "none" : r.newFds));
    System.out.println("new threads: " + (r.newThreads.isEmpty() ? "none" : r.newThreads));
    if (!r.sharedThreads.isEmpty()) {
      System.out.println("new JVM-shared threads (not counted): " + r.sharedThreads);
    }
    System.out.println(
        "client connections to the server left: "
            + (r.connectionStates.isEmpty() ? "none" : r.connectionStates)
            + "; the server's accepted and not closed: "
            + r.serverConnectionsLeft);
  }

  /**
   * Opens what the JDK opens once per JVM and keeps to its end, whoever asks first: the native
   * SecureRandom's /dev/random and /dev/urandom (a TLS context, which a transport may build even
   * for plain HTTP). Done before the baseline so that they are not counted as the transport's.
   */
  private static void warmJvmSingletons(int refusedPort) throws IOException {
    new java.security.SecureRandom().nextBytes(new byte[8]);
    try (Selector selector = Selector.open();
        SocketChannel channel = SocketChannel.open()) {
      channel.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), refusedPort));
    } catch (ConnectException expected) {
      // refused, as it should be
    }
  }

  /**
   * A socket bound to a port of 127.0.0.1 and not listening, held for the whole run: a connection
   * to its port is refused, and no client socket can be given that port as its own (a port that was
   * merely free could be: a connection from a port to itself connects, to itself).
   */
  private static Socket boundNotListening() throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    return s;
  }

  /** What the process holds at one moment, after a GC. */
  private static final class Snapshot {
    Map<String, String> fds;
    Map<Long, String> threads;
    long heapBytes;
    Map<String, Integer> clientConnections;

    /** TCP sockets by inode: where they go and their state (everything is on 127.0.0.1). */
    Map<String, String> sockets = new HashMap<>();

    static Snapshot take(int serverPort) throws IOException {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      Snapshot s = new Snapshot();
      s.heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      s.fds = fds();
      s.threads = new HashMap<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.isAlive()) {
          s.threads.put(t.getId(), t.getName());
        }
      }
      s.clientConnections = clientConnections(serverPort, s.sockets);
      return s;
    }

    private static Map<String, String> fds() throws IOException {
      Map<String, String> fds = new HashMap<>();
      Path dir = Paths.get("/proc/self/fd");
      if (!Files.isDirectory(dir)) {
        return fds;
      }
      try (Stream<Path> list = Files.list(dir)) {
        for (Path fd : (Iterable<Path>) list::iterator) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (!target.matches("/proc/\\d+/fd")) { // the listing's own descriptor
              fds.put(fd.getFileName().toString(), target);
            }
          } catch (IOException e) {
            // closed while listed (the listing's own descriptor)
          }
        }
      }
      return fds;
    }

    /**
     * The client's sockets to the server's port, by TCP state, from /proc/net/tcp and tcp6 (those
     * in TIME_WAIT hold nothing and are left out).
     */
    private static Map<String, Integer> clientConnections(
        int serverPort, Map<String, String> sockets) throws IOException {
      Map<String, Integer> states = new TreeMap<>();
      for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        Path path = Paths.get(file);
        if (!Files.exists(path)) {
          continue;
        }
        List<String> lines = Files.readAllLines(path);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
          String[] f = line.trim().split("\\s+");
          if (f.length < 4) {
            continue;
          }
          int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
          int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
          String state = TCP_STATES.getOrDefault(f[3], f[3]);
          if (f.length > 9) {
            // the client's sockets grouped by the port they go to (their own ports all differ)
            sockets.put(
                f[9],
                local == serverPort
                    ? "of the server (:" + local + ") " + state
                    : "to :" + remote + " " + state);
          }
          if (remote == serverPort && local != serverPort && !state.equals("TIME_WAIT")) {
            states.merge(state, 1, Integer::sum);
          }
        }
      }
      return states;
    }
  }

  private static final Map<String, String> TCP_STATES =
      Map.ofEntries(
          Map.entry("01", "ESTABLISHED"),
          Map.entry("02", "SYN_SENT"),
          Map.entry("03", "SYN_RECV"),
          Map.entry("04", "FIN_WAIT1"),
          Map.entry("05", "FIN_WAIT2"),
          Map.entry("06", "TIME_WAIT"),
          Map.entry("07", "CLOSE"),
          Map.entry("08", "CLOSE_WAIT"),
          Map.entry("09", "LAST_ACK"),
          Map.entry("0A", "LISTEN"),
          Map.entry("0B", "CLOSING"));
}
