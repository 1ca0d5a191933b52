package dev.cadre.manager.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LaneTest {
  final CountDownLatch release = new CountDownLatch(1);
  Lane lane;

  @AfterEach
  void close() {
    release.countDown();
    if (lane != null) {
      lane.close();
    }
  }

  /** Blocks until the test ends, ignoring interrupts, like a socket read on a host that never answers. */
  Callable<String> stubborn(CountDownLatch started) {
    return () -> {
      started.countDown();
      while (true) {
        try {
          if (release.await(10, TimeUnit.SECONDS)) {
            return "late";
          }
        } catch (InterruptedException ignored) {
          // a hung read does not notice
        }
      }
    };
  }

  static <T> Outcome<T> outcome(CompletableFuture<Outcome<T>> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTaskThatIgnoresItsInterruptTimesOutAtItsLimitAndKeepsItsKeyBusyUntilItReturns() throws Exception {
    lane = new Lane("t", 2, 4);
    CountDownLatch started = new CountDownLatch(1);
    long t0 = System.nanoTime();
    var hung = lane.submit("host-a", Duration.ofMillis(200), stubborn(started)).orElseThrow();
    Outcome<String> o = outcome(hung);
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertInstanceOf(Outcome.TimedOut.class, o);
    assertEquals("200ms", ((Outcome.TimedOut<String>) o).after());
    assertTrue(took >= 190 && took < 2_000, "timed out after " + took + " ms");
    // no second task for the same key while the first still holds its thread
    assertTrue(lane.busy("host-a"));
    assertTrue(lane.submit("host-a", Duration.ofMillis(200), () -> "again").isEmpty());
    // another key is not held up
    assertEquals(new Outcome.Done<>("b"), outcome(lane.submit("host-b", Duration.ofSeconds(5), () -> "b").orElseThrow()));

    release.countDown();
    for (int i = 0; i < 200 && lane.busy("host-a"); i++) {
      Thread.sleep(10);
    }
    assertFalse(lane.busy("host-a"), "the key is free once the thread returned");
    assertEquals(new Outcome.Done<>("a"), outcome(lane.submit("host-a", Duration.ofSeconds(5), () -> "a").orElseThrow()));
  }

  @Test
  void aTaskThatWaitsInTheQueuePastItsLimitNeverRunsAndAFullQueueRefuses() throws Exception {
    lane = new Lane("t", 1, 1);
    CountDownLatch started = new CountDownLatch(1);
    lane.submit("busy", Duration.ofMillis(100), stubborn(started)).orElseThrow();
    assertTrue(started.await(5, TimeUnit.SECONDS));
    List<String> ran = new CopyOnWriteArrayList<>();
    var queued = lane.submit("queued", Duration.ofMillis(300), () -> ran.add("queued")).orElseThrow();
    assertTrue(lane.submit("third", Duration.ofMillis(300), () -> ran.add("third")).isEmpty(), "the queue holds one");
    assertInstanceOf(Outcome.NotStarted.class, outcome(queued));
    assertFalse(lane.busy("queued"));
    assertTrue(ran.isEmpty());
  }

  @Test
  void failuresAreOutcomesAndThreadsAreNamed() throws Exception {
    lane = new Lane("cadre-test", 1, 1);
    var failed = outcome(lane.submit("x", Duration.ofSeconds(5), () -> {
      throw new IllegalStateException("broken");
    }).orElseThrow());
    assertEquals("broken", ((Outcome.Failed<Object>) failed).error().getMessage());
    String thread = ((Outcome.Done<String>) outcome(lane.submit("y", Duration.ofSeconds(5),
        () -> Thread.currentThread().getName()).orElseThrow())).value();
    assertTrue(thread.startsWith("cadre-test-"), thread);
  }

  @Test
  void aRoundEndsAtTheLimitOfItsSlowestTaskAndHandsEveryOutcomeOnTheCallersThread() throws Exception {
    lane = new Lane("t", 4, 16);
    CountDownLatch started = new CountDownLatch(1);
    Map<String, Callable<String>> work = new LinkedHashMap<>();
    work.put("hung", stubborn(started));
    work.put("quick-1", () -> "1");
    work.put("quick-2", () -> "2");
    Map<String, Outcome<String>> seen = new ConcurrentHashMap<>();
    Thread caller = Thread.currentThread();
    long t0 = System.nanoTime();
    int skipped = lane.runAll(work, Duration.ofMillis(300), (k, o) -> {
      assertEquals(caller, Thread.currentThread());
      seen.put(k, o);
    });
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(0, skipped);
    assertEquals(new Outcome.Done<>("1"), seen.get("quick-1"));
    assertEquals(new Outcome.Done<>("2"), seen.get("quick-2"));
    assertInstanceOf(Outcome.TimedOut.class, seen.get("hung"));
    assertTrue(took < 3_000, "round took " + took + " ms");

    // the next round skips the host whose probe still hangs, and checks the rest
    seen.clear();
    assertEquals(1, lane.runAll(work, Duration.ofMillis(300), seen::put));
    assertEquals(2, seen.size());
  }

  @Test
  void aKeyIsFreeAsSoonAsItsOutcomeIsKnown() throws Exception {
    lane = new Lane("t", 4, 4);
    for (int i = 0; i < 2_000; i++) {
      var f = lane.submit("member", Duration.ofSeconds(5), () -> "ok");
      assertTrue(f.isPresent(), "round " + i + ": the previous check had ended, yet its key was busy");
      assertEquals(new Outcome.Done<>("ok"), outcome(f.get()));
    }
  }

  @Test
  void closingAnswersWhoeverStillWaits() throws Exception {
    lane = new Lane("t", 1, 2);
    CountDownLatch started = new CountDownLatch(1);
    var hung = lane.submit("hung", Duration.ofMinutes(5), stubborn(started)).orElseThrow();
    var queued = lane.submit("queued", Duration.ofMinutes(5), () -> "never").orElseThrow();
    assertTrue(started.await(5, TimeUnit.SECONDS));
    lane.close();
    assertInstanceOf(Outcome.Failed.class, outcome(hung));
    assertInstanceOf(Outcome.Failed.class, outcome(queued));
    assertTrue(lane.submit("after", Duration.ofSeconds(1), () -> "x").isEmpty());
  }

  @Test
  void finishedTasksLeaveNoDeadlineBehind() throws Exception {
    lane = new Lane("t", 4, 1000);
    Map<String, Callable<String>> work = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      work.put("k" + i, () -> "ok");
    }
    // limits of an hour: a deadline left behind would stay that long
    assertEquals(0, lane.runAll(work, Duration.ofHours(1), (k, o) -> { }));
    for (int i = 0; i < 50 && lane.pendingDeadlines() > 0; i++) {
      Thread.sleep(20);
    }
    assertEquals(0, lane.pendingDeadlines(), "deadlines left behind by 200 finished tasks");
  }
}
