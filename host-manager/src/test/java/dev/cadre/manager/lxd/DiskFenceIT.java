package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.templates.TemplateCatalog;
import java.net.http.HttpClient;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that fills its disk, on real LXD host 3, whose pool (btrfs in a loop file, {@code scripts/lxd-hosts})
 * enforces the template's root disk size: the member's writes stop at its size, while its neighbour, the host,
 * this machine's disk and the plane work on. Only here: on host 1's {@code dir} pool the same {@code dd} would
 * fill this machine's disk.
 */
class DiskFenceIT {
  static final String POOL = System.getenv("CADRE_LXD3_POOL");
  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String app = "df" + RunNames.suffix(5);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @BeforeEach
  void open() throws Exception {
    assumeTrue(DrainIT.HTTPS_3 != null && !DrainIT.HTTPS_3.isBlank() && POOL != null,
        "scripts/lxd-hosts env names no third host with a pool that enforces sizes");
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, TemplateCatalog.builtIn(),
        null, null, null, null));
    String trust = Files.readString(DrainIT.TRUST).strip();
    assertEquals("success", plane.registerHost(new HostRequest("lxd3", "lxd", DrainIT.HTTPS_3, "dc1", DrainIT.NETWORK_3,
        trust)).status());
  }

  @AfterEach
  void cleanUp() throws Exception {
    Teardown.all(plane, dir.resolve("data/drivers"), () -> { }, Map.of("lxd3", DrainIT.HTTPS_3));
  }

  @Test
  void aMemberThatFillsItsDiskStopsAtItsSizeAndNothingElseNotices() throws Exception {
    OperationView created = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, 2, Map.of())), false)).id(), Duration.ofMinutes(3));
    assertEquals("success", created.status(), created.error());
    List<MemberView> members = plane.app(app).services().get(0).members();
    MemberView attacker = members.get(0);
    MemberView victim = members.get(1);
    assertTrue(page(victim.ip()).contains(victim.name()));

    try (HostDriver lxd3 = lxd3()) {
      // the member's root is on the enforcing pool with the template's size (busybox: 64 MiB)
      JsonNode root = instance(attacker.name()).path("expanded_devices").path("root");
      assertEquals(POOL, root.path("pool").asText(), root.toString());
      assertEquals("64MiB", root.path("size").asText(), root.toString());

      FileStore machine = Files.getFileStore(Path.of("/var/lib"));
      long freeBefore = machine.getUsableSpace();
      // root inside the member writes 512 MiB: the write stops at the member's size
      ExecResult fill = lxd3.exec(attacker.name(), ExecRequest.of("sh", "-c",
          "dd if=/dev/zero of=/fill bs=1M count=512; sync; echo written $(($(wc -c < /fill) / 1048576))")
          .withTimeout(Duration.ofMinutes(2)));
      System.out.println("fill: exit " + fill.exitCode() + " " + fill.stdoutText().strip() + " " + fill.stderrText().strip());
      assertTrue(fill.stderrText().contains("No space left") || fill.stderrText().contains("quota"),
          "dd stopped for want of room: " + fill.stderrText());
      long written = Long.parseLong(fill.stdoutText().replaceAll("(?s).*written (\\d+).*", "$1"));
      assertTrue(written > 16 && written <= 64, "the member wrote up to its size, no further: " + written + " MiB");
      long grown = (freeBefore - machine.getUsableSpace()) / (1024 * 1024);
      System.out.println("this machine's disk: " + grown + " MiB less free during the fill");
      assertTrue(grown < 200, "this machine's disk lost no more than the member's size: " + grown + " MiB");

      // the neighbour serves and can write; the plane places and starts another member on the same host
      assertTrue(page(victim.ip()).contains(victim.name()), "the neighbour serves");
      ExecResult neighbourWrites = lxd3.exec(victim.name(), ExecRequest.of("sh", "-c",
          "dd if=/dev/zero of=/small bs=1M count=4 && sync && rm /small"));
      assertEquals(0, neighbourWrites.exitCode(), neighbourWrites.stderrText());
      OperationView more = plane.await(plane.createApp(new AppRequest(app + "b", "dc1",
          List.of(new ServiceRequest("web", "busybox", null, 1, Map.of())), false)).id(), Duration.ofMinutes(3));
      assertEquals("success", more.status(), more.error());
      MemberView next = plane.app(app + "b").services().get(0).members().get(0);
      assertTrue(page(next.ip()).contains(next.name()));
      plane.checkHealth();
      assertEquals("running", plane.app(app).services().get(0).members().get(1).state());

      // the full member: hooks still run in it (the agent needs no room), and freeing room is enough
      ExecResult free = lxd3.exec(attacker.name(), ExecRequest.of("rm", "-f", "/fill"));
      assertEquals(0, free.exitCode(), free.stderrText());
      assertNotEquals("failed", plane.app(app).services().get(0).members().get(0).state());
    }
    assertEquals("success", plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(2)).status());
  }

  private HostDriver lxd3() {
    return new dev.cadre.lxd.LxdDriverFactory().open("lxd3", DrainIT.HTTPS_3, Map.of(), dir.resolve("data/drivers"));
  }

  /** The instance as host 3's LXD shows it (its socket, as root on this machine). */
  private static JsonNode instance(String name) throws Exception {
    ProcessBuilder b = new ProcessBuilder("lxc", "query", "/1.0/instances/" + name).redirectErrorStream(true);
    b.environment().put("LXD_DIR", LxdControlPlaneIT.env("CADRE_LXD3_DIR", "/var/lib/cadre-lxd3"));
    Process p = b.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(out));
    return JsonMapper.builder().build().readTree(out);
  }

  private String page(String ip) throws Exception {
    return WebPages.get(http, ip);
  }
}
