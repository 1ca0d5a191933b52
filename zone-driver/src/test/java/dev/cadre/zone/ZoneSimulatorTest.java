package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator refuses what illumos refuses, with its messages and exits; otherwise the suite proves little. */
class ZoneSimulatorTest {
  private final ZoneSimulator sim = SimulatedHosts.simulator("gz", "e1000g0");

  private CommandResult run(String... argv) {
    return sim.run(List.of(argv), null, Duration.ofSeconds(5));
  }

  private CommandResult configure(String zone, String script) {
    return sim.run(List.of("zonecfg", "-z", zone, "-f", "-"), script.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));
  }

  private void assertFails(CommandResult r, String message) {
    assertTrue(r.exitCode() != 0, "expected a failure, got exit 0");
    assertTrue(r.stderrText().contains(message), r.stderrText());
  }

  private static final String SCRIPT = "create -b\nset zonepath=/zones/z1\nset brand=sparse\nset ip-type=exclusive\ncommit\n";

  @Test
  void followsTheZoneStateMachine() {
    assertEquals(0, configure("z1", SCRIPT).exitCode());
    assertFails(run("zoneadm", "-z", "z1", "boot"), "zoneadm: zone 'z1': must be installed before boot.");
    assertFails(run("zoneadm", "-z", "z1", "uninstall", "-F"), "is already in state 'configured'.");
    assertEquals(0, run("zoneadm", "-z", "z1", "install").exitCode());
    assertFails(run("zoneadm", "-z", "z1", "install"), "is already installed.");
    assertFails(run("zonecfg", "-z", "z1", "delete", "-F"), "Zone z1 not in configured state; delete not allowed.");
    assertEquals(0, run("zoneadm", "-z", "z1", "boot").exitCode());
    assertTrue(run("zoneadm", "list", "-cp").stdoutText().contains(":z1:running:/zones/z1:"));
    assertFails(run("zoneadm", "-z", "z1", "uninstall", "-F"), "uninstall operation is invalid for running zones.");
    assertFails(run("zoneadm", "-z", "z1", "detach"), "detach operation is invalid for running zones.");
    CommandResult again = run("zoneadm", "-z", "z1", "boot");
    assertEquals(0, again.exitCode(), "zoneadmd answers a second boot with success");
    assertTrue(again.stderrText().contains("zone is already booted"));
    assertEquals(0, run("zoneadm", "-z", "z1", "halt").exitCode());
    assertFails(run("zlogin", "z1", "true"), "login allowed only to running zones (z1 is 'installed').");
    assertEquals(0, run("zoneadm", "-z", "z1", "uninstall", "-F").exitCode());
    assertEquals(0, run("zonecfg", "-z", "z1", "delete", "-F").exitCode());
    assertFails(run("zoneadm", "-z", "z1", "boot"), "zoneadm: z1: No such zone configured");
  }

  @Test
  void aGracefulShutdownEndsInstalledAfterPassingThroughShuttingDown() throws Exception {
    configure("z1", SCRIPT);
    run("zoneadm", "-z", "z1", "install");
    run("zoneadm", "-z", "z1", "boot");
    assertEquals(0, run("zoneadm", "-z", "z1", "shutdown").exitCode());
    String going = run("zoneadm", "list", "-cp").stdoutText();
    assertTrue(going.contains(":z1:shutting_down:") || going.contains(":z1:down:"), going);
    Thread.sleep(100);
    assertTrue(run("zoneadm", "list", "-cp").stdoutText().contains("-:z1:installed:"));
  }

  @Test
  void refusesInvalidOrDuplicateConfigurations() {
    assertFails(configure("z1", SCRIPT.replace("commit", "set value=\"x\ncommit")), "line");
    assertTrue(run("zoneadm", "list", "-cp").stdoutText().lines().count() == 1, "nothing configured");
    assertEquals(0, configure("z1", SCRIPT).exitCode());
    assertFails(configure("z1", SCRIPT), "create command ignored");
    assertFails(run("zonecfg", "-z", "nosuch", "info"), "nosuch: No such zone configured");
  }

  @Test
  void zloginHandsTheLineToAShellThatRefusesUnquotedSyntax() {
    configure("z1", SCRIPT);
    run("zoneadm", "-z", "z1", "install");
    run("zoneadm", "-z", "z1", "boot");
    assertEquals("a b\n", run("zlogin", "z1", "echo", "'a b'").stdoutText());
    assertFails(run("zlogin", "z1", "echo", "$(id)"), "syntax error");
    assertFails(run("zlogin", "z1", "cat", "--", "/root/none"), "cat: cannot open /root/none: No such file or directory");
  }

  @Test
  void vnicsNeedAnExistingLinkAndCannotBeDeletedWhileAZoneUsesThem() {
    assertFails(run("dladm", "create-vnic", "-l", "nosuch0", "vnic0"), "dladm: vnic creation over nosuch0 failed: object not found");
    assertEquals(0, run("dladm", "create-vnic", "-l", "e1000g0", "vnic0").exitCode());
    assertFails(run("dladm", "create-vnic", "-l", "e1000g0", "vnic0"), "object already exists");
    configure("z1", SCRIPT.replace("commit", "add net\nset physical=vnic0\nend\ncommit"));
    run("zoneadm", "-z", "z1", "install");
    run("zoneadm", "-z", "z1", "boot");
    assertFails(run("dladm", "delete-vnic", "vnic0"), "link busy");
  }

  @Test
  void incrementalReceivesFollowTheZfsRules() {
    configure("z1", SCRIPT);
    run("zoneadm", "-z", "z1", "install");
    run("zfs", "snapshot", "-r", "zones/z1@a");
    byte[] full = run("zfs", "send", "-R", "zones/z1@a").stdout();
    run("zfs", "snapshot", "-r", "zones/z1@b");
    byte[] incremental = run("zfs", "send", "-R", "-I", "@a", "zones/z1@b").stdout();
    assertFails(sim.run(List.of("zfs", "recv", "zones/copy"), incremental, Duration.ofSeconds(5)), "does not exist");
    assertEquals(0, sim.run(List.of("zfs", "recv", "zones/copy"), full, Duration.ofSeconds(5)).exitCode());
    assertFails(sim.run(List.of("zfs", "recv", "zones/copy"), full, Duration.ofSeconds(5)), "must specify -F");
    sim.state.datasets.get("zones/copy").modified = true;
    assertFails(sim.run(List.of("zfs", "recv", "zones/copy"), incremental, Duration.ofSeconds(5)), "has been modified");
    assertEquals(0, sim.run(List.of("zfs", "recv", "-F", "zones/copy"), incremental, Duration.ofSeconds(5)).exitCode());
    assertTrue(run("zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", "zones/copy").stdoutText().contains("zones/copy@b"));
    assertFails(run("zfs", "destroy", "-r", "zones/copy@nosuch"), "could not find any snapshots to destroy");
  }

  @Test
  void unknownCommandsAreNotFoundLikeInAShell() {
    assertEquals(127, run("vmadm", "list").exitCode());
  }
}
