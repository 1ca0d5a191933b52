package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.driver.Instance;
import dev.cadre.manager.AppView;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.provisioning.Containers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cadre process killed with SIGKILL in the middle of creating an app on real LXD; the next start on
 * the same data directory leaves no container, no address and no member in a transient state.
 */
class KillRecoveryIT {
  @TempDir
  Path dir;

  @Test
  void killNineMidCreateLeavesNothingAfterTheNextStart() throws Exception {
    String app = "kill" + RunNames.suffix(5);
    Path data = dir.resolve("data");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), CrashTarget.class.getName(), data.toString(),
        LxdControlPlaneIT.SOCKET, LxdControlPlaneIT.NETWORK, app, "3");
    pb.redirectError(dir.resolve("target.err").toFile());
    Process target = pb.start();
    String ready;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8));
      ready = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (java.io.IOException e) {
          return null;
        }
      }).get(4, TimeUnit.MINUTES);
    } finally {
      target.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, nothing flushed on purpose
      target.waitFor(30, TimeUnit.SECONDS);
    }
    String[] words = ready == null ? new String[0] : ready.split(" ");
    String opId = words.length == 3 ? words[1] : null;
    String storeId = words.length == 3 ? words[2] : null;
    if (!(ready != null && ready.startsWith("READY "))) {
      if (storeId != null) {
        try (HostDriver lxd = new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + LxdControlPlaneIT.SOCKET,
            Map.of(), dir)) {
          ours(lxd, storeId).forEach(i -> lxd.delete(i.name()));
        }
      }
      throw new AssertionError("target said: " + ready + "; its stderr: "
          + java.nio.file.Files.readString(dir.resolve("target.err")));
    }

    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    try (HostDriver lxd = new dev.cadre.lxd.LxdDriverFactory().open("lxd1", "unix://" + LxdControlPlaneIT.SOCKET,
        Map.of(), dir)) {
      List<Instance> before = ours(lxd, storeId);
      assertEquals(3, before.size(), "the killed run left its containers: " + before);
      assertTrue(before.stream().allMatch(Instance::running));

      try (CadreControlPlane plane = CadreControlPlane.open(ControlPlaneConfig.defaults(data, factories))) {
        assertEquals(storeId, plane.store().storeId());
        OperationView op = plane.operation(opId);
        assertEquals("failure", op.status());
        assertEquals("interrupted by restart", op.error());
        AppView view = plane.app(app);
        assertEquals("failed", view.state());
        for (MemberView m : view.services().get(0).members()) {
          assertEquals("failed", m.state(), m.toString());
        }
        assertEquals(Map.of("dc1", 0), plane.addressesInUse());
        assertTrue(ours(lxd, storeId).isEmpty(), "no orphan container: " + ours(lxd, storeId));
        assertEquals("success", plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(2)).status());
      } finally {
        ours(lxd, storeId).forEach(i -> lxd.delete(i.name()));
      }
    }
  }

  static List<Instance> ours(HostDriver lxd, String storeId) {
    return lxd.list().stream().filter(i -> storeId.equals(i.metadata().get(Containers.STORE))).toList();
  }
}
