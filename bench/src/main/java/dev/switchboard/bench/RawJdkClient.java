package dev.switchboard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * {@link HttpClient} used raw, built as the jdk transport builds its own: HTTP/1.1, no redirects,
 * the same connect timeout, a cached pool of daemon threads as executor. The JDK client has no
 * connection limit, so none applies here (the transport enforces one, 64 per host by default).
 */
final class RawJdkClient implements Client {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final ExecutorService executor;
  private final HttpClient client;

  RawJdkClient(Settings settings) {
    this.executor = Clients.cachedDaemonPool("raw-jdk-io");
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(settings.connectTimeout)
            .executor(executor)
            .build();
  }

  private static HttpRequest request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .header("User-Agent", Settings.USER_AGENT)
        .header("Accept-Encoding", Settings.ACCEPT_ENCODING)
        .GET()
        .build();
  }

  private static byte[] body(HttpResponse<byte[]> r) throws IOException {
    if (r.statusCode() != 200) {
      throw new IOException("status " + r.statusCode());
    }
    return r.body();
  }

  @Override
  public void send(URI uri, Done done) {
    client
        .sendAsync(request(uri), HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (r, e) -> done.done(e != null ? e : r.statusCode() != 200 ? status(r) : null));
  }

  static IOException status(HttpResponse<?> r) {
    return new IOException("status " + r.statusCode());
  }

  @Override
  public int call(URI uri) throws Exception {
    return bytes(uri).length;
  }

  @Override
  public byte[] bytes(URI uri) throws Exception {
    return body(client.sendAsync(request(uri), HttpResponse.BodyHandlers.ofByteArray()).get());
  }

  @Override
  public Object json(URI uri) throws Exception {
    return MAPPER.readValue(bytes(uri), Map.class);
  }

  /** The library's client itself, for the streaming runner ({@link Stream}). */
  HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
