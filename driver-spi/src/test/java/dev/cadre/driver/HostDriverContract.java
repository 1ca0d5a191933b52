package dev.cadre.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared driver test suite: every {@link HostDriver} (LXD against real daemons, zones against the
 * command simulator or a real illumos host, the in-memory fake) must pass it unchanged.
 */
public abstract class HostDriverContract {

  /** The host under test. */
  protected abstract HostDriver driver();

  /** An image alias present on {@link #driver()} whose init brings the NIC up. */
  protected abstract String image();

  /** A network on {@link #driver()} that instances join. */
  protected abstract String network();

  /** A distinct free static address in {@link #network()} for slot {@code i} (0..3). */
  protected abstract String address(int i);

  /** A second host of the same kind for copy tests, or null to skip them. */
  protected HostDriver peer() {
    return null;
  }

  protected String peerNetwork() {
    return null;
  }

  protected String peerAddress(int i) {
    return null;
  }

  /**
   * Whether {@link #peer()} takes an instance's snapshots when the copy joins another network; a driver
   * whose host cannot must refuse such a copy before anything changes.
   */
  protected boolean peerTakesSnapshotsOntoAnotherNetwork() {
    return true;
  }

  protected Duration addressTimeout() {
    return Duration.ofSeconds(30);
  }

  private final List<String> created = new ArrayList<>();

