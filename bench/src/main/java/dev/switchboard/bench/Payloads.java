package dev.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The response bodies the servers return, made here so that nginx (through {@link #main}) and the
 * in-JVM smoke server serve the same bytes.
 */
public final class Payloads {
  /** The size of {@code /large.json}: 1 MiB. */
  public static final int LARGE_SIZE = 1 << 20;

  private Payloads() {}

  /** About 200 bytes: a search-cluster health answer. */
  static byte[] small() {
    String json =
        "{\"cluster_name\":\"switchboard-bench\",\"status\":\"green\",\"timed_out\":false,"
            + "\"number_of_nodes\":3,\"number_of_data_nodes\":3,\"active_primary_shards\":12,"
            + "\"active_shards\":24,\"relocating_shards\":0,\"unassigned_shards\":0}\n";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A search response (an object holding an array of hits), padded with spaces to exactly {@link
   * #LARGE_SIZE} bytes.
   */
  static byte[] large() {
    StringBuilder sb = new StringBuilder(LARGE_SIZE);
    sb.append("{\"took\":12,\"timed_out\":false,\"hits\":{\"hits\":[");
    int i = 0;
    while (true) {
      String hit =
          (i == 0 ? "" : ",")
              + "{\"_id\":\"doc-"
              + i
              + "\",\"_score\":"
              + (1.0 / (i + 1))
              + ",\"_source\":{\"title\":\"Document number "
              + i
              + "\",\"tags\":[\"alpha\",\"beta\",\"gamma\"],\"views\":"
              + (i * 37 % 10007)
              + ",\"published\":true}}";
      if (sb.length() + hit.length() + 4 > LARGE_SIZE) {
        break;
      }
      sb.append(hit);
      i++;
    }
    sb.append("]}}");
    while (sb.length() < LARGE_SIZE - 1) {
      sb.append(' ');
    }
    sb.append('\n');
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Writes {@code small.json} and {@code large.json} into the directory given as the only argument
   * (used by {@code bench/run.sh} for nginx's document root).
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Payloads <directory>");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    Files.write(dir.resolve("small.json"), small());
    Files.write(dir.resolve("large.json"), large());
  }
}
