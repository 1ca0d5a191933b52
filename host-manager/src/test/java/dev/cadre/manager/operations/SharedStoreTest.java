package dev.cadre.manager.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.manager.EventView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.store.EventRecord;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one store, each with its own pool, operations and event bus, as two cadre servers sharing
 * a database: a cancel asked on B stops what A runs, a wait on B ends when A's operation does, B's
 * subscribers see A's events in order and a resume after an id has no gap. Here on the embedded database
 * (one file, opened twice); {@link SharedStoreIT} runs the same on PostgreSQL.
 */
@Timeout(60)
class SharedStoreTest {
  @TempDir
  Path dir;

  private TestDatabase db;
  private Server a;
  private Server b;

  /** The database under test; each test gets its own. */
  TestDatabase database(Path dir) {
    return TestDatabase.h2(dir);
  }

  /** One cadre server's share of the work: its own pool on the store, event bus, operations and workers. */
  private static final class Server implements AutoCloseable {
    final JdbcStore store;
    final EventBus events;
    final Operations operations;
    final ExecutorService workers = Executors.newCachedThreadPool();

    Server(TestDatabase db, String name) {
      store = db.open(4);
      events = new EventBus(store, Clock.systemUTC());
      operations = new Operations(store, events, Clock.systemUTC(), workers, name);
    }

    /** Stores a pending operation and runs {@code work} for it here. */
    String run(Operations.Work work) {
      OperationRecord op = operations.newOperation(OperationKind.CREATE_APP, "apps/shop", null);
      store.insertOperation(op);
      operations.submit(op, work);
      return op.id();
    }

    @Override
    public void close() {
      operations.shutdown(Duration.ofSeconds(2));
      events.close();
      store.close();
    }
  }

  @BeforeEach
  void open() {
    db = database(dir);
    a = new Server(db, "server-a");
    b = new Server(db, "server-b");
  }

