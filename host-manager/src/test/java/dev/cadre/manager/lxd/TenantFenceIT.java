package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenants fenced on real LXD host 1, as root inside one member would try it: taking a neighbour's address
 * (the address on its own NIC plus unsolicited ARP) captures none of the neighbour's traffic, and a fork bomb
 * stops at the template's process limit while the neighbour, the host and the plane work on.
 */
class TenantFenceIT {
  @TempDir
  Path dir;
  CadreControlPlane plane;
  final String app = "tf" + RunNames.suffix(5);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @BeforeEach
  void open() {
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    plane = CadreControlPlane.open(new ControlPlaneConfig(dir.resolve("data"), null, factories, TemplateCatalog.builtIn(),
        null, null, null, null));
    assertEquals("success", plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + LxdControlPlaneIT.SOCKET,
        "dc1", LxdControlPlaneIT.NETWORK, null)).status());
  }

  @AfterEach
  void cleanUp() throws Exception {
    Teardown.all(plane, dir.resolve("sweep"), () -> { }, Map.of("lxd1", "unix://" + LxdControlPlaneIT.SOCKET));
  }

  @Test
  void aMemberCannotTakeItsNeighboursAddressNorStarveItWithAForkBomb() throws Exception {
    OperationView created = plane.await(plane.createApp(new AppRequest(app, "dc1",
        List.of(new ServiceRequest("web", "busybox", null, 2, Map.of())), false)).id(), Duration.ofMinutes(3));
    assertEquals("success", created.status(), created.error());
    List<MemberView> members = plane.app(app).services().get(0).members();
    MemberView attacker = members.get(0);
    MemberView victim = members.get(1);
    assertTrue(page(victim.ip()).contains(victim.name()));

    // the neighbour's address on the attacker's NIC, announced by unsolicited ARP
    assertEquals(0, lxc(30, "exec", attacker.name(), "--", "ip", "addr", "add", victim.ip() + "/24", "dev", "eth0"));
    lxc(30, "exec", attacker.name(), "--", "arping", "-U", "-c", "3", "-I", "eth0", "-s", victim.ip(), victim.ip());
    for (int i = 0; i < 5; i++) {
      String answer = page(victim.ip());
      assertTrue(answer.contains(victim.name()) && !answer.contains(attacker.name()),
          "the victim's address still reaches the victim: " + answer);
      Thread.sleep(300);
    }
    String neighbour = run(10, "ip", "neigh", "show", victim.ip());
    assertTrue(!neighbour.contains(mac(attacker.ip())), "the host never learnt the attacker's MAC for the victim's"
        + " address: " + neighbour);

    // a fork bomb (processes that stay, made without end): the member's processes stop at the template's limit
    assertEquals("128", run(10, "lxc", "config", "get", attacker.name(), "limits.processes").strip());
    Process bomb = new ProcessBuilder("lxc", "exec", attacker.name(), "--", "sh", "-c",
        "while :; do sleep 600 & done 2>/dev/null")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      Thread.sleep(5000);
      for (int i = 0; i < 5; i++) {
        assertTrue(page(victim.ip()).contains(victim.name()), "the neighbour serves during the fork bomb");
        Thread.sleep(500);
      }
      // LXD's count of the member's processes: the bomb filled the member up to its limit, not beyond
      String state = run(10, "lxc", "query", "/1.0/instances/" + attacker.name() + "/state");
      int processes = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(state)
          .path("processes").asInt(-1);
      System.out.println("attacker's processes during the fork bomb: " + processes);
      assertTrue(processes >= 100 && processes <= 128, "the bomb ran and stopped at the limit: " + processes);
      // the plane works on: another member is made and serves next to the bomb
      OperationView more = plane.await(plane.createApp(new AppRequest(app + "b", "dc1",
          List.of(new ServiceRequest("web", "busybox", null, 1, Map.of())), false)).id(), Duration.ofMinutes(3));
      assertEquals("success", more.status(), more.error());
      MemberView next = plane.app(app + "b").services().get(0).members().get(0);
      assertTrue(page(next.ip()).contains(next.name()));
      plane.checkHealth();
      assertEquals("running", plane.app(app).services().get(0).members().get(1).state(),
          "the health round still finds the neighbour well");
    } finally {
      bomb.destroyForcibly();
    }
    // and the bombed member is deleted like any other
    assertEquals("success", plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(2)).status());
  }

  private String page(String ip) throws Exception {
    return WebPages.get(http, ip);
  }

  /** The MAC cadre gives the NIC of {@code ip}: 0a:63 and the address's four bytes. */
  private static String mac(String ip) {
    StringBuilder b = new StringBuilder("0a:63");
    for (String part : ip.split("\\.")) {
      b.append(String.format(":%02x", Integer.parseInt(part)));
    }
    return b.toString();
  }

  private static int lxc(int seconds, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "lxc";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not end");
    }
    System.out.println("$ " + String.join(" ", cmd) + " -> " + p.exitValue() + " " + out.strip());
    return p.exitValue();
  }

  private static String run(int seconds, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return out;
  }
}
