package dev.switchboard.tck;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 forward proxy on raw sockets, to prove that a client goes through a proxy: it
 * records every request head it reads ({@link #seen()}) and counts the connections it accepted and
 * the ones it opened itself.
 *
 * <p>It goes to loopback only, and never resolves a name: the host of a {@code CONNECT} or of an
 * absolute-form target must be literally {@code 127.0.0.1}, {@code localhost} or {@code [::1]}
 * (anything else is answered {@code 403} and the connection closed, before any connection is
 * opened). What it does with a request head:
 *
 * <ul>
 *   <li>with a {@link Mode} other than {@link Mode#FORWARD}, misbehaves as the mode says, whatever
 *       the request;
 *   <li>when {@link #requireBasic credentials are required} and {@code Proxy-Authorization} is not
 *       exactly their {@code Basic} form, answers {@code 407} with {@code Proxy-Authenticate: Basic
 *       realm="switchboard-tck"} and {@code Content-Length: 0}, drops the request body (not of a
 *       {@code CONNECT}) and reads the next request on the same connection;
 *   <li>{@code CONNECT host:port}: connects (within 5 s; {@code 502} and close when it cannot),
 *       answers {@code 200 Connection established} and relays bytes both ways until either side
 *       closes, then closes both;
 *   <li>an absolute-form {@code http://} target: sends the request to the origin on a new
 *       connection, in origin form, without {@code Proxy-Authorization}, {@code Proxy-Connection},
 *       {@code Connection} and {@code Keep-Alive} and with {@code Connection: close}, relays the
 *       body exactly (a chunked one verbatim), then relays the origin's response with its {@code
 *       Connection} and {@code Keep-Alive} fields replaced by {@code Connection: close}, and closes
 *       the client's connection after it. The response body is relayed as framed (Content-Length,
 *       chunked, none for {@code HEAD}/204/304) or, unframed, until the origin closes;
 *   <li>an origin-form target ({@code GET /x}), another scheme or a request it cannot read: {@code
 *       400} and close.
 * </ul>
 *
 * <p>One daemon thread per connection (and one more per tunnel or forwarded request body); binds
 * {@code 127.0.0.1} on a free port. {@link #close()} stops accepting and closes every socket, on
 * both sides, and returns without waiting for the threads.
 */
final class LoopbackProxy implements AutoCloseable {
  /** How the proxy answers a request head. */
  enum Mode {
    /** As a proxy should (the default). */
    FORWARD,
    /** Records the head, then closes the connection without answering. */
    CLOSE_ON_REQUEST,
    /** Records the head and never answers; the connection stays open until {@link #close()}. */
    STALL,
    /** Answers {@code this is not http\r\n\r\n} and closes. */
    GARBAGE
  }

  /**
   * A request head the proxy read. {@code proxyAuthorization} is {@code null} when absent; {@code
   * status} is what the proxy answered: 407, 200 for a tunnel, the origin's status for a forwarded
   * request, 400/403/502 for a refusal, 0 when it did not answer (yet, or at all).
   */
  record Seen(
      int connection, String method, String target, String proxyAuthorization, int status) {}

  static final String REALM = "switchboard-tck";
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_LINE = 8 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final byte[] GARBAGE = "this is not http\r\n\r\n".getBytes(StandardCharsets.UTF_8);

  private final ServerSocket server;
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger upstream = new AtomicInteger();
  private final List<Entry> entries = new ArrayList<>(); // guarded by itself
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile String expectedAuthorization;
  private volatile Mode mode = Mode.FORWARD;
  private volatile boolean closed;

  private LoopbackProxy(ServerSocket server) {
    this.server = server;
    Thread acceptor = new Thread(this::acceptLoop, "tck-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy that forwards, asking for no credentials. */
  static LoopbackProxy start() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(Loopback.anyPort(), 200);
    return new LoopbackProxy(s);
  }

  /** Starts a proxy that forwards only requests carrying these credentials. */
  static LoopbackProxy startRequiringBasic(String user, String password) throws IOException {
    return start().requireBasic(user, password);
  }

  /**
   * From now on, answers 407 to a request whose {@code Proxy-Authorization} is not exactly {@code
   * Basic base64(user:password)} (UTF-8).
   */
  LoopbackProxy requireBasic(String user, String password) {
    String pair = user + ":" + password;
    expectedAuthorization =
        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** From now on, asks for no credentials. */
  LoopbackProxy requireNothing() {
    expectedAuthorization = null;
    return this;
  }

  /** From now on, answers request heads as {@code mode} says. */
  LoopbackProxy mode(Mode mode) {
    this.mode = mode;
    return this;
  }

  int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:port}. */
  String authority() {
    return "127.0.0.1:" + port();
  }

  /** {@code 127.0.0.1:port}, by address. */
  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), port());
  }

  /** The request heads read since start or {@link #reset()}, in the order they were read. */
  List<Seen> seen() {
    synchronized (entries) {
      List<Seen> out = new ArrayList<>(entries.size());
      for (Entry e : entries) {
        out.add(e.seen());
      }
      return out;
    }
  }

  /** Connections accepted since start or {@link #reset()}. */
  int connections() {
    return connections.get();
  }

  /**
   * Connections the proxy opened (or tried to open) to a tunnel's target or an origin since start
   * or {@link #reset()}.
   */
  int upstreamConnections() {
    return upstream.get();
  }

  /**
   * Forgets what was seen and counted. Connection numbers in {@link Seen} keep counting up, so a
   * connection still open across a reset is not confused with a new one.
   */
  void reset() {
    synchronized (entries) {
      entries.clear();
      connections.set(0);
      upstream.set(0);
    }
  }

  /** Waits until at least {@code count} request heads were read. */
  boolean awaitSeen(int count, Duration within) throws InterruptedException {
    return Loopback.await(
        () -> {
          synchronized (entries) {
            return entries.size();
          }
        },
        count,
        within,
        5);
  }

  @Override
  public void close() {
    closed = true;
    Loopback.closeAll(server, sockets);
  }

  /** A recorded head whose status is set once the proxy answers. */
  private static final class Entry {
    final int connection;
    final String method;
    final String target;
    final String proxyAuthorization;
    volatile int status;

    Entry(int connection, String method, String target, String proxyAuthorization) {
      this.connection = connection;
      this.method = method;
      this.target = target;
      this.proxyAuthorization = proxyAuthorization;
    }

    Seen seen() {
      return new Seen(connection, method, target, proxyAuthorization, status);
    }
  }

  /** A request or response head: its first line and its fields, in order. */
  private record Head(String line, List<String[]> fields) {
    String first(String name) {
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase(name)) {
          return f[1];
        }
      }
      return null;
    }

    boolean chunked() {
      String te = null;
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase("Transfer-Encoding")) {
          te = f[1];
        }
      }
      if (te == null) {
        return false;
      }
      String[] codings = te.split(",");
      return codings[codings.length - 1].strip().equalsIgnoreCase("chunked");
    }

    boolean hasTransferEncoding() {
      return first("Transfer-Encoding") != null;
    }

    /** The Content-Length, -1 when absent; throws on a malformed one. */
    long contentLength() throws IOException {
      String cl = first("Content-Length");
      if (cl == null) {
        return -1;
      }
      try {
        long n = Long.parseLong(cl.strip());
        if (n < 0) {
          throw new IOException("negative Content-Length: " + cl);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length: " + cl, e);
      }
    }
  }

  /** Where a request goes: a literal loopback host and a port. */
  private record Target(String host, int port, String originForm) {}

  /** A request head that could not be read or parsed. */
  private static final class BadRequest extends IOException {
    BadRequest(String message) {
      super(message);
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      int id = ids.incrementAndGet();
      connections.incrementAndGet();
      if (!track(s)) {
        return;
      }
      Thread t = new Thread(() -> serve(s, id), "tck-proxy-" + port() + "-conn-" + id);
      t.setDaemon(true);
      t.start();
    }
  }

  /** Adds {@code s} to what close() closes; closes it at once if close() already ran. */
  private boolean track(Socket s) {
    sockets.add(s);
    if (closed) {
      quietClose(s);
      return false;
    }
    return true;
  }

  private void serve(Socket client, int id) {
    try {
      client.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (!closed) {
        Head head;
        try {
          head = readHead(in);
        } catch (BadRequest e) {
          answerAndClose(client, null, 400, "Bad Request");
          return;
        }
        if (head == null) {
          return; // the client closed between requests
        }
        String[] parts = head.line().split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
          answerAndClose(client, null, 400, "Bad Request");
          return;
        }
        String method = parts[0];
        String target = parts[1];
        Entry entry = new Entry(id, method, target, head.first("Proxy-Authorization"));
        synchronized (entries) {
          entries.add(entry);
        }
        Mode m = mode;
        if (m == Mode.CLOSE_ON_REQUEST) {
          return;
        } else if (m == Mode.STALL) {
          in.transferTo(OutputStream.nullOutputStream()); // until the client or close() ends it
          return;
        } else if (m == Mode.GARBAGE) {
          out.write(GARBAGE);
          out.flush();
          client.shutdownOutput();
          return;
        }
        boolean connect = method.equals("CONNECT");
        String expected = expectedAuthorization;
        if (expected != null && !expected.equals(entry.proxyAuthorization)) {
          if (!connect) {
            discardBody(in, head);
          }
          entry.status = 407;
          out.write(
              ("HTTP/1.1 407 Proxy Authentication Required\r\n"
                      + "Proxy-Authenticate: Basic realm=\""
                      + REALM
                      + "\"\r\n"
                      + "Content-Length: 0\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          continue;
        }
        if (connect) {
          tunnel(client, in, out, id, entry, target);
        } else {
          forward(client, in, out, id, entry, method, parts[2], head);
        }
        return;
      }
    } catch (IOException e) {
      // a connection ending, by either side or by close()
    } finally {
      quietClose(client);
      sockets.remove(client);
    }
  }

  private void tunnel(
      Socket client, InputStream in, OutputStream out, int id, Entry entry, String target)
      throws IOException {
    Target t = connectTarget(target);
    if (t == null) {
      answerAndClose(client, entry, 400, "Bad Request");
      return;
    }
    if (!isLoopback(t.host())) {
      answerAndClose(client, entry, 403, "Forbidden");
      return;
    }
    Socket remote = openUpstream(t);
    if (remote == null) {
      answerAndClose(client, entry, 502, "Bad Gateway");
      return;
    }
    try {
      entry.status = 200;
      out.write(
          "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream remoteIn = remote.getInputStream();
      OutputStream remoteOut = remote.getOutputStream();
      Thread back =
          new Thread(
              () -> {
                relay(remoteIn, out);
                quietClose(client);
                quietClose(remote);
              },
              "tck-proxy-" + port() + "-tunnel-" + id);
      back.setDaemon(true);
      back.start();
      relay(in, remoteOut); // bytes the client sent right after the head are in `in` already
    } finally {
      quietClose(client);
      quietClose(remote);
      sockets.remove(remote);
    }
  }

  private void forward(
      Socket client,
      InputStream in,
      OutputStream out,
      int id,
      Entry entry,
      String method,
      String version,
      Head head)
      throws IOException {
    if (!scheme(entry.target).equals("http://")) {
      answerAndClose(client, entry, 400, "Bad Request");
      return;
    }
    Target t = absoluteTarget(entry.target);
    if (t == null) {
      answerAndClose(client, entry, 400, "Bad Request");
      return;
    }
    if (!isLoopback(t.host())) {
      answerAndClose(client, entry, 403, "Forbidden");
      return;
    }
    boolean chunked = head.chunked();
    long length = head.contentLength();
    if (head.hasTransferEncoding() && !chunked) {
      answerAndClose(client, entry, 400, "Bad Request"); // a body with no end the proxy can find
      return;
    }
    Socket origin = openUpstream(t);
    if (origin == null) {
      answerAndClose(client, entry, 502, "Bad Gateway");
      return;
    }
    Thread body = null;
    try {
      StringBuilder sb = new StringBuilder();
      sb.append(method).append(' ').append(t.originForm()).append(' ').append(version);
      sb.append("\r\n");
      boolean host = false;
      for (String[] f : head.fields()) {
        String name = f[0].toLowerCase(Locale.ROOT);
        switch (name) {
          case "proxy-authorization", "proxy-connection", "connection", "keep-alive" -> {}
          default -> {
            host |= name.equals("host");
            sb.append(f[0]).append(": ").append(f[1]).append("\r\n");
          }
        }
      }
      if (!host) {
        sb.append("Host: ").append(hostField(t)).append("\r\n");
      }
      sb.append("Connection: close\r\n\r\n");
      OutputStream originOut = origin.getOutputStream();
      originOut.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      originOut.flush();
      if (chunked || length > 0) {
        // The body goes on its own thread: an origin may answer before it has read it all, and a
        // client expecting 100-continue sends it only after the origin's interim answer.
        body =
            new Thread(
                () -> {
                  try {
                    if (chunked) {
                      copyChunked(in, originOut);
                    } else {
                      copyExactly(in, originOut, length);
                    }
                    originOut.flush();
                  } catch (IOException e) {
                    quietClose(origin); // a body cut short cannot be finished
                  }
                },
                "tck-proxy-" + port() + "-body-" + id);
        body.setDaemon(true);
        body.start();
      }
      InputStream originIn = new BufferedInputStream(origin.getInputStream());
      Head response;
      int status;
      while (true) {
        try {
          response = readHead(originIn);
        } catch (BadRequest e) {
          response = null;
        }
        status = response == null ? -1 : statusOf(response.line());
        if (status < 0) {
          answerAndClose(client, entry, 502, "Bad Gateway");
          return;
        }
        if (status >= 200 || status == 101) {
          break;
        }
        out.write(headBytes(response.line(), response.fields(), false)); // interim, as it came
        out.flush();
      }
      entry.status = status;
      out.write(headBytes(response.line(), response.fields(), true));
      out.flush();
      if (method.equals("HEAD") || status == 204 || status == 304) {
        // no body
      } else if (response.chunked()) {
        copyChunked(originIn, out);
      } else if (response.contentLength() >= 0 && !response.hasTransferEncoding()) {
        copyExactly(originIn, out, response.contentLength());
      } else {
        originIn.transferTo(out);
      }
      out.flush();
      client.shutdownOutput();
      if (body != null) {
        body.join(1_000); // lets the rest of the body arrive, so closing does not reset
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      quietClose(origin);
      sockets.remove(origin);
    }
  }

  /** Opens a connection to a loopback target by address, or returns null when it cannot. */
  private Socket openUpstream(Target t) {
    upstream.incrementAndGet();
    Socket s = new Socket();
    if (!track(s)) {
      return null;
    }
    try {
      s.connect(new InetSocketAddress(loopbackAddress(t.host()), t.port()), CONNECT_TIMEOUT_MILLIS);
      s.setTcpNoDelay(true);
      return s;
    } catch (IOException e) {
      quietClose(s);
      sockets.remove(s);
      return null;
    }
  }

  /** The first seven characters of {@code target}, in lower case: {@code http://} or not. */
  private static String scheme(String target) {
    return target.length() >= 7 ? target.substring(0, 7).toLowerCase(Locale.ROOT) : target;
  }

  /** The host and port of a CONNECT target ({@code host:port}), or null when malformed. */
  private static Target connectTarget(String target) {
    return hostAndPort(target, -1, "");
  }

  /** The host, port and origin form of an {@code http://} target, or null when malformed. */
  private static Target absoluteTarget(String target) {
    String rest = target.substring("http://".length());
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String path = rest.substring(end);
    int hash = path.indexOf('#');
    if (hash >= 0) {
      path = path.substring(0, hash);
    }
    if (path.isEmpty() || path.charAt(0) == '?') {
      path = "/" + path;
    }
    return hostAndPort(rest.substring(0, end), 80, path);
  }

  /**
   * Splits an authority into a host, as written, and a port; null when malformed. An authority with
   * user information is returned whole as the host, so it is never taken for loopback.
   */
  private static Target hostAndPort(String authority, int defaultPort, String originForm) {
    if (authority.isEmpty()) {
      return null;
    }
    String host;
    String port;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = authority.substring(0, close + 1);
      String after = authority.substring(close + 1);
      if (after.isEmpty()) {
        port = null;
      } else if (after.startsWith(":")) {
        port = after.substring(1);
      } else {
        return null;
      }
    } else {
      int colon = authority.lastIndexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? null : authority.substring(colon + 1);
    }
    int p;
    if (port == null || port.isEmpty()) {
      if (defaultPort < 0) {
        return null;
      }
      p = defaultPort;
    } else {
      if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return null;
      }
    }
    return host.isEmpty() ? null : new Target(host, p, originForm);
  }

  /** Whether {@code host}, as written, names loopback; nothing is resolved. */
  private static boolean isLoopback(String host) {
    return host.equals("127.0.0.1") || host.equalsIgnoreCase("localhost") || host.equals("[::1]");
  }

  private static InetAddress loopbackAddress(String host) throws IOException {
    if (host.equals("[::1]")) {
      byte[] a = new byte[16];
      a[15] = 1;
      return InetAddress.getByAddress(a);
    }
    return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
  }

  private static String hostField(Target t) {
    return t.port() == 80 ? t.host() : t.host() + ":" + t.port();
  }

  /** The status of a response line, or -1 when it is not one. */
  private static int statusOf(String line) {
    String[] parts = line.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/") || parts[1].length() != 3) {
      return -1;
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A head as bytes; when {@code close}, without Connection/Keep-Alive and with Connection: close.
   */
  private static byte[] headBytes(String line, List<String[]> fields, boolean close) {
    StringBuilder sb = new StringBuilder(line).append("\r\n");
    for (String[] f : fields) {
      if (close
          && (f[0].equalsIgnoreCase("Connection")
              || f[0].equalsIgnoreCase("Keep-Alive")
              || f[0].equalsIgnoreCase("Proxy-Connection"))) {
        continue;
      }
      sb.append(f[0]).append(": ").append(f[1]).append("\r\n");
    }
    if (close) {
      sb.append("Connection: close\r\n");
    }
    return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Reads and drops a request's body (not of a CONNECT), to read the next request after it. */
  private static void discardBody(InputStream in, Head head) throws IOException {
    if (head.chunked()) {
      copyChunked(in, OutputStream.nullOutputStream());
    } else if (head.hasTransferEncoding()) {
      throw new BadRequest("a body with no end");
    } else {
      long n = head.contentLength();
      if (n > 0) {
        in.skipNBytes(n);
      }
    }
  }

  private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buf = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new IOException("body cut short");
      }
      out.write(buf, 0, r);
      left -= r;
    }
  }

  /** Copies a chunked body as it is framed, chunk sizes, extensions and trailers included. */
  private static void copyChunked(InputStream in, OutputStream out) throws IOException {
    while (true) {
      String size = readLine(in, MAX_LINE);
      if (size == null) {
        throw new IOException("chunked body cut short");
      }
      out.write((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      int semi = size.indexOf(';');
      long n;
      try {
        n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + size, e);
      }
      if (n < 0) {
        throw new IOException("bad chunk size: " + size);
      }
      if (n == 0) {
        for (String t = readLine(in, MAX_LINE); ; t = readLine(in, MAX_LINE)) {
          if (t == null) {
            throw new IOException("chunked body cut short");
          }
          out.write((t + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          if (t.isEmpty()) {
            out.flush();
            return;
          }
        }
      }
      copyExactly(in, out, n);
      String end = readLine(in, MAX_LINE);
      if (end == null || !end.isEmpty()) {
        throw new IOException("no line end after a chunk");
      }
      out.write('\r');
      out.write('\n');
      out.flush();
    }
  }

  /** Copies until the end of {@code in} or a failure on either side. */
  private static void relay(InputStream in, OutputStream out) {
    byte[] buf = new byte[16 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    }
  }

  /**
   * Reads a head of at most 64 KiB: its first line and fields (a line starting with a space or tab
   * continues the field before it). Empty lines before the first are skipped. Returns null at end
   * of stream before any byte of a line.
   */
  private static Head readHead(InputStream in) throws IOException {
    int[] budget = {MAX_HEAD};
    String line;
    do {
      line = readLine(in, budget);
      if (line == null) {
        return null;
      }
    } while (line.isEmpty());
    List<String[]> fields = new ArrayList<>();
    while (true) {
      String f = readLine(in, budget);
      if (f == null) {
        throw new BadRequest("head cut short");
      }
      if (f.isEmpty()) {
        return new Head(line, fields);
      }
      if ((f.charAt(0) == ' ' || f.charAt(0) == '\t') && !fields.isEmpty()) {
        String[] last = fields.get(fields.size() - 1);
        last[1] = (last[1] + " " + f.strip()).strip();
        continue;
      }
      int colon = f.indexOf(':');
      if (colon <= 0) {
        throw new BadRequest("bad header field: " + f);
      }
      fields.add(new String[] {f.substring(0, colon).strip(), f.substring(colon + 1).strip()});
    }
  }

  private static String readLine(InputStream in, int max) throws IOException {
    return readLine(in, new int[] {max});
  }

  /**
   * A line up to CRLF (or a bare LF), in ISO-8859-1, taking its bytes from {@code budget[0]}; null
   * at end of stream before any byte. Throws when the budget runs out or the stream ends within.
   */
  private static String readLine(InputStream in, int[] budget) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (--budget[0] < 0) {
        throw new BadRequest("head or line too long");
      }
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
    if (sb.length() == 0) {
      return null;
    }
    throw new BadRequest("line cut short");
  }

  /** Answers {@code status} with no body (when {@code entry}, records it), then closes. */
  private void answerAndClose(Socket client, Entry entry, int status, String reason) {
    if (entry != null) {
      entry.status = status;
    }
    try {
      OutputStream out = client.getOutputStream();
      out.write(
          ("HTTP/1.1 "
                  + status
                  + " "
                  + reason
                  + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      client.shutdownOutput();
    } catch (IOException e) {
      // the client went away first
    }
    quietClose(client);
  }

  private static void quietClose(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
