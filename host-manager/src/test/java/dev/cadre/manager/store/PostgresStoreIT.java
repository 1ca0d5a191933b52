package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link JdbcStoreIT}'s tests on a real PostgreSQL server (the one {@code scripts/postgres up} runs;
 * {@code scripts/test} exports {@code CADRE_PG_URL}, {@code CADRE_PG_USER}, {@code CADRE_PG_PASSWORD}),
 * each in a fresh schema dropped afterwards, plus what only a shared server has: several cadre servers
 * opening one store at once.
 */
class PostgresStoreIT extends JdbcStoreIT {

  @Override
  TestDatabase database(Path dir) {
    return TestDatabase.postgres();
  }

  @Test
  void serversStartingTogetherAgreeOnTheStore() throws Exception {
    assertEquals(1, openTogether(8, () -> {}).size());
    try (var c = db.connect();
        var r = c.createStatement().executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'")) {
      r.next();
      assertEquals(1, r.getInt(1), "the schema was migrated once");
    }
  }

  /**
   * The store id made by two servers at the same instant: both read "none", both insert, one insert
   * fails on the key. PostgreSQL aborts that transaction, so the loser must read the winner's id in a
   * new one. A lock on the table holds both readers until they can race for real.
   */
  @Test
  void theLoserOfTheStoreIdRaceReadsTheWinnersId() throws Exception {
    try (JdbcStore first = db.open(2)) {
      first.storeId();
    }
    try (Connection gate = db.connect(); Statement s = gate.createStatement()) {
      s.execute("DELETE FROM cadre_meta");
      gate.setAutoCommit(false);
      s.execute("LOCK TABLE cadre_meta IN ACCESS EXCLUSIVE MODE");
      Set<String> ids = openTogether(4, () -> {
        Thread.sleep(1500); // every opener is now waiting on the lock
        gate.commit();
      });
      assertEquals(1, ids.size(), "one store, one id: " + ids);
    }
  }

  /** Opens the store from {@code servers} threads at once; {@code meanwhile} runs once they are started. */
  private Set<String> openTogether(int servers, Meanwhile meanwhile) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(servers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> ids = new ArrayList<>();
    try {
      for (int i = 0; i < servers; i++) {
        ids.add(pool.submit(() -> {
          start.await();
          try (JdbcStore store = db.open(2)) {
            return store.storeId();
          }
        }));
      }
      start.countDown();
      meanwhile.run();
      Set<String> distinct = new HashSet<>();
      for (Future<String> id : ids) {
        distinct.add(id.get());
      }
      return distinct;
    } finally {
      pool.shutdownNow();
    }
  }

  @FunctionalInterface
  private interface Meanwhile {
    void run() throws Exception;
  }

  /**
   * The lease of background work between two servers: one holds it while it renews, the other takes it
   * with the next epoch once it expired, and the first, back again, is fenced by its old epoch (its renewal
   * and its check both say no) until the lease is free and it takes a new one.
   */
  @Test
  void oneServerHoldsTheLeaseAndOneThatLostItIsFencedByItsEpoch() throws Exception {
    try (JdbcStore a = db.open(2); JdbcStore b = db.open(2)) {
      a.join("A", "a");
      b.join("B", "b");
      long first = a.claimLease("A", 0);
      assertTrue(first > 0);
      assertEquals(0, b.claimLease("B", 0), "A holds it unexpired");
      assertEquals(first, a.claimLease("A", first), "a renewal keeps the epoch");
      assertTrue(a.holdsLease("A", first));
      assertTrue(b.serverAlive("A"));
      assertEquals(List.of("A"), b.servers().stream().filter(ServerRecord::leader).map(ServerRecord::id).toList());

      // A stops beating and renewing (frozen): its lease expires and its row goes stale
      b.beat("B", "b");
      Thread.sleep(Store.EXPIRY.toMillis() + 300);
      assertFalse(b.serverAlive("A"));
      assertFalse(a.holdsLease("A", first), "expired");
      b.beat("B", "b");
      long second = b.claimLease("B", 0);
      assertEquals(first + 1, second);

      // A back: B's lease stands against A's old epoch
      a.beat("A", "a");
      assertEquals(0, a.claimLease("A", first));
      assertFalse(a.holdsLease("A", first));
      assertTrue(b.holdsLease("B", second));
      List<ServerRecord> servers = a.servers();
      assertEquals(List.of("A", "B"), servers.stream().map(ServerRecord::id).toList());
      assertTrue(servers.stream().allMatch(ServerRecord::alive));
      assertEquals(second, servers.stream().filter(ServerRecord::leader).findFirst().orElseThrow().epoch());

      // B leaves cleanly: the lease is free at once, and A takes it with a new epoch, never its old one
      b.leave("B");
      assertFalse(a.serverAlive("B"));
      assertEquals(second + 1, a.claimLease("A", first));
      assertEquals(List.of("A"), a.servers().stream().map(ServerRecord::id).toList());
    }
  }

  /**
   * The placement lock is one at a time across servers: B's placement waits until A's returns, and sees
   * what A wrote.
   */
  @Test
  void placementsOfTwoServersNeverInterleave() throws Exception {
    try (JdbcStore a = db.open(4); JdbcStore b = db.open(4)) {
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<?> first = pool.submit(() -> a.placementLocked(() -> {
          order.add("a in");
          inside.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          order.add("a out");
          return null;
        }));
        assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Future<?> second = pool.submit(() -> b.placementLocked(() -> order.add("b")));
        Thread.sleep(500);
        assertEquals(List.of("a in"), order, "B waits for A's placement");
        release.countDown();
        first.get(10, java.util.concurrent.TimeUnit.SECONDS);
        second.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of("a in", "a out", "b"), order);
      } finally {
        release.countDown();
        pool.shutdownNow();
      }
    }
  }
}
