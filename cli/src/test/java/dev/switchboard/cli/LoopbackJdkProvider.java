package dev.switchboard.cli;

import dev.switchboard.Capability;
import dev.switchboard.ConnectTimeoutException;
import dev.switchboard.ConnectionException;
import dev.switchboard.Headers;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.spi.Exchange;
import dev.switchboard.spi.ExchangeListener;
import dev.switchboard.spi.ExchangeRequest;
import dev.switchboard.spi.TransportEngine;
import dev.switchboard.spi.TransportProvider;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal transport over the JDK client for the CLI's own tests ({@code --transport
 * test-loopback}), so they do not depend on the state of the real transport modules.
 */
public final class LoopbackJdkProvider implements TransportProvider {
  static final String NAME = "test-loopback";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return -100;
  }

  @Override
  public Set<Capability> capabilities() {
    return Set.of(Capability.GET_WITH_BODY);
  }

  @Override
  public TransportEngine create(TransportConfig config) {
    return new Engine(config);
  }

  private static final class Engine implements TransportEngine {
    private final ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-loopback-io");
              t.setDaemon(true);
              return t;
            });
    private final HttpClient client;

    Engine(TransportConfig config) {
      client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(config.connectTimeout())
              .executor(executor)
              .build();
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Set<Capability> capabilities() {
      return Set.of(Capability.GET_WITH_BODY);
    }

    @Override
    public Exchange start(ExchangeRequest exchange, ExchangeListener listener) {
      Request r = exchange.request();
      HttpRequest.Builder b =
          HttpRequest.newBuilder(r.uri())
              .method(
                  r.method(),
                  r.hasBody()
                      ? HttpRequest.BodyPublishers.ofByteArray(r.body().bytes())
                      : HttpRequest.BodyPublishers.noBody());
      for (Headers.Field h : r.headers().fields()) {
        b.header(h.name(), h.value());
      }
      CompletableFuture<HttpResponse<byte[]>> f;
      try {
        f = client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (RuntimeException e) {
        listener.onFailure(new TransportException(e.toString(), r, NAME, false, e));
        return () -> {};
      }
      listener.onRequestSent();
      f.whenComplete(
          (response, failure) -> {
            if (failure != null) {
              listener.onFailure(map(failure, exchange));
              return;
            }
            Headers.Builder headers = Headers.builder();
            for (Map.Entry<String, List<String>> e : response.headers().map().entrySet()) {
              if (!e.getKey().startsWith(":")) {
                e.getValue().forEach(v -> headers.add(e.getKey(), v));
              }
            }
            listener.onResponseHeaders(response.statusCode(), headers.build());
            listener.onBody(ByteBuffer.wrap(response.body()));
            listener.onComplete();
          });
      return () -> f.cancel(true);
    }

    private static TransportException map(Throwable failure, ExchangeRequest exchange) {
      Throwable t =
          failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause()
              : failure;
      Request r = exchange.request();
      if (t instanceof HttpConnectTimeoutException) {
        return new ConnectTimeoutException(exchange.connectTimeout(), r, NAME, t);
      }
      if (t instanceof ConnectException) {
        return new ConnectionException("connection refused", r, NAME, t);
      }
      return new MalformedResponseException(String.valueOf(t), r, NAME, t);
    }

    @Override
    public void close() {
      executor.shutdownNow();
    }
  }
}
