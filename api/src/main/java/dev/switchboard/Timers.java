package dev.switchboard;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread behind every deadline, response timeout and retry delay. Its tasks only
 * abort exchanges and hand work to a callback executor, so one daemon thread serves every
 * transport.
 */
final class Timers {
  private static final ScheduledThreadPoolExecutor TIMER;

  static {
    TIMER =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "switchboard-timer");
              t.setDaemon(true);
              return t;
            });
    TIMER.setRemoveOnCancelPolicy(true);
  }

  private Timers() {}

  static ScheduledFuture<?> schedule(Runnable task, long nanos) {
    return TIMER.schedule(task, Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }
}
