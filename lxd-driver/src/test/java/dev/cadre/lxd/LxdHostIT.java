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
import java.nio.file.Files;
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

    Path rootfs = LxdTestHosts.LXD_DIR_2.resolve("storage-pools/default/containers/" + name + "/rootfs/root");
    Object bigInode = Files.getAttribute(rootfs.resolve("big.bin"), "unix:ino");
    Object smallInode = Files.getAttribute(rootfs.resolve("small.txt"), "unix:ino");

    one.start(name);
    one.pushFile(name, FileSpec.of("/root/small.txt", "two".getBytes(StandardCharsets.UTF_8), 0644));
    one.stop(name, Duration.ofSeconds(10));
    one.copyTo(two, new CopyRequest(name, name, nic, true));

    assertEquals(bigInode, Files.getAttribute(rootfs.resolve("big.bin"), "unix:ino"), "unchanged file was sent again");
    assertNotEquals(smallInode, Files.getAttribute(rootfs.resolve("small.txt"), "unix:ino"));
    assertEquals("two", Files.readString(rootfs.resolve("small.txt")));
    assertArrayEquals(big, Files.readAllBytes(rootfs.resolve("big.bin")));
  }
}
