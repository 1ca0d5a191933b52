package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.store.EventRecord;
import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two whole control planes on one PostgreSQL store (a fresh schema on the server scripts/postgres runs), on
 * fake hosts: what one server is asked about an operation the other runs. {@code SharedStoreTest} checks
 * the parts on the embedded database.
 */
@Timeout(120)
class SharedPlanesIT {
  @TempDir
  Path dir;

  @Test
  void cancelWaitAndEventsReachTheServerThatDidNotRunTheOperation() throws Exception {
    try (TestDatabase.Postgres pg = TestDatabase.postgres();
        Fixture first = new Fixture(dir.resolve("a"), pg.urlWithCredentials());
        Fixture second = new Fixture(dir.resolve("b"), pg.urlWithCredentials())) {
      FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
      FakeHostDriver h2 = first.host("h2", "10.77.0.1/24");
      second.factory.hosts.putAll(first.factory.hosts);
      CadreControlPlane a = first.open();
      CadreControlPlane b = second.open();
      first.register("h1", "dc1");
      first.register("h2", "dc1");
      List<EventView> onB = new CopyOnWriteArrayList<>();
      long subscribedAfter = a.store().lastEventId();
      b.subscribe(onB::add);

      // a create that A runs, held in its configure hook; B is asked to cancel it
      first.hooks.blockHook = "configure";
      OperationView create = a.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
      assertTrue(first.hooks.blocked.await(20, TimeUnit.SECONDS));
      assertEquals("running", b.cancel(create.id()).status());
      // A reads the flag at most every half second: past that, its next check between steps sees it
      Thread.sleep(700);
      first.hooks.release.countDown();
      OperationView cancelled = b.await(create.id(), Duration.ofSeconds(60));
      assertEquals("cancelled", cancelled.status(), cancelled.toString());
      assertThrows(NotFoundException.class, () -> b.app("shop"));
      assertEquals(0, h1.list().size() + h2.list().size(), "rolled back on A's hosts");
      assertEquals(java.util.Map.of("dc1", 0), b.addressesInUse());

      // a create that A runs to its end: B's wait returns with it
      OperationView made = a.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)));
      OperationView done = b.await(made.id(), Duration.ofSeconds(60));
      assertEquals("success", done.status(), done.error());

      // B's subscriber saw every event A wrote, in the table's order, the operation's end among them
      List<Long> table = a.store().eventsAfter(subscribedAfter, 10_000).stream().map(EventRecord::id).toList();
      awaitIds(onB, table);
      assertTrue(onB.stream().anyMatch(e -> e.type().equals("operation") && create.id().equals(e.data().get("id"))
          && "cancelled".equals(e.data().get("status"))), onB.toString());
      assertTrue(onB.stream().anyMatch(e -> e.type().equals("member")), onB.toString());

      // a client of B that dropped after the cancel resumes from its last id without a gap
      long lastSeen = onB.stream().filter(e -> create.id().equals(e.data().get("id"))
          && "cancelled".equals(e.data().get("status"))).findFirst().orElseThrow().id();
      List<EventView> resumed = new CopyOnWriteArrayList<>();
      try (AutoCloseable s = b.subscribe(lastSeen, resumed::add)) {
        awaitIds(resumed, a.store().eventsAfter(lastSeen, 10_000).stream().map(EventRecord::id).toList());
      }
      assertEquals("success", b.await(a.deleteApp("shop").id(), Duration.ofSeconds(60)).status());
    }
  }

  private static void awaitIds(List<EventView> seen, List<Long> expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (seen.size() < expected.size() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(expected, seen.stream().map(EventView::id).toList().subList(0, Math.min(seen.size(), expected.size())));
    assertEquals(expected.size(), Math.min(seen.size(), expected.size()));
  }
}
