package dev.switchboard.jdk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive HTTP/1.1 server on 127.0.0.1 that counts connections and requests and lets a test
 * decide, per request number, to answer after a delay or to close without answering, or write the
 * answer itself ({@link Answer}).
 */
final class RawServer implements AutoCloseable {
  /** What to do with the n-th request (1-based). */
  interface Behaviour {
    /** Returns the delay before answering in ms, or -1 to close the connection without answer. */
    int onRequest(int n);
  }

  /** Writes the answer to the n-th request (1-based) itself. */
  interface Answer {
    /** Returns false to close the connection afterwards. */
    boolean write(int n, InputStream in, OutputStream out) throws IOException, InterruptedException;
  }

  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger open = new AtomicInteger();
  final AtomicInteger maxOpen = new AtomicInteger();
  final List<String> heads = new CopyOnWriteArrayList<>();
  private final ServerSocket socket;
  private final Answer answer;

  RawServer(Behaviour behaviour) throws IOException {
    this(
        (n, in, out) -> {
          int delay = behaviour.onRequest(n);
          if (delay < 0) {
            return false;
          }
          Thread.sleep(delay);
          out.write(
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          return true;
        });
  }

  RawServer(Answer answer) throws IOException {
    this.answer = answer;
    this.socket = new ServerSocket(0, 100, InetAddress.getByName("127.0.0.1"));
    Thread t = new Thread(this::acceptLoop, "raw-server");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  String base() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        connections.incrementAndGet();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        Thread t = new Thread(() -> serve(s), "raw-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        int length = 0;
        for (String line : head.split("\r\n")) {
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.readNBytes(length);
        heads.add(head);
        if (!answer.write(requests.incrementAndGet(), in, out)) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // connection gone
    } finally {
      open.decrementAndGet();
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      b.write(c);
      byte[] a = b.toByteArray();
      int n = a.length;
      if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
        return new String(a, 0, n - 4, StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
