package dev.switchboard.jdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A keep-alive HTTP/1.1 server on 127.0.0.1 that reads request bodies framed by Content-Length or
 * chunked, records each request (head, body length, SHA-256 of the body) and lets a {@link
 * Responder} write the answer.
 */
final class BodyServer implements AutoCloseable {
  /** One request as it came off the wire. */
  record Received(String head, long length, String sha256) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** Writes the answer to a request; returns false to close the connection afterwards. */
  interface Responder {
    boolean answer(Received request, OutputStream out) throws IOException, InterruptedException;
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  private final ServerSocket socket;
  private final Responder responder;
  private final boolean readBodies;

  BodyServer(Responder responder) throws IOException {
    this(responder, true);
  }

  /** With {@code readBodies} false, answers at the head and never reads a request body. */
  BodyServer(Responder responder, boolean readBodies) throws IOException {
    this.responder = responder;
    this.readBodies = readBodies;
    this.socket = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptLoop, "body-server");
    t.setDaemon(true);
    t.start();
  }

  /** Answers 200 with a two-byte body. */
  static boolean ok(Received r, OutputStream out) throws IOException {
    out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return true;
  }

  String base() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        Thread t = new Thread(() -> serve(s), "body-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSendBufferSize(64 * 1024);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = readLine(in, "\r\n\r\n");
        if (head == null) {
          return;
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long length = 0;
        Received probe = new Received(head, 0, null);
        String cl = probe.header("Content-Length");
        String te = probe.header("Transfer-Encoding");
        if (!readBodies) {
          length = -1;
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
          while (true) {
            String size = readLine(in, "\r\n");
            int semi = size.indexOf(';');
            long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
              readLine(in, "\r\n"); // no trailers
              break;
            }
            length += copy(in, n, sha);
            readLine(in, "\r\n");
          }
        } else if (cl != null) {
          length = copy(in, Long.parseLong(cl), sha);
        }
        Received r = new Received(head, length, hex(sha.digest()));
        received.add(r);
        if (!responder.answer(r, out) || !readBodies) {
          return;
        }
      }
    } catch (IOException | InterruptedException | NoSuchAlgorithmException | RuntimeException e) {
      // connection gone
    }
  }

  private static long copy(InputStream in, long n, MessageDigest sha) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long left = n;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new IOException("body cut");
      }
      sha.update(buf, 0, r);
      left -= r;
    }
    return n;
  }

  static String hex(byte[] digest) {
    StringBuilder b = new StringBuilder();
    for (byte x : digest) {
      b.append(String.format("%02x", x));
    }
    return b.toString();
  }

  /** Reads up to and without {@code end}; null when the connection ends first. */
  private static String readLine(InputStream in, String end) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] e = end.getBytes(StandardCharsets.US_ASCII);
    int c;
    while ((c = in.read()) != -1) {
      b.write(c);
      if (b.size() >= e.length) {
        byte[] a = b.toByteArray();
        boolean match = true;
        for (int i = 0; i < e.length && match; i++) {
          match = a[a.length - e.length + i] == e[i];
        }
        if (match) {
          return new String(a, 0, a.length - e.length, StandardCharsets.ISO_8859_1);
        }
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
