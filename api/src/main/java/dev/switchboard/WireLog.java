package dev.switchboard;

import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The wire log, through {@code System.Logger} {@code dev.switchboard}: at DEBUG one line per
 * attempt when it ends (method, URI with credentials redacted, status or failure, bytes, duration,
 * attempt and transport); at TRACE the request's and the response's header fields, with the
 * configured headers redacted ({@link TransportConfig#redactedHeaders()}). Nothing above DEBUG.
 */
final class WireLog implements EventListener {
  private static final System.Logger LOG = CallEvents.LOG;

  /** What the log keeps of a call: its current attempt's status, and whether it has been logged. */
  private static final class Current {
    AttemptEvent attempt;
    int status;
    boolean logged;
  }

  private final Set<String> redacted;

  WireLog(Set<String> redacted) {
    this.redacted = redacted;
  }

  @Override
  public void attemptStart(AttemptEvent attempt) {
    Current c = new Current();
    c.attempt = attempt;
    attempt.call().put(Current.class, c);
  }

  @Override
  public void requestSent(AttemptEvent attempt) {
    if (LOG.isLoggable(Level.TRACE)) {
      Request r = attempt.request();
      LOG.log(Level.TRACE, "--> " + r.summary() + prefix(attempt) + fields(r.headers()));
    }
  }

  @Override
  public void responseHeaders(AttemptEvent attempt, int status, Headers headers) {
    Current c = attempt.call().get(Current.class);
    if (c != null) {
      c.status = status;
    }
    if (LOG.isLoggable(Level.TRACE)) {
      LOG.log(
          Level.TRACE,
          "<-- " + status + " " + attempt.request().summary() + prefix(attempt) + fields(headers));
    }
  }

  @Override
  public void responseBodyEnd(AttemptEvent attempt, long bytes) {
    Current c = attempt.call().get(Current.class);
    if (c != null && !c.logged) {
      c.logged = true;
      line(attempt, c.status + " (" + bytes + " bytes)");
    }
  }

  @Override
  public void attemptFailed(AttemptEvent attempt, TransportException failure) {
    Current c = attempt.call().get(Current.class);
    if (c != null && !c.logged) {
      c.logged = true;
      line(attempt, "failed (" + failure.getClass().getSimpleName() + ")");
    }
  }

  @Override
  public void callEnd(CallEvent call, int status) {
    Current c = call.get(Current.class);
    if (c != null && !c.logged) { // a stream closed before its end
      c.logged = true;
      line(c.attempt, c.status + " (closed before the end of the body)");
    }
  }

  private static void line(AttemptEvent a, String outcome) {
    if (!LOG.isLoggable(Level.DEBUG)) {
      return;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startNanos());
    LOG.log(
        Level.DEBUG,
        a.request().summary()
            + " -> "
            + outcome
            + " in "
            + ms
            + " ms, attempt "
            + a.number()
            + (a.reason() == AttemptEvent.Reason.INITIAL
                ? ""
                : " (" + a.reason().name().toLowerCase(java.util.Locale.ROOT) + ")")
            + ", "
            + a.call().transport());
  }

  private static String prefix(AttemptEvent a) {
    return " (attempt " + a.number() + ", " + a.call().transport() + ")";
  }

  private String fields(Headers headers) {
    StringBuilder b = new StringBuilder();
    for (int i = 0, n = headers.size(); i < n; i++) {
      String name = headers.name(i);
      b.append("\n    ").append(name).append(": ");
      b.append(Redaction.value(name, headers.value(i), redacted));
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "WireLog";
  }
}
