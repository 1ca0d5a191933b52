package dev.cadre.manager.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.ServerRecord;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lease on the embedded database: one server, so it leads from its start, and a restart (a new server
 * on the same store) leads at once with a new epoch, whatever the earlier run's row says.
 * {@code PostgresStoreIT} and {@code SharedPlanesIT} check two servers on PostgreSQL.
 */
@Timeout(30)
class LeadershipTest {

  private static JdbcStore store(String name) {
    return JdbcStore.open("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", null, null, 4);
  }

  @Test
  void theOnlyServerLeadsFromItsStartAndListsItself() {
    AtomicInteger elected = new AtomicInteger();
    try (JdbcStore store = store("lease-" + UUID.randomUUID());
        Leadership lead = new Leadership(store, "s1", "1@here", elected::incrementAndGet)) {
      lead.start();
      assertTrue(lead.leads());
      assertTrue(lead.holds());
      assertTrue(lead.epoch() > 0);
      assertEquals(1, elected.get(), "elected once, at its first beat");
      List<ServerRecord> servers = store.servers();
      assertEquals(1, servers.size());
      ServerRecord me = servers.get(0);
      assertEquals("s1", me.id());
      assertEquals("1@here", me.name());
      assertTrue(me.alive());
      assertTrue(me.leader());
      assertEquals(lead.epoch(), me.epoch());
      lead.close();
      assertFalse(lead.leads(), "a closed server does not act");
    }
  }

  @Test
  void aRestartLeadsAtOnceWithANewEpoch() {
    String name = "lease-" + UUID.randomUUID();
    try (JdbcStore keep = store(name)) { // holds the in-memory database between the two runs
      long before;
      try (JdbcStore first = store(name); Leadership lead = new Leadership(first, "run1", "1@here", () -> { })) {
        lead.start();
        before = lead.epoch();
        lead.suspend(); // killed: it neither renews nor leaves
      }
      try (JdbcStore second = store(name); Leadership lead = new Leadership(second, "run2", "2@here", () -> { })) {
        lead.start();
        assertTrue(lead.leads());
        assertTrue(lead.epoch() > before);
        assertEquals(List.of("run2"), second.servers().stream().map(ServerRecord::id).toList());
        assertFalse(second.serverAlive("run1"), "one server: the earlier run is gone");
      }
    }
  }
}
