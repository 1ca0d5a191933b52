package dev.cadre.zone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.HostInfo;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.InstanceState;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.TimedOutException;
import dev.cadre.driver.UnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Zone-specific behaviour beyond the shared suite: rollback, fallbacks, and what never reaches the host. */
class ZoneHostDriverTest {
  private final ZoneSimulator sim = SimulatedHosts.simulator("gz1", "e1000g0");
  private final ZoneHostDriver driver = SimulatedHosts.driver(sim, "e1000g0", "10.77.0.1/24");

  private InstanceSpec.Builder web1() {
    return InstanceSpec.builder("web1", SimulatedHosts.IMAGE).nic("e1000g0", "10.77.0.10");
  }

  private boolean ran(String... prefix) {
    return sim.ran(argv -> argv.size() >= prefix.length && argv.subList(0, prefix.length).equals(List.of(prefix)));
  }

  private void assertNothingLeft() {
    assertTrue(driver.find("web1").isEmpty(), "zone left behind");
    assertEquals(Map.of(), sim.state.vnics, "vnic left behind");
    assertEquals(List.of("zones"), List.copyOf(sim.state.datasets.keySet()), "dataset left behind");
  }

  @Test
  void badNamesAndPathsNeverReachTheHost() {
    for (String bad : List.of("../x", "a b", "x".repeat(200), "a_b", "global", "SUNWx", "-x", "web1;reboot")) {
      assertThrows(InvalidInputException.class, () -> driver.start(bad), bad);
      assertThrows(InvalidInputException.class, () -> driver.find(bad), bad);
      assertThrows(InvalidInputException.class, () -> driver.delete(bad), bad);
      assertThrows(InvalidInputException.class, () -> driver.exec(bad, ExecRequest.of("true")), bad);
    }
    assertThrows(InvalidInputException.class, () -> driver.createSnapshot("web1", "a@b"));
    assertThrows(InvalidInputException.class, () -> driver.exec("web1", ExecRequest.of("true").withEnv(Map.of("A;reboot", "1"))));
    assertThrows(InvalidInputException.class, () -> driver.exec("web1", ExecRequest.of("true").withEnv(Map.of("A", "a\0b"))));
    assertThrows(InvalidInputException.class, () -> driver.create(web1().metadata("big", "x".repeat(5000)).build()));
    assertThrows(InvalidInputException.class, () -> driver.create(InstanceSpec.builder("web1", "imported-later")
        .metadata("big", "x".repeat(4000)).build()), "an image that is not in the catalog would need a look on the host");
    assertEquals(List.of(), sim.log());
  }

  @Test
  void aFailedInstallTakesBackTheConfigurationAndTheVnic() {
    sim.fail(argv -> argv.equals(List.of("zoneadm", "-z", "web1", "install")),
        ZoneSimulator.err(1, "zoneadm: zone 'web1': ERROR: pkg: no publisher reachable"), true);
    HostFailureException e = assertThrows(HostFailureException.class, () -> driver.create(web1().build()));
    assertTrue(e.getMessage().contains("no publisher reachable"), e.getMessage());
    assertNothingLeft();
    assertTrue(ran("zonecfg", "-z", "web1", "delete", "-F"));
    assertTrue(ran("dladm", "delete-vnic"));
  }

  @Test
  void anInstallThatDiesHalfWayIsUninstalledBeforeTheConfigurationGoes() {
    sim.fail(argv -> {
      boolean install = argv.equals(List.of("zoneadm", "-z", "web1", "install"));
      if (install) { // the brand's install script created the dataset and died: zoneadm leaves "incomplete"
        sim.state.zones.get("web1").state = ZoneStates.INCOMPLETE;
        sim.state.datasets.put("zones/web1", new SimState.Dataset("zones/web1", "/zones/web1"));
      }
      return install;
    }, ZoneSimulator.err(1, "zoneadm: zone 'web1': ERROR: installation failed"), true);
    assertThrows(HostFailureException.class, () -> driver.create(web1().build()));
    assertTrue(ran("zoneadm", "-z", "web1", "uninstall", "-F"));
    assertNothingLeft();
  }

  @Test
  void aFailedZonecfgRemovesTheVnic() {
    sim.fail(argv -> argv.get(0).equals("zonecfg") && argv.contains("-f"),
        ZoneSimulator.err(1, "On line 7: zonecfg: physical: could not open link"), true);
    assertThrows(HostFailureException.class, () -> driver.create(web1().build()));
    assertNothingLeft();
  }

  @Test
  void aNameConfiguredBySomeoneElseMeanwhileIsLeftToThem() {
    sim.fail(argv -> argv.get(0).equals("zonecfg") && argv.contains("-f"), ZoneSimulator.err(1,
        "Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting."), true);
    assertThrows(ConflictException.class, () -> driver.create(web1().build()));
    assertFalse(ran("zonecfg", "-z", "web1", "delete", "-F"), "their configuration must stay");
    assertEquals(Map.of(), sim.state.vnics, "our vnic must go");
  }

