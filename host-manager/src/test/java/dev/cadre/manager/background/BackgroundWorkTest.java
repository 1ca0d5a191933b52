package dev.cadre.manager.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackgroundWorkTest {
  final BackgroundWork work = new BackgroundWork(new BackgroundWork.Limits(2, 1, 2, 4, 2, 2, 8));
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    work.close();
  }

  @Test
  void aSlowKindNeitherPilesUpNorDelaysAnother() throws Exception {
    AtomicInteger slowStarts = new AtomicInteger();
    AtomicInteger slowRunning = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger quickRounds = new AtomicInteger();
    CountDownLatch quickTen = new CountDownLatch(10);
    work.every("slow", Duration.ofMillis(10), () -> {
      slowStarts.incrementAndGet();
      mostAtOnce.accumulateAndGet(slowRunning.incrementAndGet(), Math::max);
      try {
        release.await(); // a health round whose hooks all hang
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        slowRunning.decrementAndGet();
      }
    });
    work.every("quick", Duration.ofMillis(10), () -> {
      quickRounds.incrementAndGet();
      quickTen.countDown();
    });
    assertTrue(quickTen.await(5, TimeUnit.SECONDS), "quick rounds: " + quickRounds.get());
    Thread.sleep(100);
    assertEquals(1, slowStarts.get(), "a round still running is not started again");
    assertEquals(1, mostAtOnce.get());

    release.countDown();
    for (int i = 0; i < 500 && slowStarts.get() < 3; i++) {
      Thread.sleep(10);
    }
    assertTrue(slowStarts.get() >= 3, "rounds go on once the slow one ended: " + slowStarts.get());
    assertEquals(1, mostAtOnce.get(), "never two rounds of a kind at once");
  }

  @Test
  void aRoundThatThrowsDoesNotEndItsKind() throws Exception {
    CountDownLatch three = new CountDownLatch(3);
    work.every("flaky", Duration.ofMillis(5), () -> {
      three.countDown();
      throw new IllegalStateException("store down");
    });
    assertTrue(three.await(5, TimeUnit.SECONDS));
  }

  @Test
  void operationWorkersAreBoundedAndRefuseWhatTheQueueCannotHold() throws Exception {
    CountDownLatch running = new CountDownLatch(2);
    Runnable blocked = () -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    work.operations().execute(blocked);
    work.operations().execute(blocked);
    assertTrue(running.await(5, TimeUnit.SECONDS));
    work.operations().execute(() -> {}); // waits in the queue of one
    assertThrows(RejectedExecutionException.class, () -> work.operations().execute(() -> {}));
    // members have threads of their own: provisioning is not held up by busy operation workers
    CountDownLatch member = new CountDownLatch(1);
    work.members().execute(member::countDown);
    assertTrue(member.await(5, TimeUnit.SECONDS));
  }
}
