package dev.switchboard;

import dev.switchboard.spi.TransportEngine;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Where completions run: the callback executor (a supplied one, or a pool the transport owns), or,
 * with the owned pool, the engine's own thread once the engine is done with it ({@link
 * TransportEngine#runAfterExchange}). Never an I/O thread.
 */
final class CompletionDispatch {
  private final TransportEngine engine;
  private final ThreadRoles roles;
  private final Executor callbacks;
  private final CallbackPool owned;

  CompletionDispatch(TransportEngine engine, TransportConfig config, ThreadRoles roles) {
    this.engine = engine;
    this.roles = roles;
    if (config.callbackExecutor() != null) {
      this.callbacks = config.callbackExecutor();
      this.owned = null;
    } else {
      // marked for the thread's life: no per-task mark
      this.owned =
          new CallbackPool(
              "switchboard-" + engine.name() + "-callback-", roles::markCallbackThread);
      this.callbacks = owned;
    }
  }

  /** The callback executor. */
  Executor callbacks() {
    return callbacks;
  }

  /** Whether the callbacks run on the transport's own pool (not a supplied executor). */
  boolean ownsCallbacks() {
    return owned != null;
  }

  /** Runs {@code task} on {@code target}, or on the engine's thread when it lends it. */
  void dispatch(Executor target, Runnable task) {
    if (target == owned && lentByEngine(task)) {
      return;
    }
    handOff(target, task);
  }

  /**
   * Runs {@code task} on {@code target}, never on a thread the engine lends: for a completion that
   * must not wait for the end of the exchange, such as a stream's headers (the engine's thread is
   * lent only once the exchange is over, and the body is read by the consumer this task starts).
   */
  void handOff(Executor target, Runnable task) {
    try {
      target.execute(task);
    } catch (RejectedExecutionException e) {
      task.run(); // the executor is shut down: complete here rather than never
    }
  }

  private boolean lentByEngine(Runnable task) {
    try {
      return engine.runAfterExchange(task);
    } catch (RuntimeException e) {
      return false; // an engine's bug must not lose a completion: the pool takes it
    }
  }

  /**
   * Stops the owned pool and lets its threads finish what they were completing, bounded; skipped on
   * a callback thread itself (it would wait for its own end).
   */
  void shutdown() {
    if (owned == null) {
      return;
    }
    owned.shutdown();
    if (roles.onCallbackThread()) {
      return;
    }
    try {
      owned.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
