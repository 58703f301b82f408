package dev.switchboard.examples.search;

import dev.switchboard.HttpStatusException;
import java.util.Map;
import java.util.Optional;

/**
 * The search server's own account of an error, read from the body of an {@link
 * HttpStatusException}: OpenSearch and Elasticsearch answer {@code {"error": {"type":
 * "index_not_found_exception", "reason": "no such index [x]"}, "status": 404}}.
 *
 * <pre>{@code
 * client.get("missing", "1").exceptionally(e -> {
 *   ServerError.of(e).ifPresent(err -> log(err.type()));  // index_not_found_exception
 *   ...
 * });
 * }</pre>
 *
 * The Switchboard exception stays the failure: catch {@link dev.switchboard.NotFoundException},
 * {@link dev.switchboard.ClientErrorException}… as usual, and ask this class for the detail.
 *
 * @param status the HTTP status
 * @param type the server's error type, e.g. {@code resource_already_exists_exception}
 * @param reason the server's message
 */
public record ServerError(int status, String type, String reason) {
  /**
   * The server error carried by {@code failure} (itself, or inside a {@code CompletionException} or
   * {@code ExecutionException}); empty when it is not an {@link HttpStatusException} or its body is
   * not a search server's error.
   */
  public static Optional<ServerError> of(Throwable failure) {
    HttpStatusException e = SearchClient.statusException(failure);
    if (e == null) {
      return Optional.empty();
    }
    try {
      Map<?, ?> json = e.response().json(Map.class);
      Object error = json.get("error");
      if (error instanceof Map<?, ?> m && m.get("type") != null) {
        Object reason = m.get("reason");
        return Optional.of(
            new ServerError(
                e.status(), m.get("type").toString(), reason == null ? "" : reason.toString()));
      }
      if (error instanceof String s) {
        return Optional.of(new ServerError(e.status(), s, s)); // very old servers
      }
      return Optional.empty();
    } catch (RuntimeException notJson) {
      return Optional.empty();
    }
  }

  /** The server's error type carried by {@code failure}, or empty. */
  public static Optional<String> typeOf(Throwable failure) {
    return of(failure).map(ServerError::type);
  }
}
