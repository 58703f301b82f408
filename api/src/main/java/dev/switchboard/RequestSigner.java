package dev.switchboard;

/**
 * Signs each attempt of a call with the request exactly as it will be sent: after interceptors,
 * redirects, GET-body mode ({@link TransportConfig#getWithBody()}), the header defaults ({@code
 * User-Agent}, {@code Accept-Encoding}) and {@link TransportConfig#credentials()}, so that a
 * signature (an AWS SigV4-style one, say) covers what the server receives. Set with {@link
 * TransportConfig.Builder#signer}.
 *
 * <p>Called once per attempt (a retry, a redirect, a stale-connection resend and a refreshed bearer
 * token are each signed anew), on the thread that starts the attempt: it must not block. Headers an
 * {@link EventListener} sets in {@code attemptStart} (a {@code traceparent}) are added after
 * signing. What it throws fails the attempt with a {@link TransportException} whose cause it is;
 * nothing is sent.
 */
@FunctionalInterface
public interface RequestSigner {
  /**
   * The request to send instead of {@code wire}: usually {@code wire.toBuilder().header(...)
   * .build()}. Must not return {@code null}.
   */
  Request sign(Request wire) throws Exception;
}
