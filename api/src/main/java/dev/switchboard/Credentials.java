package dev.switchboard;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Credentials a transport puts on every attempt of a call, at the wire boundary (after redirects
 * and GET-body mode), set with {@link TransportConfig.Builder#credentials}: Basic, a bearer token
 * from a supplier, or an API key in a header of its own. They go only to the origin (scheme, host,
 * port) of the call's request: a redirect to another origin goes without them, as with {@code
 * Authorization} headers a caller sets. A header the caller set on the request wins.
 *
 * <p>A bearer token is asked of the supplier once per call, and once more after a {@code 401} to
 * that call (then the request goes once again, if its body can be resent): a supplier that caches
 * tokens can refresh an expired one there. The value is never shown: {@link #toString()}, the wire
 * log and Switchboard's messages redact it.
 */
public final class Credentials {
  private final String header;
  private final String fixed; // null for a bearer supplier
  private final Supplier<String> tokens;
  private final String kind;

  private Credentials(String header, String fixed, Supplier<String> tokens, String kind) {
    this.header = header;
    this.fixed = fixed;
    this.tokens = tokens;
    this.kind = kind;
  }

  /**
   * {@code Authorization: Basic} with {@code user} and {@code password} (UTF-8).
   *
   * @throws IllegalArgumentException when the user holds {@code :} or either holds a control
   *     character
   */
  public static Credentials basic(String user, String password) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (user.indexOf(':') >= 0 || hasControl(user) || hasControl(password)) {
      throw new IllegalArgumentException(
          "Basic credentials cannot carry ':' in the user name nor control characters");
    }
    String value =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new Credentials("Authorization", value, null, "Basic (user " + user + ")");
  }

  /**
   * {@code Authorization: Bearer <token>}, the token from {@code tokens}: asked once per call and
   * once more after a {@code 401}. The supplier runs on the thread that starts the attempt: it must
   * return at once (hand out a cached token; refresh it elsewhere or when asked again).
   */
  public static Credentials bearer(Supplier<String> tokens) {
    return new Credentials(
        "Authorization", null, Objects.requireNonNull(tokens, "tokens"), "Bearer");
  }

  /** {@code header: value}, an API key; the header is redacted like {@code Authorization}. */
  public static Credentials apiKey(String header, String value) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(value, "value");
    if (!Headers.isToken(header) || hasControl(value)) {
      throw new IllegalArgumentException(
          "API key header '" + header + "' or its value is not one HTTP can carry");
    }
    return new Credentials(header, value, null, "API key in " + header);
  }

  /** The header these credentials go in. */
  public String header() {
    return header;
  }

  /** Whether the value comes from a supplier that is asked again after a {@code 401}. */
  public boolean refreshes() {
    return tokens != null;
  }

  /** The header's value now (a bearer token: asked of the supplier). */
  String value() {
    if (tokens == null) {
      return fixed;
    }
    String token = tokens.get();
    if (token == null || token.isBlank() || hasControl(token)) {
      throw new IllegalStateException(
          "the bearer token supplier gave " + (token == null ? "null" : "an unusable token"));
    }
    return "Bearer " + token;
  }

  @Override
  public String toString() {
    return "Credentials[" + kind + ", " + Redaction.MASK + "]";
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
