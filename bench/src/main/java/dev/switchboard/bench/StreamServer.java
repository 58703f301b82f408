package dev.switchboard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;

/**
 * The loopback server of the streaming runner ({@link Stream}), on 127.0.0.1:
 *
 * <ul>
 *   <li>{@code GET /down/N}: N bytes of {@link StreamData}, with Content-Length, generated as they
 *       are written;
 *   <li>{@code POST /up}: reads the whole request body (Content-Length or chunked) and answers
 *       {@code "<bytes> <crc32c hex>"} of what it read.
 * </ul>
 *
 * <p>Run on its own ({@code java -cp benchmarks.jar dev.switchboard.bench.StreamServer [port]}) it
 * prints {@code listening <port>} and serves until its standard input ends, so that the runner's
 * heap holds none of the server's buffers.
 */
final class StreamServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  StreamServer(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "stream-server");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/down/", StreamServer::down);
    server.createContext("/up", StreamServer::up);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void down(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      long size = Long.parseLong(path.substring("/down/".length()));
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
      byte[] buf = new byte[StreamData.BLOCK];
      try (OutputStream out = exchange.getResponseBody()) {
        for (long p = 0; p < size; p += buf.length) {
          int n = (int) Math.min(buf.length, size - p);
          StreamData.fill(p, buf, 0, n);
          out.write(buf, 0, n);
        }
      }
    }
  }

  private static void up(HttpExchange exchange) throws IOException {
    try (exchange) {
      CRC32C crc = new CRC32C();
      long count = 0;
      byte[] buf = new byte[StreamData.BLOCK];
      try (InputStream in = exchange.getRequestBody()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          crc.update(buf, 0, n);
          count += n;
        }
      }
      byte[] answer =
          (count + " " + Long.toHexString(crc.getValue())).getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Serves on the port given (0: any free one) until standard input ends. */
  public static void main(String[] args) throws IOException {
    try (StreamServer s = new StreamServer(args.length > 0 ? Integer.parseInt(args[0]) : 0)) {
      System.out.println("listening " + s.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the runner to end
      }
    }
  }
}
