package dev.switchboard.examples.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.opensearch.action.admin.cluster.health.ClusterHealthResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * A real single-node OpenSearch server running inside this JVM, listening for HTTP on {@code
 * 127.0.0.1} at a free port, with its data in a temporary directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (EmbeddedOpenSearch node = EmbeddedOpenSearch.start()) {
 *   URI base = node.uri(); // http://127.0.0.1:<port>
 * }
 * }</pre>
 *
 * {@link #start()} returns once the node is green. Startup takes a few seconds; start one node and
 * share it.
 */
public final class EmbeddedOpenSearch implements AutoCloseable {
  private final Path home;
  private final Node node;
  private final URI uri;
  private boolean closed;

  private EmbeddedOpenSearch(Path home, Node node, URI uri) {
    this.home = home;
    this.node = node;
    this.uri = uri;
  }

  /**
   * Starts a node and returns once it accepts HTTP requests.
   *
   * @throws IllegalStateException when the node cannot start
   */
  public static EmbeddedOpenSearch start() {
    Path home;
    try {
      home = Files.createTempDirectory("switchboard-opensearch-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a home directory for OpenSearch", e);
    }
    Settings settings =
        Settings.builder()
            .put("path.home", home.toString())
            .put("cluster.name", "switchboard-examples")
            .put("node.name", "switchboard-node-1")
            .put("network.host", "127.0.0.1")
            .put("http.port", "0")
            .put("transport.port", "0")
            .put("discovery.type", "single-node")
            // a laptop's or CI's disk may be fuller than OpenSearch's defaults allow
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
    Environment environment =
        InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), null, () -> "switchboard-node-1");
    PluginNode node = new PluginNode(environment);
    try {
      node.start();
      // started is not ready: until the cluster state is recovered, health is red
      ClusterHealthResponse health =
          node.client()
              .admin()
              .cluster()
              .prepareHealth()
              .setWaitForGreenStatus()
              .setTimeout("60s")
              .get();
      if (health.isTimedOut()) {
        throw new IllegalStateException(
            "the node did not turn green within 60 s: " + health.getStatus());
      }
      HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
      InetSocketAddress address = http.boundAddress().publishAddress().address();
      URI uri = URI.create("http://127.0.0.1:" + address.getPort());
      return new EmbeddedOpenSearch(home, node, uri);
    } catch (Exception | LinkageError e) {
      closeQuietly(node);
      deleteTree(home);
      throw new IllegalStateException("OpenSearch did not start: " + e, e);
    }
  }

  /** The base URI of the HTTP API, {@code http://127.0.0.1:<port>}. */
  public URI uri() {
    return uri;
  }

  /** The HTTP port. */
  public int port() {
    return uri.getPort();
  }

  /** Stops the node, waits for it to finish, and deletes its data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      node.close();
      if (!node.awaitClose(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("OpenSearch did not stop within 30 s");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("OpenSearch failed to stop", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteTree(home);
    }
  }

  private static void closeQuietly(Node node) {
    try {
      node.close();
      node.awaitClose(10, TimeUnit.SECONDS);
    } catch (IOException | RuntimeException e) {
      // already failing; the start failure is what matters
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // a leftover file in the temp directory is harmless
                }
              });
    } catch (IOException e) {
      // same
    }
  }

  /** A node with the Netty 4 HTTP transport; Node's plugin-taking constructor is protected. */
  private static final class PluginNode extends Node {
    PluginNode(Environment environment) {
      super(environment, List.of(Netty4Plugin.class), true);
    }
  }
}
