package dev.cadre.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.manager.store.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole control plane on PostgreSQL (a fresh schema on the server scripts/postgres runs). */
class PostgresControlPlaneIT {
  @TempDir
  Path dir;

  @Test
  void provisionsDeletesAndRecoversOnPostgresql() throws Exception {
    try (TestDatabase.Postgres pg = TestDatabase.postgres()) {
      Fixture first = new Fixture(dir, pg.urlWithCredentials());
      FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
      FakeHostDriver h2 = first.host("h2", "10.77.0.1/24");
      CadreControlPlane crashed = first.open();
      assertEquals("postgresql", crashed.summary().store());
      first.register("h1", "dc1");
      first.register("h2", "dc1");
      List<EventView> events = new CopyOnWriteArrayList<>();
      crashed.subscribe(events::add);
      OperationView ok = first.done(crashed.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 4))));
      assertEquals("success", ok.status(), ok.error());
      assertEquals(Map.of("dc1", 4), crashed.addressesInUse());
      assertEquals(0, crashed.checkHealth());
      assertEquals("success", first.done(crashed.deleteApp("shop")).status());
      assertEquals(Map.of("dc1", 0), crashed.addressesInUse());
      assertTrue(events.size() > 10);

      first.hooks.blockHook = "configure";
      first.hooks.stubborn = true;
      OperationView cut = crashed.createApp(Fixture.app("cut", "dc1", Fixture.busybox("web", 3)));
      assertTrue(first.hooks.blocked.await(10, TimeUnit.SECONDS));
      for (int i = 0; i < 3000 && h1.list().size() + h2.list().size() < 3; i++) { // up to 30 s: a loaded machine is slow, not wrong
        Thread.sleep(10);
      }
      assertEquals(3, h1.list().size() + h2.list().size());

      Fixture second = new Fixture(dir, pg.urlWithCredentials());
      second.factory.hosts.putAll(first.factory.hosts);
      try (CadreControlPlane plane = second.open()) {
        // the first server is alive (it beats its row, and leads): its operation is its own business, also for
        // a server that has just started
        assertEquals("running", plane.operation(cut.id()).status());
        assertEquals(0, plane.recoverDeadServers());
        assertEquals(3, h1.list().size() + h2.list().size());
        // now it is gone: its store closed, its row and its lease with it
        crashed.store().close();
        // rolled back by this call, or just before by this server's own round: it took the lease the other let
        // go, and one recovery runs at a time
        assertTrue(plane.recoverDeadServers() <= 1);
        // when the round was first, this call may have found nothing left to claim while the round still
        // rolls back: the operation ends within the round's time, so it is waited for
        OperationView after = plane.await(cut.id(), Duration.ofSeconds(30));
        assertEquals("failure", after.status());
        assertEquals("interrupted by restart", after.error());
        assertTrue(plane.app("cut").services().get(0).members().stream().allMatch(m -> m.state().equals("failed")));
        assertEquals(0, h1.list().size() + h2.list().size());
        assertEquals(Map.of("dc1", 0), plane.addressesInUse());
        assertEquals("success", plane.await(plane.deleteApp("cut").id(), Duration.ofSeconds(20)).status());
      } finally {
        crashed.close(); // its background rounds stop (its store is closed already)
      }
    }
  }
}
