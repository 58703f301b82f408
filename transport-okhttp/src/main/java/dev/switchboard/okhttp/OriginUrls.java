package dev.switchboard.okhttp;

import java.net.URI;
import okhttp3.HttpUrl;

/**
 * OkHttp's {@link HttpUrl} of a request's URI, built without parsing the scheme and authority again
 * when the engine has recently sent to the same origin.
 *
 * <p>Parsing the URL string is most of what building an OkHttp request costs (measured: 3.8 of 4.1
 * µs), and half of that is the host: its IDN mapping, IP-address and label checks. A client talks
 * to a few origins (the nodes of a cluster), so the engine keeps the parsed URL of the last origin
 * seen in each of {@value #SLOTS} slots and derives a request's URL from it, setting the path,
 * query and fragment as OkHttp's parser would (the same canonicalization: dot segments,
 * percent-encoding). The result is equal to {@code HttpUrl.get(uri.toString())}; a URI OkHttp
 * refuses fails exactly as there, being parsed in full whenever its origin is not held.
 *
 * <p>A slot holds the URL of the origin alone (path {@code /}, no query or fragment). Safe for
 * concurrent use without locks: slots hold immutable entries, and a slot overwritten by another
 * origin only costs a parse.
 */
final class OriginUrls {
  private static final int SLOTS = 16; // a power of two

  private record Origin(String scheme, String authority, HttpUrl url) {}

  private final Origin[] slots = new Origin[SLOTS];

  /** The URL of {@code uri}; throws {@link IllegalArgumentException} where OkHttp refuses it. */
  HttpUrl url(URI uri) {
    String scheme = uri.getScheme();
    String authority = uri.getRawAuthority();
    if (scheme == null || authority == null) {
      return HttpUrl.get(uri.toString()); // OkHttp's own message for what it cannot take
    }
    int slot = authority.hashCode() & (SLOTS - 1);
    Origin origin = slots[slot];
    if (origin == null || !origin.authority.equals(authority) || !origin.scheme.equals(scheme)) {
      HttpUrl url = HttpUrl.get(uri.toString());
      // only the origin is kept: not the path or query (which may carry a token) of this request
      HttpUrl bare = url.newBuilder().encodedPath("/").query(null).fragment(null).build();
      slots[slot] = new Origin(scheme, authority, bare);
      return url;
    }
    String path = uri.getRawPath(); // never null with an authority: the URI is hierarchical
    return origin
        .url
        .newBuilder()
        .encodedPath(path.isEmpty() ? "/" : path)
        .encodedQuery(uri.getRawQuery())
        .encodedFragment(uri.getRawFragment())
        .build();
  }
}
