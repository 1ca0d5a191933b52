package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
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
    int servers = 8;
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
      Set<String> distinct = new HashSet<>();
      for (Future<String> id : ids) {
        distinct.add(id.get());
      }
      assertEquals(1, distinct.size(), "one store, one id: " + distinct);
    } finally {
      pool.shutdownNow();
    }
    try (var c = db.connect();
        var r = c.createStatement().executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '1'")) {
      r.next();
      assertEquals(1, r.getInt(1), "the schema was migrated once");
    }
  }
}
