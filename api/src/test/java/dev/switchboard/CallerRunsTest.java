package dev.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallerRunsTest {

  @Test
  void tasksHandedInFromOtherThreadsRunOnTheWaitingThreadInOrder() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    Thread owner = Thread.currentThread();
    CallerRuns here = new CallerRuns(task -> ran.add("fallback"));
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread io =
        new Thread(
            () -> {
              for (int i = 0; i < 5; i++) {
                int n = i;
                here.execute(() -> ran.add(n + (Thread.currentThread() == owner ? "" : "!")));
              }
              here.execute(() -> done.complete(null));
            });
    io.start();
    here.runUntilDone(done);
    io.join();
    assertEquals(List.of("0", "1", "2", "3", "4"), ran);
  }

  @Test
  void whatComesAfterTheWaitEndsGoesToTheFallbackNeverLost() throws Exception {
    List<Runnable> toFallback = new CopyOnWriteArrayList<>();
    CallerRuns here = new CallerRuns(toFallback::add);
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    here.runUntilDone(done);
    CountDownLatch ran = new CountDownLatch(1);
    here.execute(ran::countDown);
    assertEquals(1, toFallback.size());
    toFallback.get(0).run();
    assertTrue(ran.await(1, TimeUnit.SECONDS));
  }

  @Test
  void tasksLeftWhenTheWaiterIsInterruptedGoToTheFallbackInOrder() {
    List<String> ran = new CopyOnWriteArrayList<>();
    CallerRuns here = new CallerRuns(Runnable::run);
    Thread.currentThread().interrupt();
    here.execute(() -> ran.add("a")); // handed in before the wait: run by the waiter
    assertThrows(
        InterruptedException.class,
        () ->
            here.runUntilDone(
                new CompletableFuture<>() {
                  @Override
                  public boolean isDone() {
                    ran.add("checked");
                    return false;
                  }
                }));
    here.execute(() -> ran.add("b")); // after: the fallback runs it
    assertEquals(List.of("a", "checked", "b"), ran);
  }
}
