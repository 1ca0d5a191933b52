package dev.cadre.manager.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadre.driver.ConflictException;
import dev.cadre.manager.store.JdbcStore;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The placement lock: the store's row lock once per placement, a nested placement inside it, refusals as they were. */
@Timeout(30)
class PlacementTest {

  @Test
  void aPlacementInsideAnotherDoesNotWaitForItselfAndARefusalPassesThrough() {
    try (JdbcStore store = JdbcStore.open("jdbc:h2:mem:placement-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null,
        null, 4)) {
      Placement placement = new Placement(store, 1);
      assertEquals(42, placement.exclusively(() -> placement.exclusively(() -> 42)));
      ConflictException refused = assertThrows(ConflictException.class,
          () -> placement.exclusively(() -> placement.place("dc1", java.util.List.of(new Need("web", 1, 64, 64)))));
      assertEquals("datacenter 'dc1' has no hosts", refused.getMessage());
      // the lock was let go: the next placement runs
      assertEquals("next", placement.exclusively(() -> "next"));
    }
  }
}
