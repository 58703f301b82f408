package dev.switchboard.tck;

import static dev.switchboard.tck.TckContext.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Capability;
import dev.switchboard.ConnectionException;
import dev.switchboard.GetWithBody;
import dev.switchboard.HttpVersion;
import dev.switchboard.NotFoundException;
import dev.switchboard.Request;
import dev.switchboard.Response;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.TransportException;
import dev.switchboard.Transports;
import dev.switchboard.UnsupportedFeatureException;
import dev.switchboard.spi.TransportProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;

/** Area {@code config}. */
final class ConfigChecks {
  private final TckContext ctx;

  ConfigChecks(TckContext ctx) {
    this.ctx = ctx;
  }

  void providerDiscovered() {
    TransportProvider found = null;
    List<String> names = new ArrayList<>();
    for (TransportProvider p : Transports.providers()) {
      names.add(p.name());
      if (p.name().equals(ctx.name)) {
        found = p;
      }
    }
    assertNotNull(found, "no provider named '" + ctx.name + "' found by ServiceLoader: " + names);
    assertEquals(
        ctx.capabilities,
        found.capabilities(),
        "capabilities of the provider and of the transport it makes");
    try (Transport t = Transports.create(TransportConfig.builder().provider(ctx.name).build())) {
      assertEquals(ctx.name, t.name(), "name of a transport created by provider name");
      assertEquals(ctx.capabilities, t.capabilities());
    }
  }

