package dev.switchboard.tck;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP server on {@code 127.0.0.1} that accepts connections and never writes a byte: a TLS client
 * gets no answer to its ClientHello, so its handshake hangs. It reads and discards what comes, to
 * see when the client closes the connection.
 */
final class SilentServer implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger closedByClient = new AtomicInteger();
  private volatile boolean closed;

  SilentServer() throws IOException {
    server = new ServerSocket();
    server.bind(Loopback.anyPort(), 50);
    Thread acceptor = new Thread(this::acceptLoop, "tck-silent-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code https://127.0.0.1:port} + {@code path}. */
  URI httpsUri(String path) {
    return URI.create("https://127.0.0.1:" + server.getLocalPort() + path);
  }

  int accepted() {
    return accepted.get();
  }

  /** Waits until the client has closed at least {@code count} connections. */
  boolean awaitClosedByClient(int count, Duration within) throws InterruptedException {
    return Loopback.await(closedByClient::get, count, within, 10);
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      sockets.add(s);
      Thread t = new Thread(() -> drain(s), "tck-silent-conn-" + server.getLocalPort());
      t.setDaemon(true);
      t.start();
    }
  }

  private void drain(Socket s) {
    try (InputStream in = s.getInputStream()) {
      byte[] buf = new byte[4096];
      while (in.read(buf) >= 0) {
        // discard the ClientHello and whatever follows; answer nothing
      }
      if (!closed) {
        closedByClient.incrementAndGet();
      }
    } catch (IOException e) {
      if (!closed) {
        closedByClient.incrementAndGet(); // reset by the client
      }
    } finally {
      sockets.remove(s);
    }
  }

  @Override
  public void close() {
    closed = true;
    Loopback.closeAll(server, sockets);
  }
}
