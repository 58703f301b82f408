package dev.switchboard;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The response and read timeouts of every exchange of one transport, on one timer: armed for the
 * earliest deadline known, it goes over the calls in flight when it fires, fails the exchanges
 * whose deadline has passed and arms itself for the next. An exchange only records its deadline
 * (and arms the timer when that is earlier than the armed one, which, all timeouts being alike, is
 * rare); a body chunk only moves its deadline later, which needs no arming: no timer object, queue
 * entry or cancellation per exchange or per chunk.
 */
final class SilenceWatch implements Runnable {
  private final Iterable<Call> inFlight;
  private final AtomicLong armedFor = new AtomicLong(Long.MAX_VALUE);

  SilenceWatch(Iterable<Call> inFlight) {
    this.inFlight = inFlight;
  }

  /** An exchange waits for the server until {@code deadline} (Timers clock). */
  void expectBy(long deadline) {
    long armed = armedFor.get();
    while (deadline < armed) {
      if (armedFor.compareAndSet(armed, deadline)) {
        Timers.schedule(this, deadline - Timers.now());
        return;
      }
      armed = armedFor.get();
    }
  }

  /** On the timer thread (never concurrently): an earlier timer may have fired before this one. */
  @Override
  public void run() {
    // From here on an exchange recording a deadline arms the timer again, unless this sweep saw it
    // (both sides are volatile: one of them sees the other).
    armedFor.set(Long.MAX_VALUE);
    long now = Timers.now();
    long next = Long.MAX_VALUE;
    for (Call call : inFlight) {
      ExchangeState st = call.current;
      if (st != null) {
        next = Math.min(next, st.checkSilence(now));
      }
    }
    if (next != Long.MAX_VALUE) {
      expectBy(next);
    }
  }
}
