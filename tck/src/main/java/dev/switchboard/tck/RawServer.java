package dev.switchboard.tck;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A small HTTP/1.1 server on raw sockets, for what WireMock cannot fake precisely: it records every
 * request exactly as it came off the wire (header names, order, request target) and counts
 * connections, requests in flight and connections the client closed. What it answers is up to a
 * {@link Handler}, which may also misbehave (never answer, dribble, reset, garbage).
 *
 * <p>One daemon thread per connection; binds {@code 127.0.0.1} on a free port.
 */
final class RawServer implements AutoCloseable {
  /** Answers one request on one connection. */
  @FunctionalInterface
  interface Handler {
    void handle(RawRequest request, Conn conn) throws Exception;
  }

  /** A recorded request. */
  record RawRequest(
      int connection,
      int indexOnConnection,
      String method,
      String target,
      String version,
      List<String[]> fields,
      byte[] body,
      boolean chunked) {

    /** The values of every field named {@code name} (any case), in order. */
    List<String> all(String name) {
      List<String> out = new ArrayList<>();
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase(name)) {
          out.add(f[1]);
        }
      }
      return out;
    }

    String header(String name) {
      List<String> all = all(name);
      return all.isEmpty() ? null : all.get(0);
    }

    List<String> names() {
      List<String> out = new ArrayList<>();
      for (String[] f : fields) {
        out.add(f[0]);
      }
      return out;
    }

    String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final ServerSocket server;
  private final Handler handler;
  private final Thread acceptor;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final List<Lifetime> lifetimes = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger closedByClient = new AtomicInteger();
  private final AtomicLong bytesWritten = new AtomicLong();
  private final List<RawRequest> requests = new CopyOnWriteArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicLong bodyBytesRead = new AtomicLong();
  private volatile boolean streamBodies;
  private volatile boolean closed;

  private RawServer(ServerSocket server, Handler handler) {
    this.server = server;
    this.handler = handler;
    this.acceptor = new Thread(this::acceptLoop, "tck-raw-server-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a plain server. */
  static RawServer start(Handler handler) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(Loopback.anyPort(), 200);
    return new RawServer(s, handler);
  }

  /**
   * Starts a plain server that does not read request bodies before the handler runs: the handler
   * reads the body as it arrives through {@link Conn#body()} (what it leaves unread is drained
   * after it), and {@link RawRequest#body()} is empty.
   */
  static RawServer startStreaming(Handler handler) throws IOException {
    RawServer s = start(handler);
    s.streamBodies = true;
    return s;
  }

  /** Request body bytes read so far through {@link Conn#body()}, on every connection. */
  long bodyBytesRead() {
    return bodyBytesRead.get();
  }

  /** Starts a TLS server presenting the key of {@code context}. */
  static RawServer startTls(SSLContext context, Handler handler) throws IOException {
    SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    s.bind(Loopback.anyPort(), 200);
    return new RawServer(s, handler);
  }

  int port() {
    return server.getLocalPort();
  }

  /** {@code http://127.0.0.1:port} + {@code pathAndQuery}. */
  URI uri(String pathAndQuery) {
    String scheme = server instanceof SSLServerSocket ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + port() + pathAndQuery);
  }

  int connections() {
    return connections.get();
  }

  int openConnections() {
    return open.get();
  }

  /**
   * The most connections that were open at once, counted at each accept. A connection the client
   * closed while it was idle, and whose close the server saw within {@link #CLOSE_SEEN_WITHIN} of
   * the accept, is not counted at that accept: the client may well have closed it before it opened
   * the new one (a pool trading an idle connection of one host for a new one to another), and the
   * server's reader thread simply had not run yet. A connection with a request in flight, or still
   * open after that window, is always counted.
   */
  int maxOpenConnections() {
    List<Lifetime> all = List.copyOf(lifetimes);
    int max = 0;
    for (Lifetime accepted : all) {
      long t = accepted.openedAt;
      int count = 0;
      for (Lifetime other : all) {
        if (other == accepted || (other.openedAt <= t && other.openAt(t))) {
          count++;
        }
      }
      max = Math.max(max, count);
    }
    return max;
  }

  /** How late a client's close of an idle connection may be seen and still count as earlier. */
  static final Duration CLOSE_SEEN_WITHIN = Duration.ofSeconds(1);

  /** When one connection was open, busy, and how it ended, as the server saw it. */
  private static final class Lifetime {
    final long openedAt = System.nanoTime();
    private final List<long[]> busy = new ArrayList<>();
    private long closedAt = Long.MAX_VALUE;
    private boolean closedByPeer;

    synchronized long[] startRequest() {
      long[] interval = {System.nanoTime(), Long.MAX_VALUE};
      busy.add(interval);
      return interval;
    }

    synchronized void endRequest(long[] interval) {
      interval[1] = System.nanoTime();
    }

    synchronized void closedByPeer() {
      closedByPeer = true;
    }

    synchronized void ended() {
      closedAt = Math.min(closedAt, System.nanoTime());
    }

    synchronized boolean openAt(long t) {
      if (closedAt <= t) {
        return false;
      }
      for (long[] b : busy) {
        if (b[0] <= t && t <= b[1]) {
          return true;
        }
      }
      return !(closedByPeer && closedAt - t <= CLOSE_SEEN_WITHIN.toNanos());
    }
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  int closedByClient() {
    return closedByClient.get();
  }

  long bytesWritten() {
    return bytesWritten.get();
  }

  List<RawRequest> requests() {
    return List.copyOf(requests);
  }

  int requestCount() {
    return requests.size();
  }

  RawRequest lastRequest() {
    List<RawRequest> r = requests();
    if (r.isEmpty()) {
      throw new AssertionError("the server received no request");
    }
    return r.get(r.size() - 1);
  }

  /** Waits until the client has closed at least {@code count} connections. */
  boolean awaitClosedByClient(int count, Duration within) throws InterruptedException {
    return Loopback.await(closedByClient::get, count, within, 10);
  }

  /** Waits until at least {@code count} requests arrived. */
  boolean awaitRequests(int count, Duration within) throws InterruptedException {
    return Loopback.await(requests::size, count, within, 5);
  }

  @Override
  public void close() {
    closed = true;
    Loopback.closeAll(server, sockets);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      int id = connections.incrementAndGet();
      sockets.add(s);
      open.incrementAndGet();
      Lifetime life = new Lifetime();
      lifetimes.add(life);
      Thread t = new Thread(() -> serve(s, id, life), "tck-raw-server-" + port() + "-conn-" + id);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket socket, int id, Lifetime life) {
    Conn conn = null;
    try {
      socket.setTcpNoDelay(true);
      conn = new Conn(socket, life);
      int index = 0;
      while (!closed && !conn.closedHere) {
        RawRequest req = readRequest(conn.in, id, index++, streamBodies);
        if (req == null) {
          conn.peerClosed();
          break;
        }
        requests.add(req);
        int flying = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(flying, Math::max);
        long[] busy = life.startRequest();
        if (streamBodies) {
          conn.body = new BodyIn(conn.in, req);
        }
        try {
          handler.handle(req, conn);
          if (conn.body != null && !conn.closedHere) {
            conn.body.transferTo(OutputStream.nullOutputStream()); // what the handler left
          }
        } finally {
          conn.body = null;
          life.endRequest(busy);
          inFlight.decrementAndGet();
        }
        conn.out.flush();
        if ("close".equalsIgnoreCase(req.header("Connection"))) {
          conn.close();
        }
      }
    } catch (SocketException e) {
      if (conn != null && !conn.closedHere && !closed) {
        conn.peerClosed();
      }
    } catch (Exception e) {
      // an ending connection; nothing to report
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
      sockets.remove(socket);
      life.ended();
      open.decrementAndGet();
    }
  }

  private static RawRequest readRequest(
      InputStream in, int connection, int index, boolean streamBodies) throws IOException {
    String line = readLine(in);
    while (line != null && line.isEmpty()) {
      line = readLine(in); // tolerate a stray CRLF between requests
    }
    if (line == null) {
      return null;
    }
    String[] parts = line.split(" ", 3);
    if (parts.length < 3) {
      throw new IOException("bad request line: " + line);
    }
    List<String[]> fields = new ArrayList<>();
    for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
      int colon = h.indexOf(':');
      fields.add(new String[] {h.substring(0, colon), h.substring(colon + 1).strip()});
    }
    long length = -1;
    boolean chunked = false;
    for (String[] f : fields) {
      if (f[0].equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(f[1].strip());
      } else if (f[0].equalsIgnoreCase("Transfer-Encoding")
          && f[1].toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    byte[] body;
    if (streamBodies) {
      body = new byte[0];
    } else if (chunked) {
      body = readChunked(in);
    } else if (length > 0) {
      body = in.readNBytes((int) length);
      if (body.length < length) {
        throw new IOException("request body cut short");
      }
    } else {
      body = new byte[0];
    }
    return new RawRequest(connection, index, parts[0], parts[1], parts[2], fields, body, chunked);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      if (size == null) {
        throw new IOException("chunked body cut short");
      }
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
      if (n == 0) {
        for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
          // trailers ignored
        }
        return out.toByteArray();
      }
      out.write(in.readNBytes(n));
      readLine(in);
    }
  }

  /** A line up to CRLF (or LF), in ISO-8859-1; {@code null} at end of stream before any byte. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    boolean any = false;
    while ((c = in.read()) >= 0) {
      any = true;
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
    return any ? sb.toString() : null;
  }

  /** A request body as it arrives, framed by Content-Length or chunked; counted. */
  private final class BodyIn extends InputStream {
    private final InputStream in;
    private final boolean chunked;
    private long left; // of the declared length, or of the current chunk
    private boolean ended;

    BodyIn(InputStream in, RawRequest req) {
      this.in = in;
      this.chunked = req.chunked();
      String cl = req.header("Content-Length");
      this.left = chunked || cl == null ? 0 : Long.parseLong(cl.strip());
      this.ended = !chunked && left == 0;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (ended) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (chunked && left == 0) {
        String size = readLine(in);
        if (size == null) {
          throw new IOException("chunked request body cut short");
        }
        int semi = size.indexOf(';');
        left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
        if (left == 0) {
          for (String t = readLine(in); t != null && !t.isEmpty(); t = readLine(in)) {
            // trailers ignored
          }
          ended = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new IOException("request body cut short");
      }
      left -= n;
      bodyBytesRead.addAndGet(n);
      if (left == 0) {
        if (chunked) {
          readLine(in); // the CRLF after the chunk
        } else {
          ended = true;
        }
      }
      return n;
    }
  }

  /** One accepted connection, as the handler sees it. */
  final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    volatile boolean closedHere;
    private volatile InputStream body;
    private boolean peerCounted;
    private final Lifetime life;

    Conn(Socket socket, Lifetime life) throws IOException {
      this.socket = socket;
      this.life = life;
      this.in = new BufferedInputStream(socket.getInputStream());
      OutputStream raw = socket.getOutputStream();
      this.out =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              raw.write(b);
              bytesWritten.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              raw.write(b, off, len);
              bytesWritten.addAndGet(len);
            }

            @Override
            public void flush() throws IOException {
              raw.flush();
            }
          };
    }

    /**
     * The current request's body as it arrives (servers from {@link #startStreaming} only): exactly
     * its bytes, then -1.
     */
    InputStream body() {
      if (body == null) {
        throw new IllegalStateException("not a streaming server");
      }
      return body;
    }

    synchronized void peerClosed() {
      life.closedByPeer();
      life.ended();
      if (!peerCounted && !closedHere) {
        peerCounted = true;
        closedByClient.incrementAndGet();
      }
    }

    /** Writes a complete response with Content-Length. */
    void respond(int status, byte[] body, String... headers) throws IOException {
      StringBuilder sb = statusLine(status, headers);
      sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    void respond(int status, String body, String... headers) throws IOException {
      respond(status, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Writes the status line and headers only (the caller adds framing headers it wants). */
    void head(int status, String... headers) throws IOException {
      StringBuilder sb = statusLine(status, headers);
      sb.append("\r\n");
      out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** Writes a chunked response of {@code chunks}. */
    void respondChunked(int status, List<byte[]> chunks, String... headers) throws IOException {
      StringBuilder sb = statusLine(status, headers);
      sb.append("Transfer-Encoding: chunked\r\n\r\n");
      out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      for (byte[] c : chunks) {
        out.write((Integer.toHexString(c.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(c);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    void writeRaw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /**
     * Reads and discards until the client closes the connection (or the server stops): a server
     * that never answers.
     */
    void holdUntilClientCloses() throws IOException {
      try {
        while (in.read() >= 0) {
          // discard
        }
        peerClosed();
      } catch (SocketException e) {
        if (!closed && !closedHere) {
          peerClosed();
        }
      }
      close();
    }

    /** Sleeps, then returns whether the client is still connected. */
    void pause(long millis) throws InterruptedException {
      Thread.sleep(millis);
    }

    /** Closes normally (FIN). */
    void close() {
      closedHere = true;
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }

    /** Closes with a TCP reset (RST). */
    void reset() {
      closedHere = true;
      try {
        socket.setSoLinger(true, 0);
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }

    /** Marks a write failure as the client having gone away. */
    void clientGone() {
      peerClosed();
      close();
    }

    private StringBuilder statusLine(int status, String... headers) {
      StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ');
      sb.append(reason(status)).append("\r\n");
      for (int i = 0; i + 1 < headers.length; i += 2) {
        sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      return sb;
    }
  }

  static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 204 -> "No Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 304 -> "Not Modified";
      case 307 -> "Temporary Redirect";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }
}
