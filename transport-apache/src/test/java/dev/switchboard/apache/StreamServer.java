package dev.switchboard.apache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server on 127.0.0.1 for streaming tests: it reads request bodies framed either way
 * ({@code Content-Length} or chunked, which it records), and lets the test write the response
 * itself, as slowly or as largely as it likes, on the connection's own blocking socket.
 */
final class StreamServer implements AutoCloseable {
  /** A request as it came: its head, its body (de-chunked) and how it was framed. */
  record Received(String head, byte[] body, boolean chunked) {
    String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    /** The value of header {@code name} (case-insensitive), or null. */
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }
  }

  /** Writes the response to a request; returns false to close the connection afterwards. */
  interface Handler {
    boolean handle(Received request, Socket socket, OutputStream out) throws IOException;
  }

  final List<Received> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  private final ServerSocket socket;
  private final Handler handler;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  StreamServer(Handler handler) throws IOException {
    this.handler = handler;
    this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptLoop, "stream-server-accept");
    t.setDaemon(true);
    t.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + socket.getLocalPort() + path;
  }

  /** A response head with {@code Content-Length}, ready to write. */
  static byte[] head(int status, long length) {
    return ("HTTP/1.1 " + status + " X\r\nContent-Length: " + length + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The byte at {@code position} of the bodies the tests send and expect: a known pattern. */
  static byte patternAt(long position) {
    return (byte) (position * 31 + (position >>> 13));
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        int id = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "stream-server-conn-" + id);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        boolean chunked = false;
        byte[] body;
        String te = headerOf(head, "Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
          body = readChunked(in);
        } else {
          String cl = headerOf(head, "Content-Length");
          body = in.readNBytes(cl == null ? 0 : Integer.parseInt(cl));
        }
        Received r = new Received(head, body, chunked);
        requests.add(r);
        if (!handler.handle(r, s, out)) {
          return;
        }
        out.flush();
      }
    } catch (Exception e) {
      // the client went away, or sent a body cut short
    }
  }

  private static String headerOf(String head, String name) {
    return new Received(head, null, false).header(name);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
      if (n == 0) {
        while (!readLine(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(n);
      if (chunk.length < n) {
        throw new IOException("chunk cut short");
      }
      body.write(chunk);
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("connection closed in a chunked body");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    int matched = 0;
    while ((c = in.read()) != -1) {
      b.write(c);
      matched =
          (c == '\r' && (matched == 0 || matched == 2))
                  || (c == '\n' && (matched == 1 || matched == 3))
              ? matched + 1
              : (c == '\r' ? 1 : 0);
      if (matched == 4) {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 2);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
