package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