  @Test
  void aTakenNameIsRefusedBeforeAnythingIsCreated() {
    driver.create(web1().build());
    int vnicsCreated = (int) sim.log().stream().filter(a -> a.get(0).equals("dladm") && a.get(1).equals("create-vnic")).count();
    assertThrows(ConflictException.class, () -> driver.create(web1().build()));
    assertEquals(vnicsCreated, sim.log().stream().filter(a -> a.get(0).equals("dladm") && a.get(1).equals("create-vnic")).count());
  }

  @Test
  void unknownNetworksAndMissingLinksAreNotFoundAndChangeNothing() {
    assertThrows(NotFoundException.class, () -> driver.create(InstanceSpec.builder("web1", SimulatedHosts.IMAGE)
        .nic("stub0", "10.77.0.10").build()), "stub0 exists but is not one of the configured networks");
    ZoneHostDriver misconfigured = SimulatedHosts.driver(sim, "ixgbe0", "10.9.0.1/24");
    assertThrows(NotFoundException.class, () -> misconfigured.create(InstanceSpec.builder("web1", SimulatedHosts.IMAGE)
        .nic("ixgbe0", "10.9.0.10").build()), "configured, but no such link on the host");
    assertFalse(ran("dladm", "create-vnic"));
    assertNothingLeft();
  }

  @Test
  void metadataOfAnyShapeReadsBackExactly() {
    driver.create(web1().build());
    driver.delete("web1");
    InstanceSpec.Builder spec = web1();
    ZonecfgScriptTest.HOSTILE_METADATA.forEach(spec::metadata);
    driver.create(spec.build());
    assertEquals(ZonecfgScriptTest.HOSTILE_METADATA, driver.get("web1").metadata());
  }

  @Test
  void aZoneThatIgnoresShutdownIsHaltedWhenTheTimeoutPasses() {
    driver.create(web1().build());
    driver.start("web1");
    sim.state.zones.get("web1").ignoresShutdown = true;
    long start = System.nanoTime();
    driver.stop("web1", Duration.ofMillis(300));
    assertTrue(System.nanoTime() - start >= 300_000_000L, "waited for the graceful stop first");
    assertTrue(ran("zoneadm", "-z", "web1", "halt"));
    assertEquals(InstanceState.STOPPED, driver.get("web1").state());
  }

  @Test
  void aCooperativeZoneStopsWithoutHalt() {
    driver.create(web1().build());
    driver.start("web1");
    driver.stop("web1", Duration.ofSeconds(10));
    assertTrue(ran("zoneadm", "-z", "web1", "shutdown"));
    assertFalse(ran("zoneadm", "-z", "web1", "halt"));
    driver.stop("web1", Duration.ofSeconds(10)); // a stopped zone: nothing to do
    assertFalse(ran("zoneadm", "-z", "web1", "halt"));
  }

  @Test
  void deleteTakesTheVnicSnapshotsAndDatasetWithTheZone() {
    driver.create(web1().rootDiskMiB(2048).build());
    assertEquals("2048M", sim.state.datasets.get("zones/web1").quota);
    driver.createSnapshot("web1", "before");
    driver.start("web1");
    driver.delete("web1");
    assertNothingLeft();
  }

  @Test
  void commandsInsideTheZoneNeedItRunning() {
    assertThrows(NotFoundException.class, () -> driver.exec("web1", ExecRequest.of("true")));
    driver.create(web1().build());
    assertThrows(ConflictException.class, () -> driver.exec("web1", ExecRequest.of("true")));
    assertThrows(ConflictException.class, () -> driver.pushFile("web1", FileSpec.of("/root/x", new byte[1], 0600)));
    driver.start("web1");
    assertThrows(ConflictException.class, () -> driver.start("web1"));
    assertThrows(NotFoundException.class, () -> driver.pushFile("web1", FileSpec.of("/no/such/dir/x", new byte[1], 0600)));
    assertEquals(127, driver.exec("web1", ExecRequest.of("A=b").withEnv(Map.of("X", "1"))).exitCode(),
        "with variables as without, A=b is the name of a command (here a missing one), not an assignment");
  }

  private static final String SECRET = "pa55-w0rd-never-on-a-command-line";

