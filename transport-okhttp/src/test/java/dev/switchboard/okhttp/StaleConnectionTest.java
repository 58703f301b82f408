package dev.switchboard.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.Body;
import dev.switchboard.MalformedResponseException;
import dev.switchboard.Request;
import dev.switchboard.RetryPolicy;
import dev.switchboard.StaleConnectionException;
import dev.switchboard.Transport;
import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A pooled keep-alive connection the server has closed (OkHttp runs with its retries off). */
@Timeout(30)
class StaleConnectionTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

  /**
   * A server whose first connection answers one request with keep-alive and then closes; every
   * later connection answers every request with 200 "hello".
   */
  private static final class ClosesAfterFirstAnswer implements AutoCloseable {
    final CountDownLatch firstClosed = new CountDownLatch(1);
    final RawServer server;

    ClosesAfterFirstAnswer() throws Exception {
      server =
          new RawServer(
              c -> {
                if (c.index == 0) {
                  c.read();
                  c.respond(200, "", HELLO);
                  c.socket.close(); // closes the idle keep-alive connection (FIN)
                  firstClosed.countDown();
                } else {
                  while (c.read() != null) {
                    c.respond(200, "", HELLO);
                  }
                }
              });
    }

    /** Sends one GET, then waits until the server has closed its (now pooled) connection. */
    void warm(Transport t) throws Exception {
      assertEquals("hello", t.execute(Request.get(server.uri("/warm"))).text());
      assertTrue(firstClosed.await(10, TimeUnit.SECONDS));
      Thread.sleep(100); // the FIN reaches the client socket
    }

    long count(String method) {
      return server.requests.stream().filter(r -> r.method().equals(method)).count();
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
    }
  }

  private static Transport transport(TransportConfig.Builder config) {
    return Transports.create(config.provider("okhttp").build());
  }

  @Test
  void aGetOnAClosedPooledConnectionIsResentOnceOnANewConnectionBySwitchboard() throws Exception {
    try (ClosesAfterFirstAnswer s = new ClosesAfterFirstAnswer();
        Transport t = transport(TransportConfig.builder())) {
      s.warm(t);
      assertEquals("hello", t.execute(Request.get(s.server.uri("/next"))).text());
      Thread.sleep(300); // a second resend would arrive now
      assertEquals(2, s.server.connections.get());
      assertEquals(2, s.count("GET"));
    }
  }

  @Test
  void aGetOnAClosedPooledConnectionFailsAsStaleWhenTheResendIsOff() throws Exception {
    try (ClosesAfterFirstAnswer s = new ClosesAfterFirstAnswer();
        Transport t = transport(TransportConfig.builder().retryStaleConnections(false))) {
      s.warm(t);
      StaleConnectionException e =
          assertThrows(
              StaleConnectionException.class, () -> t.execute(Request.get(s.server.uri("/next"))));
      assertTrue(e.requestSent());
      assertEquals("okhttp", e.transport());
      Thread.sleep(300); // a silent retry would arrive now
      assertEquals(1, s.server.connections.get());
      assertEquals(1, s.count("GET"));
    }
  }

  @Test
  void retryPolicyResendsAStaleGetOnOneNewConnection() throws Exception {
    try (ClosesAfterFirstAnswer s = new ClosesAfterFirstAnswer();
        Transport t = transport(TransportConfig.builder().interceptor(RetryPolicy.defaults()))) {
      s.warm(t);
      assertEquals("hello", t.execute(Request.get(s.server.uri("/next"))).text());
      assertEquals(2, s.server.connections.get());
      assertEquals(2, s.count("GET")); // the stale attempt never reached the server
    }
  }

  @Test
  void retryPolicyDoesNotResendAStalePost() throws Exception {
    try (ClosesAfterFirstAnswer s = new ClosesAfterFirstAnswer();
        Transport t = transport(TransportConfig.builder().interceptor(RetryPolicy.defaults()))) {
      s.warm(t);
      StaleConnectionException e =
          assertThrows(
              StaleConnectionException.class,
              () -> t.execute(Request.post(s.server.uri("/once"), Body.of("x", "text/plain"))));
      assertTrue(e.requestSent());
      Thread.sleep(300); // a retry would arrive now
      assertEquals(1, s.server.connections.get());
      assertEquals(0, s.count("POST"));
    }
  }

  @Test
  void aFreshConnectionClosedWithoutAnAnswerIsNotStale() throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  c.read();
                  c.socket.close();
                });
        Transport t = transport(TransportConfig.builder())) {
      MalformedResponseException e =
          assertThrows(
              MalformedResponseException.class, () -> t.execute(Request.get(server.uri("/"))));
      assertFalse(e instanceof StaleConnectionException, e.toString());
      assertTrue(e.requestSent());
    }
  }

  /** On a reused connection, anything that came before the close means the server answered. */
  @ParameterizedTest
  @ValueSource(
      strings = {"HTTP/1.1 2", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"})
  void aPartialAnswerOnAReusedConnectionIsNotStale(String partial) throws Exception {
    try (RawServer server =
            new RawServer(
                c -> {
                  c.read();
                  c.respond(200, "", HELLO);
                  c.read();
                  c.write(partial, new byte[0]);
                  c.socket.close();
                });
        Transport t = transport(TransportConfig.builder().interceptor(RetryPolicy.defaults()))) {
      t.execute(Request.get(server.uri("/warm")));
      MalformedResponseException e =
          assertThrows(
              MalformedResponseException.class, () -> t.execute(Request.get(server.uri("/next"))));
      assertFalse(e instanceof StaleConnectionException, e.toString());
      assertEquals(1, server.connections.get()); // and so not retried
    }
  }
}
