package dev.switchboard.tck;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.function.IntSupplier;

/** What the kit's small socket servers share: binding to loopback, waiting on a count, closing. */
final class Loopback {
  private Loopback() {}

  /** {@code 127.0.0.1}, by address: nothing is ever resolved through DNS. */
  static InetSocketAddress anyPort() throws IOException {
    return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
  }

  /** Polls {@code count} every {@code pollMillis} until it reaches {@code atLeast}, or gives up. */
  static boolean await(IntSupplier count, int atLeast, Duration within, long pollMillis)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (count.getAsInt() < atLeast) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(pollMillis);
    }
    return true;
  }

  /** Closes the listening socket, then every accepted one, ignoring failures to close. */
  static void closeAll(ServerSocket server, Iterable<Socket> sockets) {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
