package dev.switchboard.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * The soak's fault server: raw sockets on 127.0.0.1, one thread per connection (named {@code
 * soak-server-*}, ended with its connection), keep-alive, so the client's pooled connections are
 * reused. Each request names its id and what to do in its path, {@code /soak/<id>/<fault>}; the
 * server does that fault only the first time it sees an id, and answers a second arrival of the
 * same id (a resend) normally. It counts arrivals per id and the connections it accepted and has
 * not closed yet.
 */
final class SoakServer implements AutoCloseable {
  private static final byte[] CRLF = {'\r', '\n'};

  private final ServerSocket listener;
  private final Thread acceptor;
  private final AtomicIntegerArray arrivals;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong threadIds = new AtomicLong();
  private final long stallMillis;
  private final long slowPauseMillis;
  private volatile boolean closed;

  /**
   * @param requests the number of ids ({@code 0..requests-1})
   * @param stallMillis how long a stall lasts (longer than the client's response and read timeouts)
   * @param slowPauseMillis each pause of a slow body (shorter than the client's read timeout)
   */
  SoakServer(int requests, long stallMillis, long slowPauseMillis) throws IOException {
    this.arrivals = new AtomicIntegerArray(requests);
    this.stallMillis = stallMillis;
    this.slowPauseMillis = slowPauseMillis;
    listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1024);
    acceptor = new Thread(this::acceptLoop, "soak-server-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** How many times the request with this id reached the server. */
  int arrivals(int id) {
    return arrivals.get(id);
  }

  /** Connections accepted and not closed yet. */
  int openConnections() {
    return open.size();
  }

  /** Connections accepted in all. */
  int acceptedConnections() {
    return accepted.get();
  }

  /** The JSON body the server sends for this request (before any gzip encoding). */
  static byte[] body(int id, Soak.Fault fault) {
    StringBuilder json = new StringBuilder(200);
    json.append("{\"id\":")
        .append(id)
        .append(",\"fault\":\"")
        .append(fault)
        .append("\",\"items\":[");
    for (int i = 0; i < 4 + id % 5; i++) {
      json.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append(",\"name\":\"item-");
      json.append(id).append('-').append(i).append("\"}");
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("soak server: accept failed: " + e);
        }
        return;
      }
      accepted.incrementAndGet();
      open.add(socket);
      Thread t = new Thread(() -> serve(socket), "soak-server-conn-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket socket) {
    try {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        String target = readRequest(in);
        if (target == null) {
          return; // the client closed the connection
        }
        if (!answer(socket, in, out, target)) {
          return;
        }
      }
    } catch (IOException e) {
      // the client reset or aborted the connection: nothing to do but close it
    } finally {
      closeQuietly(socket);
    }
  }

