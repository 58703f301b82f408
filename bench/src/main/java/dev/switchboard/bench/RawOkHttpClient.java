package dev.switchboard.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * OkHttp used raw, built as the okhttp transport builds its own: a Dispatcher with the same limits
 * on a cached pool of daemon threads, a pool as large as the total limit, no retries or redirects,
 * the same connect timeout, OkHttp's read, write and call timeouts off, HTTP/1.1. Requests go
 * through {@code enqueue}, the asynchronous form Switchboard uses.
 */
final class RawOkHttpClient implements Client {
  private final ExecutorService executor;
  private final OkHttpClient client;

  RawOkHttpClient(Settings settings) {
    this.executor = Clients.cachedDaemonPool("raw-okhttp-dispatcher");
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequests(settings.maxConnections);
    dispatcher.setMaxRequestsPerHost(settings.maxConnectionsPerHost);
    this.client =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .connectionPool(new ConnectionPool(settings.maxConnections, 5, TimeUnit.MINUTES))
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .followSslRedirects(false)
            .connectTimeout(settings.connectTimeout)
            .readTimeout(Duration.ZERO)
            .writeTimeout(Duration.ZERO)
            .callTimeout(Duration.ZERO)
            .protocols(List.of(Protocol.HTTP_1_1))
            .build();
  }

  private static Request request(URI uri) {
    return new Request.Builder()
        .url(uri.toString())
        .header("User-Agent", Settings.USER_AGENT)
        .header("Accept-Encoding", Settings.ACCEPT_ENCODING)
        .build();
  }

  private static byte[] body(Response r) throws IOException {
    try (r) {
      if (r.code() != 200) {
        throw new IOException("status " + r.code());
      }
      return r.body().bytes();
    }
  }

  @Override
  public void send(URI uri, Done done) {
    client
        .newCall(request(uri))
        .enqueue(
            new Callback() {
              @Override
              public void onResponse(Call call, Response response) {
                try {
                  body(response);
                  done.done(null);
                } catch (IOException e) {
                  done.done(e);
                }
              }

              @Override
              public void onFailure(Call call, IOException e) {
                done.done(e);
              }
            });
  }

  @Override
  public int call(URI uri) throws Exception {
    return bytes(uri).length;
  }

  @Override
  public byte[] bytes(URI uri) throws Exception {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    client
        .newCall(request(uri))
        .enqueue(
            new Callback() {
              @Override
              public void onResponse(Call call, Response response) {
                try {
                  f.complete(body(response));
                } catch (IOException | RuntimeException e) {
                  f.completeExceptionally(e);
                }
              }

              @Override
              public void onFailure(Call call, IOException e) {
                f.completeExceptionally(e);
              }
            });
    return f.get();
  }

  /** The blocking form, {@code Call.execute()} on the caller's thread: no thread hop at all. */
  byte[] bytesBlocking(URI uri) throws IOException {
    return body(client.newCall(request(uri)).execute());
  }

  @Override
  public Object json(URI uri) throws Exception {
    return RawJdkClient.MAPPER.readValue(bytes(uri), Map.class);
  }

  /** The library's client itself, for the streaming runner ({@link Stream}). */
  OkHttpClient client() {
    return client;
  }

  @Override
  public void close() {
    client.dispatcher().cancelAll();
    executor.shutdownNow();
    client.connectionPool().evictAll();
  }
}
