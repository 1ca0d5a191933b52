package dev.cadre.manager.operations;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadre.driver.UnavailableException;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.StepView;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.StepRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A step recorded while its work runs: shown running with a detail that changes in place, written at most
 * twice a second, never failing its work for the store, and ended once with its final detail.
 */
class RunningStepTest {
  private final TestClock clock = new TestClock();
  private JdbcStore real;
  /** The store, whose step updates fail while {@link #updatesFail} is set. */
  private Store store;
  private final AtomicBoolean updatesFail = new AtomicBoolean();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private Operations operations;

  @BeforeEach
  void open() {
    real = JdbcStore.open("jdbc:h2:mem:steps-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null, null, 4);
    store = (Store) java.lang.reflect.Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
        (proxy, method, args) -> {
          if (method.getName().equals("updateStep") && updatesFail.get()) {
            throw new UnavailableException(null, "store: the database does not answer");
          }
          try {
            return method.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    operations = new Operations(store, new EventBus(store, clock), clock, executor, "server-1");
  }

  @AfterEach
  void close() {
    executor.shutdownNow();
    real.close();
  }

  private String operation() {
    OperationRecord op = operations.newOperation(OperationKind.MOVE_APP, "apps/shop", null);
    store.insertOperation(op);
    return op.id();
  }

  private StepRecord only(String operationId) {
    List<StepRecord> steps = store.steps(operationId);
    assertEquals(1, steps.size(), steps.toString());
    return steps.get(0);
  }

  @Test
  void aStepShowsRunningWithItsDetailUpdatedInPlaceThenDone() {
    String op = operation();
    Instant began = clock.now;
    RunningStep step = new RunningStep(store, clock, op, "mv-db-1: pre-copy", "lxd1 -> lxd2 while it serves");
    assertEquals(new StepRecord("mv-db-1: pre-copy", StepStatus.RUNNING, "lxd1 -> lxd2 while it serves", began), only(op));

    clock.advance(Duration.ofMillis(600));
    step.update("lxd1 -> lxd2 while it serves, 42.1 MiB sent");
    assertEquals(new StepRecord("mv-db-1: pre-copy", StepStatus.RUNNING, "lxd1 -> lxd2 while it serves, 42.1 MiB sent",
        clock.now), only(op), "updated in place, its time the update's");

    clock.advance(Duration.ofMillis(1000));
    step.done("lxd1 -> lxd2 while it serves, 1600 ms, 97.3 MiB sent");
    step.update("too late");
    step.close();
    assertEquals(new StepRecord("mv-db-1: pre-copy", StepStatus.DONE, "lxd1 -> lxd2 while it serves, 1600 ms, 97.3 MiB sent",
        clock.now), only(op), "ended once: what comes after changes nothing");
  }

  @Test
  void updatesReachTheStoreAtMostTwiceASecond() {
    String op = operation();
    RunningStep step = new RunningStep(store, clock, op, "mv-db-1: pre-copy", "starting");
    clock.advance(Duration.ofMillis(200));
    step.update("1 MiB sent");
    assertEquals("starting", only(op).detail(), "200 ms after the last write: not written");
    clock.advance(Duration.ofMillis(300));
    step.update("2 MiB sent");
    assertEquals("2 MiB sent", only(op).detail());
    clock.advance(Duration.ofMillis(499));
    step.update("3 MiB sent");
    assertEquals("2 MiB sent", only(op).detail());
    clock.advance(Duration.ofMillis(1));
    step.update("4 MiB sent");
    assertEquals("4 MiB sent", only(op).detail());
  }

  @Test
  void aStoreThatFailsAnUpdateDoesNotFailTheWork() {
    String op = operation();
    RunningStep step = new RunningStep(store, clock, op, "mv-db-1: refresh 1", "starting");
    updatesFail.set(true);
    clock.advance(Duration.ofSeconds(1));
    assertDoesNotThrow(() -> step.update("1 MiB sent"));
    assertThrows(UnavailableException.class, () -> step.done("what changed meanwhile, 1000 ms"),
        "the end is stored like any step");
    updatesFail.set(false);
    clock.advance(Duration.ofSeconds(1));
    step.done("what changed meanwhile, 2000 ms");
    assertEquals(StepStatus.DONE, only(op).status(), "an end the store refused can be told again");
  }

  @Test
  void aStepClosedWithoutAnEndFailsWithWhatItHadGotTo() {
    String op = operation();
    clock.advance(Duration.ofSeconds(1));
    try (RunningStep step = new RunningStep(store, clock, op, "mv-db-1: final copy", "lxd1 -> lxd2, refresh")) {
      clock.advance(Duration.ofSeconds(1));
      step.update("lxd1 -> lxd2, refresh, 3.0 MiB sent");
      clock.advance(Duration.ofMillis(100));
      step.update("lxd1 -> lxd2, refresh, 3.5 MiB sent"); // not written yet: the close writes it
    }
    assertEquals(new StepRecord("mv-db-1: final copy", StepStatus.FAILED, "lxd1 -> lxd2, refresh, 3.5 MiB sent", clock.now),
        only(op));
    assertThrows(IllegalArgumentException.class,
        () -> new RunningStep(store, clock, op, "x", null).end(StepStatus.RUNNING, "still"));
  }

  /** Through an operation: the view shows the step running while the work runs, and done once it ended. */
  @Test
  void anOperationShowsItsRunningStepAndEndsWhatItsWorkLeftRunning() throws Exception {
    CountDownLatch updated = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    OperationRecord op = operations.newOperation(OperationKind.MOVE_APP, "apps/shop", null);
    store.insertOperation(op);
    operations.submit(op, ctx -> {
      RunningStep step = ctx.begin("mv-web-1: pre-copy", "h1 -> h5 while it serves");
      clock.advance(Duration.ofSeconds(1));
      step.update("h1 -> h5 while it serves, 1.5 MiB sent");
      updated.countDown();
      finish.await(10, TimeUnit.SECONDS);
      step.done("h1 -> h5 while it serves, 1000 ms, 2.0 MiB sent");
      ctx.begin("mv-web-1: final copy", "h1 -> h5, refresh"); // left running: the work failed before it ended
      throw new OperationFailedException("the move failed");
    });
    updated.await(10, TimeUnit.SECONDS);
    StepView running = operations.view(op.id()).steps().get(0);
    assertEquals(List.of("mv-web-1: pre-copy", "running", "h1 -> h5 while it serves, 1.5 MiB sent"),
        List.of(running.name(), running.status(), running.detail()));
    finish.countDown();
    OperationView end = operations.await(op.id(), Duration.ofSeconds(10));
    assertEquals(OperationStatus.FAILURE.wire(), end.status());
    assertEquals(List.of("mv-web-1: pre-copy done h1 -> h5 while it serves, 1000 ms, 2.0 MiB sent",
            "mv-web-1: final copy failed h1 -> h5, refresh"),
        end.steps().stream().map(s -> s.name() + " " + s.status() + " " + s.detail()).toList());
  }

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-11-24T19:42:48Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
