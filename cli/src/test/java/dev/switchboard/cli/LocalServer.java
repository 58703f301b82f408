package dev.switchboard.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A loopback HTTP server for the tests, recording every request it sees. */
final class LocalServer implements AutoCloseable {
  /** What the server saw of one request. */
  record Seen(String method, String path, String contentType, String header, byte[] body) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  LocalServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    String path = ex.getRequestURI().getPath();
    seen.add(
        new Seen(
            ex.getRequestMethod(),
            path,
            ex.getRequestHeaders().getFirst("Content-Type"),
            ex.getRequestHeaders().getFirst("X-Test"),
            body));
    try {
      switch (path) {
        case "/json" -> send(ex, 200, "application/json", "{\"status\":\"green\",\"nodes\":[1,2]}");
        case "/text" -> send(ex, 200, "text/plain; charset=UTF-8", "hello, world\n");
        case "/echo" ->
            send(
                ex,
                200,
                ex.getRequestHeaders().getFirst("Content-Type"),
                new String(body, StandardCharsets.UTF_8));
        case "/missing" -> send(ex, 404, "application/json", "{\"error\":\"no such index\"}");
        case "/slow" -> {
          Thread.sleep(1_000);
          send(ex, 200, "text/plain", "slow");
        }
        case "/hang" -> {
          Thread.sleep(30_000); // close() interrupts it
          send(ex, 200, "text/plain", "late");
        }
        default -> send(ex, 200, "text/plain", "ok");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ex.close();
    }
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (type != null) {
      ex.getResponseHeaders().add("Content-Type", type);
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
