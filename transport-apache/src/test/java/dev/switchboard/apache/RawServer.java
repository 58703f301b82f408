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

/** A tiny HTTP/1.1 server on 127.0.0.1 that records every request head and body byte for byte. */
final class RawServer implements AutoCloseable {
  /** An answer that sends nothing and waits until the client closes the connection. */
  static final byte[] HOLD = new byte[0];

  /**
   * What the test answers: raw bytes written back, {@code null} to close at once, or {@link #HOLD}.
   */
  interface Answer {
    byte[] answer(Received request) throws Exception;
  }

  record Received(String head, byte[] body, int connection) {
    String requestLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    /** Header lines, as sent, without the request line. */
    List<String> headerLines() {
      return List.of(head.substring(head.indexOf("\r\n") + 2).split("\r\n"));
    }
  }

  final List<Received> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger closedByClient = new AtomicInteger();
  private final ServerSocket socket;
  private final Answer answer;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  RawServer(Answer answer) throws IOException {
    this.answer = answer;
    this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptLoop, "raw-server-accept");
    t.setDaemon(true);
    t.start();
  }

  static byte[] ok(String body) {
    return ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  String url(String path) {
    return "http://127.0.0.1:" + socket.getLocalPort() + path;
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        int id = connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s, id), "raw-server-conn-" + id);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s, int id) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        byte[] body = in.readNBytes(contentLength(head));
        Received r = new Received(head, body, id);
        requests.add(r);
        byte[] reply = answer.answer(r);
        if (reply == null) {
          return;
        }
        if (reply == HOLD) {
          try {
            while (in.read() >= 0) {
              // discard
            }
          } finally {
            closedByClient.incrementAndGet();
          }
          return;
        }
        out.write(reply);
        out.flush();
      }
    } catch (Exception e) {
      // the client went away
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      b.write(c);
      String s = b.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r\n\r\n")) {
        return s.substring(0, s.length() - 2);
      }
    }
    return null;
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(15).strip());
      }
    }
    return 0;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
