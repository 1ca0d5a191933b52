package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.FakeHostDriver;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.InstanceState;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NicSpec;
import dev.cadre.driver.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Copies and refreshes between two simulated hosts: what each failure leaves on either side. */
class ZoneCopyTest {
  private final ZoneSimulator sim = SimulatedHosts.simulator("gz1", "e1000g0");
  private final ZoneHostDriver driver = SimulatedHosts.driver(sim, "e1000g0", "10.77.0.1/24");
  private final ZoneSimulator sim2 = SimulatedHosts.simulator("gz2", "vioif0");
  private final ZoneHostDriver two = SimulatedHosts.driver(sim2, "vioif0", "10.78.0.1/24");

  private InstanceSpec.Builder web1() {
    return InstanceSpec.builder("web1", SimulatedHosts.IMAGE).nic("e1000g0", "10.77.0.10");
  }

  @Test
  void copyBaseSnapshotsAreReservedAndHidden() {
    driver.create(web1().build());
    driver.createSnapshot("web1", "mine");
    assertThrows(InvalidInputException.class, () -> driver.createSnapshot("web1", "cadre-copy-9"));
    driver.copyTo(two, new CopyRequest("web1", "web1", new NicSpec("vioif0", "10.78.0.10"), false));
    assertEquals(List.of("mine"), driver.listSnapshots("web1"));
    assertEquals(List.of("mine"), two.listSnapshots("web1"), "user snapshots travel with the copy");
    assertEquals(InstanceState.STOPPED, driver.get("web1").state());
    assertEquals("10.78.0.10", two.get("web1").configuredIpv4());
  }

  @Test
  void aTargetThatCannotAttachTheZoneIsFoundOutBeforeAnyDataMoves() {
    sim2.state.brands.remove("sparse");
    driver.create(web1().build());
    HostFailureException e = assertThrows(HostFailureException.class, () -> copy(false));
    assertTrue(e.getMessage().contains("missing or invalid brand"), e.getMessage());
    assertFalse(sim.ran(argv -> argv.equals(List.of("zoneadm", "-z", "web1", "detach"))), "the source was never detached");
    assertFalse(sim2.ran(argv -> argv.get(0).equals("zfs") && argv.get(1).equals("recv")));
    assertTrue(two.find("web1").isEmpty());
    assertEquals(Map.of(), sim2.state.vnics);
  }

  @Test
  void aCopyThatFailsAfterTheDataArrivedLeavesNothingOnTheTargetAndTheSourceAttached() {
    driver.create(web1().build());
    sim2.fail(argv -> argv.equals(List.of("zoneadm", "-z", "web1", "attach")),
        ZoneSimulator.err(1, "zoneadm: zone 'web1': ERROR: brand-specific attach failed"), true);
    assertThrows(HostFailureException.class, () -> copy(false));
    assertTrue(sim2.ran(argv -> argv.get(0).equals("zfs") && argv.get(1).equals("recv")), "the data did arrive");
    assertTrue(two.find("web1").isEmpty());
    assertEquals(Map.of(), sim2.state.vnics);
    assertEquals(List.of("zones"), List.copyOf(sim2.state.datasets.keySet()));
    assertEquals(ZoneStates.INSTALLED, sim.state.zones.get("web1").state);
    assertFalse(sim.state.datasets.get("zones/web1").live.files().containsKey(SimZoneadm.MANIFEST));
  }

  @Test
  void aRefreshThatCannotReceiveKeepsTheOldCopyAttached() {
    driver.create(web1().build());
    writeOnSource("one");
    copy(false);
    writeOnSource("two");
    sim2.fail(argv -> argv.size() > 2 && argv.get(1).equals("recv"), ZoneSimulator.err(1, "cannot receive: out of space"), true);
    assertThrows(HostFailureException.class, () -> copy(true));
    assertEquals(ZoneStates.INSTALLED, sim2.state.zones.get("web1").state);
    assertEquals("one", onTarget());
    copy(true); // the next refresh still finds a common base
    assertEquals("two", onTarget());
    // the failed attempt used cadre-copy-2 on the source; once 3 is on both sides, older bases go
    assertEquals(List.of("cadre-copy-3"), List.copyOf(sim2.state.datasets.get("zones/web1").snapshots.keySet()));
    assertEquals(List.of("cadre-copy-3"), List.copyOf(sim.state.datasets.get("zones/web1").snapshots.keySet()));
  }

  @Test
  void copiesAreRefusedForRunningSourcesAndWrongTargets() {
    driver.create(web1().build());
    assertThrows(NotFoundException.class, () -> copy(true));
    driver.start("web1");
    assertThrows(ConflictException.class, () -> copy(false));
    driver.stop("web1", Duration.ofSeconds(5));
    copy(false);
    assertThrows(ConflictException.class, () -> copy(false));
    assertThrows(InvalidInputException.class, () -> driver.copyTo(new FakeHostDriver("f", "br0", "10.0.0.1/24"),
        new CopyRequest("web1", "web1", null, false)));
  }

  private void copy(boolean refresh) {
    driver.copyTo(two, new CopyRequest("web1", "web1", new NicSpec("vioif0", "10.78.0.10"), refresh));
  }

  private void writeOnSource(String content) {
    driver.start("web1");
    driver.pushFile("web1", FileSpec.of("/root/data.txt", content.getBytes(StandardCharsets.UTF_8), 0644));
    driver.stop("web1", Duration.ofSeconds(5));
  }

  private String onTarget() {
    return new String(sim2.state.datasets.get("zones/web1").live.files().get("root/root/data.txt").content(),
        StandardCharsets.UTF_8);
  }
}