  protected String newName() {
    String name = "tck-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  @AfterEach
  void removeWhatTheTestCreated() {
    for (String name : created) {
      quietlyDelete(driver(), name);
      if (peer() != null) {
        quietlyDelete(peer(), name);
      }
    }
  }

  private static void quietlyDelete(HostDriver d, String name) {
    try {
      if (d.find(name).isPresent()) {
        d.delete(name);
      }
    } catch (DriverException ignored) {
      // best effort: the test itself already reported what went wrong
    }
  }

  protected Instance launch(String name, int slot) {
    driver().create(InstanceSpec.builder(name, image()).nic(network(), address(slot)).metadata("cadre.test", "yes").build());
    driver().start(name);
    return awaitAddress(driver(), name, address(slot));
  }

  protected Instance awaitAddress(HostDriver d, String name, String expected) {
    long deadline = System.nanoTime() + addressTimeout().toNanos();
    Instance last = d.get(name);
    while (System.nanoTime() < deadline) {
      last = d.get(name);
      if (expected.equals(last.ipv4())) {
        return last;
      }
      sleep(100);
    }
    throw new AssertionError(name + " never got " + expected + "; last seen " + last);
  }

  @Test
  void probeReportsIdentityCapacityAndNetworks() {
    HostInfo info = driver().probe();
    assertEquals(driver().kind(), info.driver());
    assertTrue(info.cpus() > 0, "cpus " + info.cpus());
    assertTrue(info.memoryBytes() > 0, "memory " + info.memoryBytes());
    assertFalse(info.version().isBlank());
    assertTrue(info.networks().stream().anyMatch(n -> n.name().equals(network())), "networks " + info.networks());
  }

  @Test
  void aStartedInstanceHoldsExactlyTheStaticAddressAskedFor() {
    String name = newName();
    Instance created = driver().create(InstanceSpec.builder(name, image())
        .cpus(1).memoryMiB(128).nic(network(), address(0)).metadata("cadre.member", "m1").build());
    assertEquals(InstanceState.STOPPED, created.state());
    assertEquals(address(0), created.configuredIpv4());
    driver().start(name);
    Instance running = awaitAddress(driver(), name, address(0));
    assertEquals(InstanceState.RUNNING, running.state());
    assertEquals("m1", running.metadata().get("cadre.member"));
    assertTrue(driver().list().stream().anyMatch(i -> i.name().equals(name)));
  }

  @Test
  void execReturnsExitCodeStdoutAndStderr() {
    String name = newName();
    launch(name, 0);
    ExecResult result = driver().exec(name, ExecRequest.of("sh", "-c", "echo out; echo err >&2; exit 3"));
    assertEquals(3, result.exitCode());
    assertEquals("out\n", result.stdoutText());
    assertEquals("err\n", result.stderrText());
  }

  @Test
  void execPassesStdinAndEnvironmentWithoutAShell() {
    String name = newName();
    launch(name, 0);
    ExecRequest request = ExecRequest.of("sh", "-c", "cat; echo \"$GREETING\"", "$(touch /tmp/never)")
        .withStdin("line one\nline two\n".getBytes(StandardCharsets.UTF_8))
        .withEnv(Map.of("GREETING", "it's \"quoted\" $HOME"));
    ExecResult result = driver().exec(name, request);
    assertEquals(0, result.exitCode(), result.stderrText());
    assertEquals("line one\nline two\nit's \"quoted\" $HOME\n", result.stdoutText());
    assertEquals(1, driver().exec(name, ExecRequest.of("test", "-e", "/tmp/never")).exitCode());
  }

  /** A file's bytes as a command inside the instance reads them. */
  protected static byte[] readInside(HostDriver d, String name, String path) {
    ExecResult r = d.exec(name, ExecRequest.of("cat", "--", path));
    assertEquals(0, r.exitCode(), "cat " + path + " in " + name + ": " + r.stderrText());
    return r.stdout();
  }

  @Test
  void execKeepsAtMostItsOutputLimitPerStreamAndCountsTheRest() {
    String name = newName();
    launch(name, 0);
    ExecRequest request = ExecRequest.of("sh", "-c", "head -c 3000000 /dev/zero; head -c 100 /dev/zero >&2; exit 4")
        .withOutputLimit(1_000_000);
    ExecResult result = driver().exec(name, request);
    assertEquals(4, result.exitCode());
    assertEquals(1_000_000, result.stdout().length);
    assertEquals(2_000_000, result.stdoutDropped());
    assertEquals(3_000_000, result.stdoutSize());
    assertEquals(100, result.stderr().length);
    assertEquals(0, result.stderrDropped());
    assertTrue(result.truncated());
    assertFalse(driver().exec(name, ExecRequest.of("true")).truncated());
  }

  @Test
  void execStoppingAtTheLimitKillsAnEndlessPrinterAndAnswersAtOnce() {
    String name = newName();
    launch(name, 0);
    // a timeout would throw: the answer has to come from the limit
    ExecResult result = driver().exec(name, ExecRequest.of("yes").withTimeout(Duration.ofSeconds(60))
        .withOutputLimit(100_000).stoppingAtLimit());
    assertTrue(result.exitCode() != 0, "killed, not ended: " + result.exitCode());
    assertEquals(100_000, result.stdout().length);
    assertTrue(result.stdoutText().startsWith("y\ny\n"));
    assertTrue(result.truncated());
  }

  @Test
  void aPushedFileIsByteIdenticalInside() {
    String name = newName();
    launch(name, 0);
    byte[] data = new byte[512 * 1024];
    new Random(42).nextBytes(data);
    driver().pushFile(name, new FileSpec("/root/blob.bin", data, 0640, 0, 0));
    assertArrayEquals(data, readInside(driver(), name, "/root/blob.bin"));
    assertTrue(driver().exec(name, ExecRequest.of("cat", "--", "/root/no-such-file")).exitCode() != 0);
  }

  @Test
  void snapshotsAreCreatedListedAndDeleted() {
    String name = newName();
    driver().create(InstanceSpec.builder(name, image()).nic(network(), address(0)).build());
    assertEquals(List.of(), driver().listSnapshots(name));
    driver().createSnapshot(name, "before-change");
    driver().createSnapshot(name, "second");
    assertEquals(List.of("before-change", "second"), driver().listSnapshots(name).stream().sorted().toList());
    assertThrows(ConflictException.class, () -> driver().createSnapshot(name, "second"));
    driver().deleteSnapshot(name, "before-change");
    assertEquals(List.of("second"), driver().listSnapshots(name));
    assertThrows(NotFoundException.class, () -> driver().deleteSnapshot(name, "before-change"));
    // an instance with snapshots goes whole
    driver().delete(name);
    assertTrue(driver().find(name).isEmpty());
  }

  @Test
  void snapshotsOfAnUnknownInstanceAreNotFound() {
    String name = newName();
    assertThrows(NotFoundException.class, () -> driver().listSnapshots(name));
    assertThrows(NotFoundException.class, () -> driver().createSnapshot(name, "s1"));
    assertThrows(NotFoundException.class, () -> driver().deleteSnapshot(name, "s1"));
  }

  @Test
  void stopThenDeleteLeavesNothing() {
    String name = newName();
    launch(name, 0);
    driver().stop(name, Duration.ofSeconds(10));
    assertEquals(InstanceState.STOPPED, driver().get(name).state());
    driver().delete(name);
    assertTrue(driver().find(name).isEmpty());
    assertThrows(NotFoundException.class, () -> driver().start(name));
  }

  @Test
  void deleteOfARunningInstanceStopsItFirst() {
    String name = newName();
    launch(name, 0);
    driver().delete(name);
    assertTrue(driver().find(name).isEmpty());
  }

  @Test
  void invalidNamesAndPathsAreRefusedAsInvalidInput() {
    for (String bad : List.of("../x", "a b", "x".repeat(200), "", "-lead", "semi;colon", "new\nline")) {
      assertThrows(InvalidInputException.class, () -> InstanceSpec.builder(bad, image()).build(), bad);
      assertThrows(InvalidInputException.class, () -> driver().start(bad), bad);
      assertThrows(InvalidInputException.class, () -> driver().find(bad), bad);
      assertThrows(InvalidInputException.class, () -> driver().exec(bad, ExecRequest.of("true")), bad);
    }
    assertThrows(InvalidInputException.class, () -> FileSpec.of("../etc/passwd", new byte[0], 0644));
    assertThrows(InvalidInputException.class, () -> FileSpec.of("/etc/../passwd", new byte[0], 0644));
    assertThrows(InvalidInputException.class, () -> new NicSpec(network(), "10.0.0.256"));
  }

  @Test
  void aFailedCreateLeavesNoInstanceBehind() {
    String name = newName();
    assertThrows(NotFoundException.class, () ->
        driver().create(InstanceSpec.builder(name, "no-such-image-" + name).nic(network(), address(0)).build()));
    assertTrue(driver().find(name).isEmpty());
    assertThrows(DriverException.class, () ->
        driver().create(InstanceSpec.builder(name, image()).nic("nosuchnet0", address(0)).build()));
    assertTrue(driver().find(name).isEmpty());
  }

  @Test
  void aTakenNameIsAConflict() {
    String name = newName();
    driver().create(InstanceSpec.builder(name, image()).nic(network(), address(0)).build());
    assertThrows(ConflictException.class, () ->
        driver().create(InstanceSpec.builder(name, image()).nic(network(), address(1)).build()));
    assertEquals(InstanceState.STOPPED, driver().get(name).state());
  }

  @Test
  void aCopyOnAnotherHostKeepsFileContentsAndARefreshBringsChanges() {
    assumeTrue(peer() != null, "no second host for copy tests");
    String name = newName();
    launch(name, 0);
    driver().pushFile(name, FileSpec.of("/root/data.txt", "version one\n".getBytes(StandardCharsets.UTF_8), 0644));
    driver().stop(name, Duration.ofSeconds(10));
    NicSpec nic = new NicSpec(peerNetwork(), peerAddress(0));

    assertThrows(NotFoundException.class, () -> driver().copyTo(peer(), new CopyRequest(name, name, nic, true)),
        "a refresh needs a copy to refresh");
    assertTrue(peer().find(name).isEmpty());
    List<Long> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    driver().copyTo(peer(), new CopyRequest(name, name, nic, false), sent::add);
    assertNeverLess(sent);
    assertThrows(ConflictException.class, () -> driver().copyTo(peer(), new CopyRequest(name, name, nic, false)),
        "a second copy onto the first");
    peer().start(name);
    Instance copy = awaitAddress(peer(), name, peerAddress(0));
    assertEquals(peerAddress(0), copy.ipv4());
    assertEquals("version one\n", new String(readInside(peer(), name, "/root/data.txt"), StandardCharsets.UTF_8));
    peer().stop(name, Duration.ofSeconds(10));

    driver().start(name);
    driver().pushFile(name, FileSpec.of("/root/data.txt", "version two\n".getBytes(StandardCharsets.UTF_8), 0644));
    driver().stop(name, Duration.ofSeconds(10));
    sent.clear();
    driver().copyTo(peer(), new CopyRequest(name, name, nic, true), sent::add);
    assertNeverLess(sent);
    peer().start(name);
    awaitAddress(peer(), name, peerAddress(0));
    assertEquals("version two\n", new String(readInside(peer(), name, "/root/data.txt"), StandardCharsets.UTF_8));
  }

  /** What a copy reports it sent (possibly nothing: a driver may not know) never goes down. */
  private static void assertNeverLess(List<Long> sent) {
    for (int i = 0; i < sent.size(); i++) {
      assertTrue(sent.get(i) >= (i == 0 ? 0 : sent.get(i - 1)), "bytes sent went down or below zero: " + sent);
    }
  }

  /** False for a driver whose hosts copy only stopped instances (zones: a zone is detached to be sent). */
  protected boolean copiesRunningInstances() {
    return true;
  }

  @Test
  void aRunningInstanceIsPreCopiedAndARefreshAfterItStopsBringsTheLastChanges() {
    assumeTrue(peer() != null, "no second host for copy tests");
    String name = newName();
    launch(name, 0);
    driver().pushFile(name, FileSpec.of("/root/data.txt", "before the pre-copy\n".getBytes(StandardCharsets.UTF_8), 0644));
    NicSpec nic = new NicSpec(peerNetwork(), peerAddress(0));
    assertThrows(ConflictException.class, () -> driver().copyTo(peer(), new CopyRequest(name, name, nic, false)),
        "a running source is refused unless the copy says it may run");
    assertTrue(peer().find(name).isEmpty());

    if (!copiesRunningInstances()) {
      assertThrows(ConflictException.class, () -> driver().copyTo(peer(), new CopyRequest(name, name, nic, false, true)),
          "a driver that cannot copy a running instance says so");
      assertTrue(peer().find(name).isEmpty());
      return;
    }
    driver().copyTo(peer(), new CopyRequest(name, name, nic, false, true));
    assertTrue(driver().get(name).running(), "the source runs on through a pre-copy");
    driver().pushFile(name, FileSpec.of("/root/data.txt", "after the pre-copy\n".getBytes(StandardCharsets.UTF_8), 0644));
    driver().copyTo(peer(), new CopyRequest(name, name, nic, true, true));
    driver().pushFile(name, FileSpec.of("/root/data.txt", "the last write\n".getBytes(StandardCharsets.UTF_8), 0644));
    driver().stop(name, Duration.ofSeconds(10));
    driver().copyTo(peer(), new CopyRequest(name, name, nic, true));
    peer().start(name);
    awaitAddress(peer(), name, peerAddress(0));
    assertEquals("the last write\n", new String(readInside(peer(), name, "/root/data.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void snapshotsTravelWithACopyAndARefreshOrTheCopyIsRefusedBeforeAnythingChanged() {
    assumeTrue(peer() != null, "no second host for copy tests");
    String name = newName();
    driver().create(InstanceSpec.builder(name, image()).nic(network(), address(0)).build());
    driver().createSnapshot(name, "before-copy");
    CopyRequest copy = new CopyRequest(name, name, new NicSpec(peerNetwork(), peerAddress(0)), false);
    if (!peerTakesSnapshotsOntoAnotherNetwork()) {
      assertThrows(ConflictException.class, () -> driver().copyTo(peer(), copy));
      assertTrue(peer().find(name).isEmpty(), "a refused copy leaves nothing on the target");
      assertEquals(List.of("before-copy"), driver().listSnapshots(name));
      return;
    }
    driver().copyTo(peer(), copy);
    assertEquals(List.of("before-copy"), peer().listSnapshots(name));
    driver().createSnapshot(name, "after-copy");
    driver().copyTo(peer(), new CopyRequest(name, name, copy.nic(), true));
    assertEquals(List.of("after-copy", "before-copy"), peer().listSnapshots(name).stream().sorted().toList());
  }

  protected static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