  void everyOptionHonouredOrRejected() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok"));
    ExecutorService callbacks = Executors.newFixedThreadPool(2, daemon("tck-callback-all"));
    ctx.closeLater(callbacks::shutdownNow);
    TransportConfig.Builder b =
        TransportConfig.builder()
            .connectTimeout(Duration.ofSeconds(3))
            .responseTimeout(Duration.ofSeconds(4))
            .requestTimeout(Duration.ofSeconds(5))
            .maxConnectionsPerHost(3)
            .maxConnections(5)
            .followRedirects(true)
            .maxRedirects(3)
            .userAgent("tck-every-option/1")
            .compression(false)
            .maxResponseBytes(1024 * 1024)
            .getWithBody(GetWithBody.AS_POST)
            .interceptor(chain -> chain.proceed(chain.request()))
            .callbackExecutor(callbacks)
            .httpVersion(HttpVersion.HTTP_2);
    if (ctx.has(Capability.CUSTOM_SSL_CONTEXT)) {
      b.sslContext(javax.net.ssl.SSLContext.getDefault());
    }
    Transport t;
    try {
      t = ctx.create(b.build());
    } catch (UnsupportedFeatureException e) {
      assertTrue(
          !ctx.has(Capability.HTTP_2),
          "create() refused a configuration although it declares HTTP_2: " + e.getMessage());
      t = ctx.create(b.httpVersion(HttpVersion.HTTP_1_1).build());
    }
    Response r = ok(t.send(Request.get(server.uri("/every"))));
    assertEquals("ok", r.text());
    assertEquals(List.of("tck-every-option/1"), server.lastRequest().all("User-Agent"));
    assertNull(server.lastRequest().header("Accept-Encoding"), "compression(false)");
  }

  private static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  void maxConnections() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    RawServer.Handler h =
        (req, conn) -> {
          peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          try {
            Thread.sleep(150);
          } finally {
            inFlight.decrementAndGet();
          }
          conn.respond(200, "ok");
        };
    RawServer a = ctx.raw(h);
    RawServer b = ctx.raw(h);
    Transport t = ctx.transport(c -> c.maxConnectionsPerHost(2).maxConnections(3));
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(t.send(Request.get(a.uri("/a/" + i))));
      all.add(t.send(Request.get(b.uri("/b/" + i))));
    }
    for (CompletableFuture<Response> f : all) {
      assertEquals(200, ok(f).status());
    }
    assertTrue(peak.get() <= 3, "requests at once over two hosts: " + peak.get() + ", limit 3");
    assertTrue(a.maxOpenConnections() <= 2, "connections to one host: " + a.maxOpenConnections());
    assertTrue(b.maxOpenConnections() <= 2, "connections to one host: " + b.maxOpenConnections());
  }

  void maxRedirects() throws Exception {
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              int n = Integer.parseInt(req.path().substring(3));
              if (n > 0) {
                conn.head(302, "Location", "/r/" + (n - 1), "Content-Length", "0");
              } else {
                conn.respond(200, "landed");
              }
            });
    Transport two = ctx.transport(b -> b.followRedirects(true).maxRedirects(2));
    Throwable f = TckContext.failure(two.send(Request.get(server.uri("/r/3"))));
    TckContext.expect(f, TransportException.class);
    assertEquals(3, server.requestCount(), "requests before giving up after 2 redirects");
    Transport three = ctx.transport(b -> b.followRedirects(true).maxRedirects(3));
    assertEquals("landed", ok(three.send(Request.get(server.uri("/r/3")))).text());
  }

  void callbackExecutor() throws Exception {
    AtomicInteger used = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2, daemon("tck-callback"));
    ctx.closeLater(pool::shutdownNow);
    // the answer waits until the continuation is attached (10 s at most): attached after the
    // response, it would run on the thread attaching it, whatever the executor
    java.util.concurrent.CountDownLatch attached = new java.util.concurrent.CountDownLatch(1);
    RawServer server =
        ctx.raw(
            (req, conn) -> {
              attached.await(10, TimeUnit.SECONDS);
              conn.respond(200, "ok");
            });
    Transport t =
        ctx.transport(
            b ->
                b.callbackExecutor(
                    task -> {
                      used.incrementAndGet();
                      pool.execute(task);
                    }));
    CompletableFuture<String> seen =
        t.send(Request.get(server.uri("/cb"))).thenApply(r -> Thread.currentThread().getName());
    attached.countDown();
    String thread = seen.get(20, TimeUnit.SECONDS);
    assertTrue(
        thread.startsWith("tck-callback"),
        "the continuation ran on '" + thread + "', not on the configured callback executor");
    assertTrue(used.get() > 0, "the configured callback executor was never used");
    assertTrue(t.capabilities() != null);
  }

  void httpVersion() throws Exception {
    if (!ctx.has(Capability.HTTP_2)) {
      Assertions.assertThrows(
          UnsupportedFeatureException.class,
          () -> ctx.create(TransportConfig.builder().httpVersion(HttpVersion.HTTP_2).build()),
          "create() with HTTP_2 on a transport without the HTTP_2 capability");
      ctx.alternativeVerified(
          "HTTP_2 not supported: create() rejects httpVersion(HTTP_2) with"
              + " UnsupportedFeatureException");
      return;
    }
    TlsH2Server h2 = ctx.closeLater(TlsH2Server.start(ctx.workDir));
    javax.net.ssl.SSLContext trusting = TlsMaterial.trusting(TlsMaterial.get(ctx.workDir).good);
    Transport t = ctx.transport(b -> b.httpVersion(HttpVersion.HTTP_2).sslContext(trusting));
    Response r = ok(t.send(Request.get(h2.uri("/h2"))));
    assertEquals(200, r.status());
    assertEquals("HTTP/2.0", h2.lastProtocol(), "protocol the server saw with HTTP_2");
    Transport one = ctx.transport(b -> b.httpVersion(HttpVersion.HTTP_1_1).sslContext(trusting));
    ok(one.send(Request.get(h2.uri("/h1"))));
    assertEquals("HTTP/1.1", h2.lastProtocol(), "protocol the server saw with HTTP_1_1");
  }

  void interceptorsInOrder() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "ok"));
    ConcurrentLinkedQueue<String> trace = new ConcurrentLinkedQueue<>();
    Transport t =
        ctx.transport(
            b ->
                b.interceptor(
                        chain -> {
                          trace.add("a>");
                          return chain
                              .proceed(chain.request().toBuilder().header("X-Trace", "a").build())
                              .whenComplete((r, e) -> trace.add("<a"));
                        })
                    .interceptor(
                        chain -> {
                          trace.add("b>");
                          return chain
                              .proceed(chain.request().toBuilder().header("X-Trace", "b").build())
                              .whenComplete((r, e) -> trace.add("<b"));
                        }));
    ok(t.send(Request.get(server.uri("/trace"))));
    assertEquals(List.of("a>", "b>", "<b", "<a"), List.copyOf(trace), "interceptor order");
    assertEquals(
        "a, b", String.join(", ", server.lastRequest().all("X-Trace")), "headers added in order");
  }

  void interceptorsRewrite() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(200, "server saw " + req.target()));
    Transport t =
        ctx.transport(
            b ->
                b.interceptor(
                    chain -> {
                      Request original = chain.request();
                      URI rewritten = original.uri().resolve("/rewritten?by=interceptor");
                      return chain
                          .proceed(
                              original.toBuilder().uri(rewritten).header("X-Added", "1").build())
                          .thenApply(
                              r ->
                                  r.toBuilder()
                                      .body(("rewritten: " + r.text()).getBytes())
                                      .headers(
                                          r.headers().toBuilder().set("X-Rewritten", "yes").build())
                                      .build());
                    }));
    Response r = ok(t.send(Request.get(server.uri("/original"))));
    assertEquals("/rewritten?by=interceptor", server.lastRequest().target());
    assertEquals("1", server.lastRequest().header("X-Added"));
    assertEquals("rewritten: server saw /rewritten?by=interceptor", r.text());
    assertEquals("yes", r.header("X-Rewritten"));
  }

  void interceptorsSeeFailures() throws Exception {
    RawServer server = ctx.raw((req, conn) -> conn.respond(404, "missing"));
    ConcurrentLinkedQueue<Throwable> seen = new ConcurrentLinkedQueue<>();
    Transport t =
        ctx.transport(
            b ->
                b.interceptor(
                    chain ->
                        chain
                            .proceed(chain.request())
                            .whenComplete(
                                (r, e) -> {
                                  if (e != null) {
                                    seen.add(TransportException.unwrap(e));
                                  }
                                })));
    TckContext.failure(t.send(Request.get(server.uri("/missing"))), NotFoundException.class);
    URI refused = URI.create("http://127.0.0.1:" + ErrorsChecks.freePort() + "/");
    TckContext.failure(t.send(Request.get(refused)), ConnectionException.class);
    List<Throwable> all = List.copyOf(seen);
    assertEquals(2, all.size(), "failures the interceptor saw: " + all);
    TckContext.expect(all.get(0), NotFoundException.class);
    TckContext.expect(all.get(1), ConnectionException.class);
  }
}
