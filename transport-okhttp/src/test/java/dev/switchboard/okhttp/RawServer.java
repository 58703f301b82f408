package dev.switchboard.okhttp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny HTTP/1.1 server on 127.0.0.1 whose every connection is handled by the test. */
final class RawServer implements AutoCloseable {
  interface Handler {
    void handle(Connection connection) throws IOException;
  }

  /** One accepted connection, with helpers to read requests and write answers. */
  final class Connection {
    final Socket socket;
    final int index;
    final InputStream in;
    final OutputStream out;

    Connection(Socket socket, int index) throws IOException {
      this.socket = socket;
      this.index = index;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** The next request on this connection, or {@code null} at end of stream. */
    RawRequest read() throws IOException {
      String line = readLine();
      if (line == null) {
        return null;
      }
      String[] parts = line.split(" ", 3);
      List<String[]> headers = new ArrayList<>();
      int length = 0;
      for (String h = readLine(); h != null && !h.isEmpty(); h = readLine()) {
        int colon = h.indexOf(':');
        String name = h.substring(0, colon);
        String value = h.substring(colon + 1).strip();
        headers.add(new String[] {name, value});
        if (name.equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(value);
        }
      }
      byte[] body = in.readNBytes(length);
      RawRequest r = new RawRequest(parts[0], parts[1], headers, body);
      requests.add(r);
      return r;
    }

    void write(String head, byte[] body) throws IOException {
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    void respond(int status, String extraHeaders, byte[] body) throws IOException {
      write(
          "HTTP/1.1 "
              + status
              + " X\r\nContent-Length: "
              + body.length
              + "\r\n"
              + extraHeaders
              + "\r\n",
          body);
    }

    private String readLine() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          byte[] bytes = b.toByteArray();
          int n =
              bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, n, StandardCharsets.UTF_8);
        }
        b.write(c);
      }
      return b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }
  }

  /** A request as the server saw it. */
  record RawRequest(String method, String target, List<String[]> headers, byte[] body) {
    String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(method + " " + target);
      headers.forEach(h -> sb.append("\n").append(h[0]).append(": ").append(h[1]));
      return sb.toString().toLowerCase(Locale.ROOT);
    }
  }

  final ServerSocket server;
  final AtomicInteger connections = new AtomicInteger();
  final List<RawRequest> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  RawServer(Handler handler) throws IOException {
    this(handler, 50);
  }

  RawServer(Handler handler, int backlog) throws IOException {
    server = new ServerSocket(0, backlog, InetAddress.getByName("127.0.0.1"));
    acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  sockets.add(s);
                  Connection c = new Connection(s, connections.getAndIncrement());
                  Thread t =
                      new Thread(
                          () -> {
                            try {
                              handler.handle(c);
                            } catch (IOException ignored) {
                              // the client went away
                            }
                          });
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
