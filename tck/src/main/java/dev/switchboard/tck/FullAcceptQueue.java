package dev.switchboard.tck;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.TestAbortedException;

/**
 * A listening socket on {@code 127.0.0.1} whose accept queue is full, so a new connection attempt
 * hangs until the client's connect timeout: a {@link ServerSocket} with backlog 1 that never
 * accepts, filled with sockets the kit keeps open. The precondition (a further connect does time
 * out) is verified when it starts; when the kernel does not behave that way the check is aborted
 * rather than failed.
 */
final class FullAcceptQueue implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> fillers = new ArrayList<>();

  FullAcceptQueue() throws IOException {
    server = new ServerSocket();
    server.bind(Loopback.anyPort(), 1);
    InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
    for (int i = 0; i < 16; i++) {
      Socket s = new Socket();
      try {
        s.connect(target, 300);
        fillers.add(s);
      } catch (SocketTimeoutException full) {
        s.close();
        return; // precondition met: a connect now hangs
      }
    }
    close();
    throw new TestAbortedException(
        "precondition not met: 16 connections to a backlog-1 socket that never accepts all"
            + " succeeded, so this kernel cannot produce a connect timeout on loopback");
  }

  int port() {
    return server.getLocalPort();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  @Override
  public void close() {
    Loopback.closeAll(server, fillers);
  }
}
