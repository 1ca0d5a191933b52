package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.Instance;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cadre serve} as a separate process, killed with SIGKILL while it provisions an app, then
 * restarted on the same data dir: the interrupted operation must end (failure or success), no member
 * may stay "creating", and LXD must hold no container of the app unless it runs healthy. Only this
 * test's own containers are looked at: other suites may use the same host at the same time.
 */
class KillRecoveryIT {
  @TempDir Path dir;
  Path data;
  ServerProcess server;
  HostDriver lxd;
  Set<String> before;

  @BeforeEach
  void setUp() throws IOException {
    data = dir.resolve("data");
    lxd = RealLxd.open(dir.resolve("lxd-client"));
    before = names();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    // Whatever this test left (only instances that appeared during it), so later runs start clean.
    if (lxd != null) {
      for (Instance i : lxd.list()) {
        if (!before.contains(i.name()) && app != null && i.name().startsWith(app + "-")) {
          try {
            lxd.delete(i.name());
          } catch (RuntimeException e) {
            System.err.println("cleanup of " + i.name() + " failed: " + e);
          }
        }
      }
      lxd.close();
    }
  }

  String app;

  Set<String> names() {
    return lxd.list().stream().map(Instance::name).collect(Collectors.toSet());
  }

  /** This test's containers (members are named {@code <app>-<service>-<n>}); other tests may share the host. */
  Set<String> ours() {
    return names().stream().filter(n -> app != null && n.startsWith(app + "-")).collect(Collectors.toSet());
  }

  ApiHarness start(int run) throws Exception {
    server = ServerProcess.start(data, dir.resolve("server-" + run + ".log"));
    return server.api();
  }

  @Test
  void killedMidProvisioningRecoversWithoutLeftovers() throws Exception {
    ApiHarness api = start(1);
    Response host = api.post("/v1/hosts", RealLxd.registerBody("lxd1"));
    assertEquals(202, host.status(), host.body());
    assertEquals("success", api.await(host.json().path("operation").asText(), Duration.ofSeconds(120)).path("status").asText());

    app = "kr" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Response created = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 3));
    assertEquals(202, created.status(), created.body());
    String operation = created.json().path("operation").asText();

    // Wait until a container of this app exists on LXD, i.e. provisioning is under way, then SIGKILL.
    Set<String> appeared = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (appeared.isEmpty() && System.nanoTime() < deadline) {
      appeared.addAll(ours());
      if (appeared.isEmpty()) {
        Thread.sleep(10);
      }
    }
    assertFalse(appeared.isEmpty(), "no container appeared: " + api.get(operation).body());
    JsonNode beforeKill = api.get(operation).json();
    server.kill();
    assertNotEquals(0, server.process().exitValue());
    assertFalse(ApiHarness.isDone(beforeKill) && beforeKill.path("status").asText().equals("success"),
        "the kill must interrupt provisioning, the operation was already done: " + beforeKill);

    ApiHarness again = start(2);
    JsonNode op = again.await(operation, Duration.ofSeconds(240));
    String status = op.path("status").asText();
    System.out.println("killed during " + beforeKill.path("steps").size() + " steps; recovered as " + status + ": " + op);
    assertTrue(status.equals("failure") || status.equals("success"), op.toString());

    Response shown = again.get("/v1/apps/" + app);
    List<String> ips = new ArrayList<>();
    if (shown.status() == 200) {
      for (JsonNode svc : shown.json().path("services")) {
        for (JsonNode m : svc.path("members")) {
          String state = m.path("state").asText();
          assertNotEquals("creating", state, shown.body());
          if (!state.equals("failed") && !m.path("ip").isNull() && !m.path("ip").asText().isEmpty()) {
            ips.add(m.path("ip").asText());
          }
          if (status.equals("success")) {
            assertEquals("running", state, shown.body());
          }
        }
      }
    } else {
      assertEquals(404, shown.status(), shown.body());
    }

    Set<String> now = ours();
    int allocated = 0;
    for (JsonNode n : again.get("/v1").json().path("addresses_in_use")) {
      allocated += n.asInt();
    }
    assertEquals(status.equals("success") ? 3 : ips.size(), allocated,
        "addresses held after recovery must be exactly the members' own: " + ips);
    if (status.equals("success")) {
      // resumed: every container of the app runs with the address cadre recorded
      for (Instance i : RealLxd.leftovers(lxd, app, ips)) {
        assertTrue(i.running() && ips.contains(i.ipv4()), i.toString());
      }
      assertEquals(3, ips.size(), shown.body());
      assertEquals(3, Set.copyOf(ips).size(), ips.toString());
    } else {
      // rolled back: nothing of it is left on the host
      assertEquals(Set.of(), now, "containers left after a rolled-back create: " + now + "\n" + op);
    }

    // Deleting what remains leaves the host as it was and every address free again.
    if (shown.status() == 200) {
      Response deleted = again.delete("/v1/apps/" + app);
      assertEquals(202, deleted.status(), deleted.body());
      assertEquals("success", again.await(deleted.json().path("operation").asText(), Duration.ofSeconds(120))
          .path("status").asText());
    }
    assertEquals(Set.of(), ours());
    JsonNode counts = again.get("/v1").json().path("counts");
    assertEquals(0, counts.path("members").asInt(), counts.toString());
    assertEquals(0, counts.path("operations_running").asInt(), counts.toString());
    JsonNode addresses = again.get("/v1").json().path("addresses_in_use");
    assertTrue(addresses.isObject(), addresses.toString());
    addresses.fields().forEachRemaining(e -> assertEquals(0, e.getValue().asInt(), "leaked addresses: " + addresses));
  }
}