  /** Reads one request head (and skips its body); returns the request target, or null at EOF. */
  private static String readRequest(InputStream in) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null) {
      return null;
    }
    long contentLength = 0;
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
        contentLength = Long.parseLong(line.substring(colon + 1).trim());
      }
    }
    for (long skipped = 0; skipped < contentLength; skipped++) {
      if (in.read() < 0) {
        return null;
      }
    }
    String[] parts = requestLine.split(" ");
    return parts.length >= 2 ? parts[1] : "";
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(64);
    for (int c = in.read(); ; c = in.read()) {
      if (c < 0) {
        return line.length() == 0 ? null : line.toString();
      }
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) c);
    }
  }

  /** Answers one request; returns whether the connection stays open for the next. */
  private boolean answer(Socket socket, InputStream in, OutputStream out, String target)
      throws IOException {
    // /soak/<id>/<fault>
    String[] parts = target.split("/");
    if (parts.length != 4 || !parts[1].equals("soak")) {
      write(out, head(400, "Bad Request", "Content-Length: 0"));
      return true;
    }
    int id = Integer.parseInt(parts[2]);
    Soak.Fault fault = Soak.Fault.valueOf(parts[3]);
    boolean first = arrivals.incrementAndGet(id) == 1;
    byte[] body = body(id, fault);
    if (!first || !fault.isFault()) {
      if (fault == Soak.Fault.OK_GZIP) {
        byte[] gzipped = gzip(body);
        write(
            out,
            head(200, "OK", "Content-Type: application/json", "Content-Encoding: gzip")
                .contentLength(gzipped.length),
            gzipped);
      } else if (fault == Soak.Fault.OK_CHUNKED) {
        int half = body.length / 2;
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        chunk(chunked, body, 0, half);
        chunk(chunked, body, half, body.length - half);
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        write(
            out,
            head(200, "OK", "Content-Type: application/json", "Transfer-Encoding: chunked"),
            chunked.toByteArray());
      } else {
        write(out, json(200, "OK", body), body);
      }
      return true;
    }
    switch (fault) {
      case CLOSE:
        return false;
      case RESET:
        reset(socket);
        return false;
      case RESET_MID_BODY:
        write(out, json(200, "OK", body), slice(body, 0, body.length / 2));
        sleep(20);
        reset(socket);
        return false;
      case GARBAGE:
        write(
            out,
            "SOAK GARBAGE ///\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.UTF_8));
        return false;
      case TRUNCATED:
        write(out, json(200, "OK", body), slice(body, 0, body.length / 2));
        socket.shutdownOutput();
        return false;
      case BODY_STALL:
        write(out, json(200, "OK", body), slice(body, 0, body.length / 3));
        stall(socket, in);
        return false;
      case HEAD_STALL:
        stall(socket, in);
        return false;
      case SLOW_BODY:
        write(out, json(200, "OK", body));
        int step = (body.length + 3) / 4;
        for (int from = 0; from < body.length; from += step) {
          sleep(slowPauseMillis);
          write(out, slice(body, from, Math.min(step, body.length - from)));
        }
        return true;
      case TOO_MANY_REQUESTS:
        write(out, json(429, "Too Many Requests", body).header("Retry-After: 7"), body);
        return true;
      case UNAVAILABLE:
        write(out, json(503, "Service Unavailable", body), body);
        return true;
      case NOT_FOUND:
        write(out, json(404, "Not Found", body), body);
        return true;
      default:
        throw new IllegalStateException("the server cannot do " + fault);
    }
  }

  private static Head json(int status, String reason, byte[] body) {
    return head(status, reason, "Content-Type: application/json").contentLength(body.length);
  }

  private static Head head(int status, String reason, String... headers) {
    Head head = new Head("HTTP/1.1 " + status + " " + reason);
    for (String h : headers) {
      head.header(h);
    }
    return head;
  }

  /** A response head under construction. */
  private static final class Head {
    private final StringBuilder text;

    Head(String statusLine) {
      text = new StringBuilder(statusLine).append("\r\n");
    }

    Head header(String line) {
      text.append(line).append("\r\n");
      return this;
    }

    Head contentLength(int length) {
      return header("Content-Length: " + length);
    }

    byte[] bytes() {
      return (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
  }

  private static void write(OutputStream out, Head head, byte[] body) throws IOException {
    byte[] h = head.bytes();
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    write(out, all);
  }

  private static void write(OutputStream out, Head head) throws IOException {
    write(out, head.bytes());
  }

  private static void write(OutputStream out, byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  private static void chunk(ByteArrayOutputStream out, byte[] data, int from, int length) {
    out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(data, from, length);
    out.writeBytes(CRLF);
  }

  private static byte[] slice(byte[] data, int from, int length) {
    byte[] part = new byte[length];
    System.arraycopy(data, from, part, 0, length);
    return part;
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(data);
    }
    return bytes.toByteArray();
  }

  /** Closes with SO_LINGER 0: the peer gets a RST, not a FIN. */
  private void reset(Socket socket) throws SocketException {
    socket.setSoLinger(true, 0);
    closeQuietly(socket);
  }

  /**
   * Stays silent for the stall's length, or until the client closes the connection (it gave up: its
   * timeout passed), so that the server's count of open connections follows the client's.
   */
  private void stall(Socket socket, InputStream in) throws IOException {
    long end = System.nanoTime() + stallMillis * 1_000_000;
    try {
      for (long left = stallMillis; left > 0; left = (end - System.nanoTime()) / 1_000_000) {
        socket.setSoTimeout((int) Math.max(1, left));
        if (in.read() < 0) {
          return; // the client closed its end
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      // the stall's whole length passed
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    open.remove(socket);
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
