package dev.cadre.manager;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.lifecycle.OperationStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane that stops without warning in the middle of its work, then a new one on the same
 * database file: nothing may stay half made.
 */
class RecoveryIT {
  @TempDir
  Path dir;

  @Test
  void aCreateCutShortIsRolledBackOnTheNextStart() throws Exception {
    Fixture first = new Fixture(dir, true);
    FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
    FakeHostDriver h2 = first.host("h2", "10.77.0.1/24");
    CadreControlPlane crashed = first.open();
    first.register("h1", "dc1");
    first.register("h2", "dc1");
    first.hooks.blockHook = "configure";
    first.hooks.stubborn = true; // like a hung exec: the old run never gets to clean up
    OperationView op = crashed.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 3)));
    assertTrue(first.hooks.blocked.await(10, TimeUnit.SECONDS));
    // wait until all three containers exist (they are made before the hooks run)
    for (int i = 0; i < 3000 && h1.list().size() + h2.list().size() < 3; i++) { // up to 30 s: a loaded machine is slow, not wrong
      Thread.sleep(10);
    }
    assertEquals(3, h1.list().size() + h2.list().size());
    assertEquals(3, crashed.store().allocatedAddresses("dc1").size());

    // the "crash": the first plane is abandoned as it is (its threads stay stuck); a second one opens the
    // same database file and the same hosts
    Fixture second = new Fixture(dir, true);
    second.factory.hosts.putAll(first.factory.hosts);
    try (CadreControlPlane plane = second.open()) {
      OperationView after = plane.operation(op.id());
      assertEquals("failure", after.status());
      assertEquals("interrupted by restart", after.error());
      assertTrue(after.steps().stream().anyMatch(s -> s.name().endsWith(": rollback")));
      AppView app = plane.app("shop");
      assertEquals("failed", app.state());
      for (MemberView m : app.services().get(0).members()) {
        assertEquals("failed", m.state());
        assertEquals("interrupted by restart", m.error());
      }
      assertEquals(0, h1.list().size() + h2.list().size(), "no orphan container");
      assertTrue(plane.store().allocatedAddresses("dc1").isEmpty(), "no leaked address");

      // and the app can be deleted and made again
      assertEquals("success", plane.await(plane.deleteApp("shop").id(), Duration.ofSeconds(20)).status());
      OperationView again = plane.await(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 3))).id(),
          Duration.ofSeconds(20));
      assertEquals("success", again.status(), again.error());
    }
  }

  @Test
  void leftoversThatNoRowAccountsForAreRemovedAndOthersLeftAlone() throws Exception {
    Fixture first = new Fixture(dir, true);
    FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
    String storeId;
    try (CadreControlPlane plane = first.open()) {
      first.register("h1", "dc1");
      storeId = plane.store().storeId();
      // a crash between creating a container and writing its row, and an address whose member row is gone
      plane.store().tryAllocate("dc1", "10.77.0.140", "ghost", Instant.now());
    }
    h1.ensureImage(new ImageSource("img", dir));
    h1.create(InstanceSpec.builder("shop-web-9", "img").metadata(Containers.STORE, storeId).build());
    h1.create(InstanceSpec.builder("not-ours", "img").metadata(Containers.STORE, "someone-else").build());
    h1.create(InstanceSpec.builder("hand-made", "img").build());

    Fixture second = new Fixture(dir, true);
    second.factory.hosts.putAll(first.factory.hosts);
    try (CadreControlPlane plane = second.open()) {
      assertEquals(List.of("hand-made", "not-ours"), h1.list().stream().map(i -> i.name()).sorted().toList());
      assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
    }
  }

  @Test
  void aDrainCutShortLeavesTheMemberWhereItLived() throws Exception {
    Fixture first = new Fixture(dir, true);
    FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
    FakeHostDriver h2 = first.host("h2", "10.77.0.1/24");
    CadreControlPlane crashed = first.open();
    first.register("h1", "dc1");
    first.register("h2", "dc1");
    assertEquals("success", first.done(crashed.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 1)))).status());
    String member = h1.list().isEmpty() ? h2.list().get(0).name() : h1.list().get(0).name();
    String from = h1.list().isEmpty() ? "h2" : "h1";
    FakeHostDriver source = from.equals("h1") ? h1 : h2;
    FakeHostDriver target = from.equals("h1") ? h2 : h1;
    first.hooks.blockHook = "configure";
    first.hooks.stubborn = true;
    OperationView drain = crashed.drainHost(from);
    assertTrue(first.hooks.blocked.await(10, TimeUnit.SECONDS));
    assertTrue(target.find(member).isPresent());
    assertTrue(!source.get(member).running());

    Fixture second = new Fixture(dir, true);
    second.factory.hosts.putAll(first.factory.hosts);
    try (CadreControlPlane plane = second.open()) {
      OperationView after = plane.operation(drain.id());
      assertEquals("failure", after.status());
      assertEquals("interrupted by restart", after.error());
      assertTrue(target.find(member).isEmpty(), "the half-made copy is gone");
      assertTrue(source.get(member).running(), "the member runs where it lived");
      MemberView m = plane.app("shop").services().get(0).members().get(0);
      assertEquals(from, m.host());
      assertEquals("running", m.state());
      assertEquals(1, plane.store().allocatedAddresses("dc1").size());
      // the host stays draining (nothing new lands there); with the drain over, a resume is accepted
      assertEquals("draining", plane.host(from).state());
      assertTrue(after.steps().stream().anyMatch(st -> st.detail() != null && st.detail().contains("stays draining")),
          after.steps().toString());
      assertEquals("success", plane.resumeHost(from).status());
      assertEquals("ready", plane.host(from).state());
    }
  }

  @Test
  void anInterruptedDeleteIsResumed() throws Exception {
    Fixture first = new Fixture(dir, true);
    FakeHostDriver h1 = first.host("h1", "10.77.0.1/24");
    String deleteId;
    try (CadreControlPlane plane = first.open()) {
      first.register("h1", "dc1");
      assertEquals("success", first.done(plane.createApp(Fixture.app("shop", "dc1", Fixture.busybox("web", 2)))).status());
      // what a crash right after the delete was accepted leaves: its operation stored, not run
      Instant now = Instant.now();
      deleteId = "00000000-0000-0000-0000-00000000dead";
      plane.store().insertOperation(new OperationRecord(deleteId, OperationKind.DELETE_APP, "apps/shop", null, OperationStatus.RUNNING, 0, null, now, now));
      plane.store().changeAppState("shop", AppState.RUNNING, AppState.DELETING);
      MemberRecord m = plane.store().member("shop-web-1").orElseThrow();
      plane.store().updateMember(m.withState(MemberState.DELETING, null));
    }
    assertEquals(2, h1.list().size());
    Fixture second = new Fixture(dir, true);
    second.factory.hosts.putAll(first.factory.hosts);
    try (CadreControlPlane plane = second.open()) {
      OperationView end = plane.await(deleteId, Duration.ofSeconds(20));
      assertEquals("success", end.status(), end.error());
      assertThrows(NotFoundException.class, () -> plane.app("shop"));
      assertEquals(0, h1.list().size());
      assertTrue(plane.store().allocatedAddresses("dc1").isEmpty());
    }
  }
}