  @Test
  void variablesReachTheCommandOnStdinAndNeverACommandLine() {
    driver.create(web1().build());
    driver.start("web1");
    int before = sim.log().size();
    String hostile = "it's \"" + SECRET + "\"\n$(touch /tmp/cadre-pwned)\n";
    ExecResult r = driver.exec("web1", ExecRequest.of("sh", "-c", "printf '%s|%s|' \"$CADRE_SECRET_PASSWORD\" \"$CADRE_SECRET_KEY\"; cat")
        .withEnv(Map.of("CADRE_SECRET_PASSWORD", SECRET, "CADRE_SECRET_KEY", hostile))
        .withStdin("payload\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(0, r.exitCode(), r.stderrText());
    assertEquals(SECRET + "|" + hostile + "|payload\n", r.stdoutText(), "the variables, then all of the command's own stdin");
    assertEquals(1, sim.log().subList(before, sim.log().size()).stream().filter(a -> a.get(0).equals("zlogin")).count(),
        "one zlogin: nothing is written into the zone first or left to remove after");
    // what ps shows in the global zone, and what ssh sends when the global zone is remote
    SshCommandRunner ssh = new SshCommandRunner("gz1", SshTarget.parse("root@gz1.example"), SshSettings.DEFAULT);
    for (List<String> argv : sim.log()) {
      assertFalse(String.join(" ", argv).contains(SECRET), "a secret on a command line: " + argv);
      assertFalse(String.join(" ", ssh.localArgv(argv)).contains(SECRET), "a secret on the ssh command line: " + argv);
    }
    assertEquals("", driver.exec("web1", ExecRequest.of("cat").withEnv(Map.of("A", "1"))).stdoutText(),
        "without stdin of its own the command reads nothing of the variables");
    assertThrows(TimedOutException.class, () -> driver.exec("web1", ExecRequest.of("sleep", "30")
        .withEnv(Map.of("A", "1")).withTimeout(Duration.ofMillis(300))));
  }

  @Test
  void filesKeepModeAndOwner() {
    driver.create(web1().build());
    driver.start("web1");
    driver.pushFile("web1", new FileSpec("/root/secret", "s3cret".getBytes(), 0600, 100, 101));
    SimState.File f = sim.state.datasets.get("zones/web1").live.files().get("root/root/secret");
    assertEquals(0600, f.mode());
    assertEquals("100:101", f.owner());
  }

  @Test
  void anUnreachableHostIsUnavailable() {
    sim.unreachable(true);
    assertThrows(UnavailableException.class, () -> driver.find("web1"));
    assertThrows(UnavailableException.class, driver::probe);
  }

  @Test
  void aHostWithoutTheZoneToolsIsAHostFailure() {
    sim.fail(argv -> argv.get(0).equals("zoneadm"), ZoneSimulator.err(127, "bash: zoneadm: command not found"), false);
    HostFailureException e = assertThrows(HostFailureException.class, () -> driver.find("web1"));
    assertEquals("gz1", e.host());
    assertTrue(e.getMessage().contains("'zoneadm' is not available"), e.getMessage());
  }

  @Test
  void probeReadsTheGlobalZonesTools() {
    driver.create(web1().build());
    HostInfo info = driver.probe();
    assertEquals("gz1", info.name());
    assertEquals("omnios-r151046-sim", info.version());
    assertEquals(4, info.cpus());
    assertEquals(8192L << 20, info.memoryBytes());
    assertEquals((8192L << 20) - 1048576L * 4096, info.memoryUsedBytes());
    assertEquals(1, info.instances());
    assertEquals(List.of("e1000g0", "stub0"), info.networks().stream().map(n -> n.name()).toList(), "vnics are not networks");
    assertEquals("10.77.0.1/24", info.networks().get(0).ipv4Cidr());
    assertFalse(info.networks().get(1).managed());
  }

  @Test
  void tarballImagesAreImportedOnceAndFoundAgainAfterARestart(@TempDir Path dir) throws IOException {
    Path tarball = Files.write(dir.resolve("ubuntu.tar.gz"), new byte[] {31, -117, 8, 0});
    assertFalse(driver.hasImage("ubuntu"));
    assertThrows(NotFoundException.class, () -> driver.ensureImage(new ImageSource("ubuntu", null)));
    driver.ensureImage(new ImageSource("ubuntu", tarball));
    assertTrue(driver.hasImage("ubuntu"));
    assertFalse(sim.state.hostFiles.containsKey("/zones/cadre-images/ubuntu.tar.gz.partial"));
    ZoneHostDriver restarted = SimulatedHosts.driver(sim, "e1000g0", "10.77.0.1/24");
    assertTrue(restarted.hasImage("ubuntu"));
    restarted.create(InstanceSpec.builder("lx1", "ubuntu").nic("e1000g0", "10.77.0.11").build());
    assertTrue(ran("zoneadm", "-z", "lx1", "install", "-s", "/zones/cadre-images/ubuntu.tar.gz"));
    assertEquals("lx", sim.state.zones.get("lx1").brand);
  }
}