  @AfterEach
  void close() {
    for (AutoCloseable c : new AutoCloseable[] {b, a, db}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the rest still closes
      }
    }
  }

  @Test
  void aCancelSentThroughBStopsTheOperationARuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    String id = a.run(ctx -> {
      started.countDown();
      for (int round = 0; ; round++) {
        ctx.checkCancelled();
        ctx.progress(round % 90);
        Thread.sleep(20);
      }
    });
    assertTrue(started.await(10, TimeUnit.SECONDS));
    long asked = System.nanoTime();
    assertEquals("running", b.operations.cancel(id).status());
    OperationView end = b.operations.await(id, Duration.ofSeconds(10));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
    assertEquals("cancelled", end.status(), end.toString());
    assertEquals("cancelled by request", end.error());
    assertTrue(end.steps().stream().anyMatch(s -> s.name().equals("cancel requested")), end.steps().toString());
    // A reads the flag at most every half second; B's wait reads the row every 200 ms
    assertTrue(took < 3000, "the cancel took " + took + " ms");
    // a cancel of an operation that has ended changes nothing, on either server
    assertEquals("cancelled", a.operations.cancel(id).status());
    assertFalse(a.store.requestCancel(id));
  }

  @Test
  void aCancelAskedBeforeTheWorkStartsStopsItAtItsFirstCheck() throws Exception {
    OperationRecord op = a.operations.newOperation(OperationKind.CREATE_APP, "apps/shop", null);
    a.store.insertOperation(op);
    b.operations.cancel(op.id());
    a.operations.submit(op, ctx -> {
      ctx.checkCancelled();
      ctx.step("should not run", null);
    });
    OperationView end = b.operations.await(op.id(), Duration.ofSeconds(10));
    assertEquals("cancelled", end.status(), end.toString());
    assertTrue(end.steps().stream().noneMatch(s -> s.name().equals("should not run")));
  }

  @Test
  void aWaitOnBEndsWhenAFinishes() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String id = a.run(ctx -> {
      assertTrue(release.await(30, TimeUnit.SECONDS));
      ctx.step("done", null);
    });
    CompletableFuture<OperationView> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return b.operations.await(id, Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(400);
    assertFalse(waiting.isDone(), "the wait ended before the operation did");
    long released = System.nanoTime();
    release.countDown();
    OperationView end = waiting.get(10, TimeUnit.SECONDS);
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
    assertEquals("success", end.status(), end.toString());
    assertTrue(took < 2000, "B saw the end " + took + " ms after it");
  }

  @Test
  void aWaitOnBForAnOperationThatGoesOnEndsAtItsTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String id = a.run(ctx -> assertTrue(release.await(30, TimeUnit.SECONDS)));
    long start = System.nanoTime();
    OperationView now = b.operations.await(id, Duration.ofMillis(500));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertFalse(now.done(), now.toString());
    assertTrue(took >= 450 && took < 3000, "the wait took " + took + " ms");
    release.countDown();
    assertEquals("success", a.operations.await(id, Duration.ofSeconds(10)).status());
  }

  @Test
  void bSeesEveryEventBothServersWriteInTheOrderOfTheirIds() throws Exception {
    List<EventView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable s = b.events.subscribe(seen::add)) {
      ExecutorService writers = Executors.newFixedThreadPool(2);
      try {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Server server : List.of(a, b)) {
          done.add(CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 30; i++) {
              server.events.publish("host", "hosts/" + server.operations.server(), Map.of("n", i));
            }
          }, writers));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      } finally {
        writers.shutdownNow();
      }
      awaitSize(seen, 60);
      assertEquals(ids(a.store.eventsAfter(0, 1000)), idsOf(seen), "every event, in the table's order");
      assertEquals(30, seen.stream().filter(e -> e.subject().equals("hosts/server-a")).count());
      // each server's own events keep the order they were written in
      assertEquals(java.util.stream.IntStream.range(0, 30).boxed().toList(), seen.stream()
          .filter(e -> e.subject().equals("hosts/server-a")).map(e -> ((Number) e.data().get("n")).intValue()).toList());
    }
  }

  @Test
  void aResumeAfterAnIdMissesNothing() throws Exception {
    for (int i = 0; i < 10; i++) {
      a.events.publish("member", "apps/shop/web/web-" + i, Map.of("state", "running"));
    }
    List<EventRecord> before = a.store.eventsAfter(0, 1000);
    long lastSeen = before.get(3).id(); // the client had the fourth event when its connection dropped
    List<EventView> resumed = new CopyOnWriteArrayList<>();
    try (AutoCloseable s = b.events.subscribe(lastSeen, resumed::add)) {
      for (int i = 10; i < 20; i++) {
        a.events.publish("member", "apps/shop/web/web-" + i, Map.of("state", "running"));
      }
      awaitSize(resumed, 16);
      List<Long> expected = ids(a.store.eventsAfter(lastSeen, 1000));
      assertEquals(16, expected.size());
      assertEquals(expected, idsOf(resumed));
      assertEquals("apps/shop/web/web-4", resumed.get(0).subject());
      assertEquals("running", resumed.get(0).data().get("state"));
    }
  }

  /**
   * A writer whose event took an id first but commits late: a later writer waits for it, so no reader ever
   * sees the later id before the earlier one (and skips it for good). The late writer is a plain connection
   * that holds the writers' lock as {@code addEvent} does.
   */
  @Test
  void aLaterEventNeverOvertakesOneStillBeingWritten() throws Exception {
    List<EventView> seen = new CopyOnWriteArrayList<>();
    try (AutoCloseable s = b.events.subscribe(seen::add);
        Connection slow = db.connect()) {
      slow.setAutoCommit(false);
      try (Statement st = slow.createStatement()) {
        st.executeQuery("SELECT id FROM event_writer WHERE id = 1 FOR UPDATE").close();
      }
      try (PreparedStatement insert = slow.prepareStatement(
          "INSERT INTO events (type, subject, data, at) VALUES ('host', 'hosts/slow', '{}', ?)")) {
        insert.setTimestamp(1, Timestamp.from(Instant.now()));
        insert.executeUpdate();
      }
      CompletableFuture<Void> later = CompletableFuture.runAsync(
          () -> a.events.publish("host", "hosts/later", Map.of()));
      Thread.sleep(600);
      assertTrue(seen.isEmpty(), "seen before the earlier event committed: " + seen);
      slow.commit();
      later.get(10, TimeUnit.SECONDS);
      awaitSize(seen, 2);
      assertEquals(List.of("hosts/slow", "hosts/later"), seen.stream().map(EventView::subject).toList());
      assertTrue(seen.get(0).id() < seen.get(1).id());
    }
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(300); // and nothing more comes (a duplicate would)
    assertEquals(size, list.size(), list.toString());
  }

  private static List<Long> ids(List<EventRecord> records) {
    return records.stream().map(EventRecord::id).toList();
  }

  private static List<Long> idsOf(List<EventView> events) {
    return events.stream().map(EventView::id).toList();
  }
}
