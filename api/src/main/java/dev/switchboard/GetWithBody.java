package dev.switchboard;

/**
 * How a {@code GET} that carries a body is sent. Search APIs put their query in the body of a GET;
 * some HTTP libraries cannot send one (OkHttp refuses it).
 */
public enum GetWithBody {
  /**
   * Send it as it is. On a transport without {@link Capability#GET_WITH_BODY} the request fails at
   * once with {@link UnsupportedFeatureException}: nothing is sent, nothing hangs. The default.
   */
  NATIVE,
  /**
   * Send it as a {@code POST} with the same body and headers, on every transport. Search servers
   * (Elasticsearch, OpenSearch) accept this for their read APIs.
   */
  AS_POST
}
