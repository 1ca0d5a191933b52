package dev.cadre.lxd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.NicSpec;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LXD-specific behaviour the shared suite cannot state: trust, events, what a refresh transfers. */
class LxdHostIT {
  private final List<String> created = new CopyOnWriteArrayList<>();

  private String newName() {
    String name = "it-" + UUID.randomUUID().toString().substring(0, 8);
    created.add(name);
    return name;
  }

  @AfterEach
  void cleanUp() {
    for (String name : created) {
      for (LxdHostDriver d : List.of(LxdTestHosts.one(), LxdTestHosts.two())) {
        try {
          if (d.find(name).isPresent()) {
            d.delete(name);
          }
        } catch (RuntimeException ignored) {
          // best effort
        }
      }
    }
  }

  @Test
  void anUntrustedCertificateIsRefusedAsUnauthorizedNamingTheHost() {
    try (LxdHostDriver stranger = LxdHostDriver.connect("lxd2-stranger", LxdTestHosts.HTTPS_2,
        ClientCertificate.generate("stranger"), null)) {
      UnauthorizedException e = assertThrows(UnauthorizedException.class, stranger::probe);
      assertTrue(e.getMessage().contains("lxd2-stranger"), e.getMessage());
      assertThrows(UnauthorizedException.class, () -> stranger.requestTrust("wrong-password"));
      assertThrows(UnauthorizedException.class, () -> stranger.list());
    }
  }

  @Test
  void aPinnedServerFingerprintThatDoesNotMatchIsRefused() {
    try (LxdHostDriver pinned = LxdHostDriver.connect("lxd2-pinned", LxdTestHosts.HTTPS_2,
        ClientCertificate.loadOrCreate(Path.of("target", "lxd-client")), "ab".repeat(32))) {
      assertThrows(UnauthorizedException.class, pinned::probe);
    }
    String seen = LxdTestHosts.two().client().serverFingerprint();
    try (LxdHostDriver pinned = LxdHostDriver.connect("lxd2-pinned", LxdTestHosts.HTTPS_2,
        ClientCertificate.loadOrCreate(Path.of("target", "lxd-client")), seen)) {
      assertEquals("lxd", pinned.probe().driver());
    }
  }

  @Test
  void anUnknownImageWithoutTarballIsNotFound() {
    NotFoundException e = assertThrows(NotFoundException.class,
        () -> LxdTestHosts.one().ensureImage(new ImageSource("never-built", null)));
    assertTrue(e.getMessage().contains("lxd1"), e.getMessage());
  }

  @Test
  void lifecycleEventsReachTheListener() throws Exception {
    List<LxdEvents.Event> events = new CopyOnWriteArrayList<>();
    String name = newName();
    try (LxdEvents.Subscription sub = LxdEvents.subscribe(LxdTestHosts.one().client(), "lifecycle", events::add, t -> {})) {
      Thread.sleep(200);
      LxdTestHosts.one().create(InstanceSpec.builder(name, "busybox").nic(LxdTestHosts.NETWORK_1, "10.77.0.110").build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && events.stream().noneMatch(e -> isCreated(e, name))) {
        Thread.sleep(50);
      }
    }
    assertTrue(events.stream().anyMatch(e -> isCreated(e, name)), "events seen: " + events);
  }

  private static boolean isCreated(LxdEvents.Event e, String name) {
    return e.metadata().path("action").asText().equals("instance-created")
        && e.metadata().path("source").asText().endsWith("/" + name);
  }

  /**
   * After a refresh, a large file that did not change still has the same inode on the target (it was
   * not sent again), while the changed file has its new content.
   */
  @Test
  void aRefreshTransfersOnlyWhatChanged() throws Exception {
    LxdHostDriver one = LxdTestHosts.one();
    LxdHostDriver two = LxdTestHosts.two();
    String name = newName();
    one.create(InstanceSpec.builder(name, "busybox").nic(LxdTestHosts.NETWORK_1, "10.77.0.111").build());
    one.start(name);
    byte[] big = new byte[8 * 1024 * 1024];
    new Random(7).nextBytes(big);
    one.pushFile(name, FileSpec.of("/root/big.bin", big, 0600));
    one.pushFile(name, FileSpec.of("/root/small.txt", "one".getBytes(StandardCharsets.UTF_8), 0644));
    one.stop(name, Duration.ofSeconds(10));
    NicSpec nic = new NicSpec(LxdTestHosts.NETWORK_2, "10.78.0.111");
    one.copyTo(two, new CopyRequest(name, name, nic, false));

    // the target's files are read from inside the copy: its pool (btrfs in a loop file on the test hosts) is
    // mounted in its LXD's own mount namespace, not this one's
    String[] before = inodes(two, name);

    one.start(name);
    one.pushFile(name, FileSpec.of("/root/small.txt", "two".getBytes(StandardCharsets.UTF_8), 0644));
    one.stop(name, Duration.ofSeconds(10));
    one.copyTo(two, new CopyRequest(name, name, nic, true));

    String[] after = inodes(two, name);
    assertEquals(before[0], after[0], "unchanged file was sent again");
    assertNotEquals(before[1], after[1]);
    two.start(name);
    try {
      assertEquals("two", new String(pull(two, name, "/root/small.txt"), StandardCharsets.UTF_8));
      assertArrayEquals(big, pull(two, name, "/root/big.bin"));
    } finally {
      two.stop(name, Duration.ofSeconds(10));
    }
  }

  /** The inodes of /root/big.bin and /root/small.txt in the (stopped) instance, read by starting it. */
  private static String[] inodes(LxdHostDriver d, String name) {
    d.start(name);
    try {
      var r = d.exec(name, new dev.cadre.driver.ExecRequest(java.util.List.of("stat", "-c", "%i", "/root/big.bin",
          "/root/small.txt"), java.util.Map.of(), null, Duration.ofSeconds(30)));
      assertEquals(0, r.exitCode(), r.stderrText());
      return r.stdoutText().strip().split("\\s+");
    } finally {
      d.stop(name, Duration.ofSeconds(10));
    }
  }

  private static byte[] pull(LxdHostDriver d, String name, String path) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    d.pullFile(name, path, out, 64L * 1024 * 1024);
    return out.toByteArray();
  }
}
