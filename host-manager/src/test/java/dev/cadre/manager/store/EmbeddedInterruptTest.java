package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.OperationKind;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread interrupted in the middle of a store call (a lane's timeout, a cancel, the close) must not take the
 * embedded database down for every other thread: H2 on a plain file channel closes the whole database when
 * one read or write is interrupted.
 */
class EmbeddedInterruptTest {
  @TempDir Path dir;

  @Test
  void writesInterruptedOneAfterAnotherLeaveTheStoreWorking() {
    Instant now = Instant.now();
    int written = 0;
    try (JdbcStore store = JdbcStore.embedded(dir, 2)) {
      for (int i = 0; i < 100; i++) {
        Thread.currentThread().interrupt();
        try {
          store.insertOperation(new OperationRecord("op-" + i, OperationKind.CREATE_APP, "apps/a", null,
              OperationStatus.SUCCESS, 100, null, now, now));
          written++;
        } catch (RuntimeException refused) {
          // the pool may refuse an interrupted thread a connection: the store must still work after
        } finally {
          Thread.interrupted();
        }
      }
      int stored = store.countOperations(OperationStatus.SUCCESS);
      assertEquals(written, stored, "every write that returned is there");
      store.insertOperation(new OperationRecord("after", OperationKind.CREATE_APP, "apps/a", null,
          OperationStatus.SUCCESS, 100, null, now, now));
      assertEquals(stored + 1, store.countOperations(OperationStatus.SUCCESS), "the store still writes");
    }
  }
}
