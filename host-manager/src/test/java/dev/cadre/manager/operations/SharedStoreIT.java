package dev.cadre.manager.operations;

import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;

/**
 * {@link SharedStoreTest} on a real PostgreSQL server ({@code CADRE_PG_URL}, {@code CADRE_PG_USER},
 * {@code CADRE_PG_PASSWORD}, as {@code scripts/test} exports them), each test in a fresh schema dropped
 * afterwards: the two servers' pools are two sets of sessions, so commits really cross there.
 */
class SharedStoreIT extends SharedStoreTest {

  @Override
  TestDatabase database(Path dir) {
    return TestDatabase.postgres();
  }
}
