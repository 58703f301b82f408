package dev.switchboard.jdk;

import dev.switchboard.Headers;
import dev.switchboard.Request;
import dev.switchboard.TransportException;
import dev.switchboard.UnsupportedFeatureException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/**
 * Maps a {@link Request} onto an {@link HttpRequest}. The JDK writes {@code Host}, {@code
 * Content-Length}, {@code Connection}, {@code Expect} and {@code Upgrade} itself and refuses them
 * from callers (unless the JVM-wide {@code jdk.httpclient.allowRestrictedHeaders} is set). A value
 * equal to what the JDK writes anyway ({@code Host} of the URI, {@code Content-Length} of the body)
 * is dropped; {@code Expect: 100-continue} becomes {@link HttpRequest.Builder#expectContinue}; any
 * other is refused with an {@link UnsupportedFeatureException} naming the header.
 *
 * <p>No {@link HttpRequest.Builder#timeout} is set: it would stop at the headers, while the api
 * layer runs the response timeout and the deadline over the whole exchange.
 */
final class JdkRequests {
  private JdkRequests() {}

  /**
   * The JDK's request for {@code request}. {@code proxyAuthorization} (or {@code null}) is sent
   * with it: the Basic credentials of the HTTP proxy the request goes through, given up front (the
   * JDK copies them onto its {@code CONNECT}, see {@link TunnelCredentials}), since answering a
   * forward proxy's {@code 407} would be a resend of the request, which Switchboard refuses the JDK
   * (see {@link RequestBody}). A proxy that refuses them answers {@code 407}, which the JDK hands
   * over.
   */
  static HttpRequest build(
      Request request,
      HttpClient.Version version,
      HttpRequest.BodyPublisher body,
      String proxyAuthorization) {
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(request.uri());
    } catch (IllegalArgumentException e) {
      throw new TransportException(
          "the JDK HttpClient cannot send to this URI: " + e.getMessage(),
          request,
          JdkEngine.NAME,
          false,
          e);
    }
    b.version(version);
    Headers headers = request.headers();
    for (int i = 0, n = headers.size(); i < n; i++) {
      header(b, request, headers.name(i), headers.value(i));
    }
    if (proxyAuthorization != null) {
      b.setHeader("Proxy-Authorization", proxyAuthorization);
    }
    try {
      b.method(request.method(), body);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedFeatureException(
          "the JDK HttpClient cannot send method "
              + request.method()
              + " ("
              + e.getMessage()
              + "); use the apache or okhttp transport",
          request,
          JdkEngine.NAME,
          e);
    }
    return b.build();
  }

  private static void header(HttpRequest.Builder b, Request request, String name, String value) {
    // equalsIgnoreCase, not a switch on a lower-cased copy: no new string per header
    if (name.equalsIgnoreCase("Content-Length")) {
      if (value.strip().equals(Long.toString(request.body().length()))) {
        return; // the JDK writes this very value
      }
      throw refused(request, name, "it writes Content-Length from the body itself");
    } else if (name.equalsIgnoreCase("Host")) {
      if (value.strip().equalsIgnoreCase(authority(request.uri()))) {
        return; // the JDK writes this very value
      }
      throw refused(request, name, "it writes Host from the URI; put the host in the URI");
    } else if (name.equalsIgnoreCase("Expect")) {
      if (value.strip().equalsIgnoreCase("100-continue")) {
        b.expectContinue(true);
        return;
      }
      throw refused(request, name, "only Expect: 100-continue is supported");
    } else if (name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Upgrade")) {
      throw refused(request, name, "it manages connections and protocol upgrades itself");
    }
    try {
      b.header(name, value);
    } catch (IllegalArgumentException e) {
      throw refused(request, name, e.getMessage(), e);
    }
  }

  private static String authority(URI uri) {
    return uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  private static UnsupportedFeatureException refused(Request request, String name, String why) {
    return refused(request, name, why, null);
  }

  private static UnsupportedFeatureException refused(
      Request request, String name, String why, Throwable jdkRefusal) {
    return new UnsupportedFeatureException(
        "the JDK HttpClient does not let callers set the '"
            + name
            + "' header ("
            + why
            + "); remove it from the request, or use the apache or okhttp transport",
        request,
        JdkEngine.NAME,
        jdkRefusal);
  }
}
