package dev.switchboard.examples.opensearch;

import dev.switchboard.TransportConfig;
import dev.switchboard.Transports;
import dev.switchboard.cluster.ClusterTransport;
import dev.switchboard.examples.search.EmbeddedOpenSearch;
import dev.switchboard.opensearch.SwitchboardOpenSearchTransport;
import java.io.IOException;
import java.time.Duration;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.Refresh;

/**
 * The README's ten lines: the official opensearch-java client on a Switchboard transport, over a
 * cluster of nodes, against an embedded node. {@code mvn -q -pl examples exec:java
 * -Ddemo.main=dev.switchboard.examples.opensearch.OfficialClientExample}
 */
public final class OfficialClientExample {
  /** A document. */
  public record Book(String title, int year) {}

  private OfficialClientExample() {}

  public static void main(String[] args) throws IOException {
    try (EmbeddedOpenSearch node = EmbeddedOpenSearch.start()) {
      String[] nodes = {node.uri().toString()};
      // README: the ten lines start here
      var http =
          Transports.create(
              TransportConfig.builder()
                  .provider("okhttp")
                  .connectTimeout(Duration.ofSeconds(2))
                  .readTimeout(Duration.ofSeconds(10))
                  .build());
      var cluster =
          ClusterTransport.builder(http)
              .nodes(nodes)
              .requestTimeout(Duration.ofSeconds(30))
              .build();
      try (var transport = SwitchboardOpenSearchTransport.builder(cluster).build()) {
        OpenSearchClient client = new OpenSearchClient(transport);
        client.index(
            i -> i.index("books").id("1").document(new Book("Dune", 1965)).refresh(Refresh.True));
        var hits =
            client.search(
                s ->
                    s.index("books")
                        .query(q -> q.match(m -> m.field("title").query(FieldValue.of("dune")))),
                Book.class);
        System.out.println(
            hits.hits().total().value() + " hit: " + hits.hits().hits().get(0).source());
      }
      // README: the ten lines end here
    }
  }
}
