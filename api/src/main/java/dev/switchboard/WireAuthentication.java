package dev.switchboard;

import java.net.URI;

/**
 * Puts {@link TransportConfig#credentials()} and {@link TransportConfig#signer()} on each attempt,
 * at the wire boundary: after {@link WirePreparation}, so that they see the request exactly as it
 * goes (method after GET-body mode, header defaults, the redirect's target). Credentials go only to
 * the call's origin and never replace a header the caller set; the signer comes last.
 */
final class WireAuthentication {
  private final Credentials credentials;
  private final RequestSigner signer;
  private final String transport;

  WireAuthentication(TransportConfig config, String transport) {
    this.credentials = config.credentials();
    this.signer = config.signer();
    this.transport = transport;
  }

  boolean isOff() {
    return credentials == null && signer == null;
  }

  /** Whether a {@code 401} to {@code wire} should be answered by asking for a fresh token. */
  boolean refreshesAfter401(Call call, Request wire) {
    return credentials != null
        && credentials.refreshes()
        && sameOrigin(call.original.uri(), wire.uri())
        && !call.original.headers().contains(credentials.header());
  }

  /**
   * {@code wire} with the credentials and the signature of this attempt.
   *
   * @throws TransportException when the token supplier or the signer failed (nothing is sent)
   */
  Request apply(Call call, Request wire) {
    if (isOff()) {
      return wire;
    }
    Request r = wire;
    if (credentials != null
        && sameOrigin(call.original.uri(), wire.uri())
        && !wire.headers().contains(credentials.header())) {
      String value;
      try {
        value = call.credential(credentials);
      } catch (RuntimeException e) {
        throw failed("the credentials' token supplier failed: " + e.getMessage(), wire, e);
      }
      r = r.with(r.method(), r.headers().toBuilder().set(credentials.header(), value).build());
    }
    if (signer != null) {
      Request signed;
      try {
        signed = signer.sign(r);
      } catch (Exception | LinkageError | AssertionError e) {
        throw failed("the request signer failed: " + e, wire, e);
      }
      if (signed == null) {
        throw failed("the request signer returned null", wire, null);
      }
      r = signed;
    }
    return r;
  }

  private TransportException failed(String message, Request wire, Throwable cause) {
    return new TransportException(message + "; nothing was sent", wire, transport, false, cause);
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null && a.getHost() != null && Redirects.sameOrigin(a, b);
  }
}
