package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.CliAgainstServerTest.Run;
import dev.cadre.cli.ExitCodes;
import dev.cadre.driver.HostDriver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cadre} command line against {@code cadre serve} running in this JVM with real LXD behind it. */
class CliIT {
  @TempDir static Path dir;
  static InProcessServer server;
  static HostDriver lxd;

  @BeforeAll
  static void up() {
    server = new InProcessServer(dir.resolve("data"));
    lxd = RealLxd.open(dir.resolve("lxd-client"));
  }

  @AfterAll
  static void down() {
    if (server != null) {
      server.close();
    }
    if (lxd != null) {
      lxd.close();
    }
  }

  static Run cadre(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", server.api.base, "--token", server.api.token));
    return CliAgainstServerTest.raw(all.toArray(String[]::new));
  }

  @Test
  void hostsAppsOpsAndStatus() throws Exception {
    ensureHost();
    Run hosts = cadre("hosts");
    assertTrue(hosts.out().contains("lxd1") && hosts.out().contains("ready"), hosts.out());
    assertTrue(cadre("templates").out().contains("busybox"));

    String app = "cli" + UUID.randomUUID().toString().substring(0, 6);
    Run create = cadre("apps", "create", app, "--datacenter", RealLxd.DATACENTER, "--service", "web=busybox:1", "--wait");
    assertEquals(0, create.exit(), create.out() + create.err());
    assertTrue(create.out().contains("running") && create.out().contains("10.77.0."), create.out());

    JsonNode shown = ApiHarness.JSON.readTree(cadre("apps", "show", app, "--json").out());
    String ip = shown.path("services").get(0).path("members").get(0).path("ip").asText();
    assertTrue(RealLxd.inPool(ip), shown.toString());
    assertTrue(cadre("status").out().contains("1 apps"), cadre("status").out());

    Run rm = cadre("apps", "rm", app, "--json");
    assertEquals(0, rm.exit(), rm.err());
    String op = ApiHarness.JSON.readTree(rm.out()).path("operation").asText();
    Run waited = cadre("ops", "wait", op);
    assertEquals(0, waited.exit(), waited.out() + waited.err());
    assertTrue(cadre("ops", "show", op).out().contains("success"));
    assertEquals(ExitCodes.NOT_FOUND, cadre("apps", "show", app).exit());
    assertEquals(List.of(), RealLxd.leftovers(lxd, app, List.of(ip)));
  }

  @Test
  void refusalsAreClearWithTheirExitCodes() {
    Run unknown = cadre("apps", "create", "cliunknown", "--datacenter", "dc1", "--service", "web=nosuchtemplate");
    assertEquals(ExitCodes.INVALID, unknown.exit(), unknown.err());
    assertTrue(unknown.err().contains("nosuchtemplate"), unknown.err());
    Run wrongToken = CliAgainstServerTest.raw("apps", "--url", server.api.base, "--token", "nope");
    assertEquals(ExitCodes.UNAUTHORIZED, wrongToken.exit());
  }

  /** Registers LXD host 1 unless another test of this class did. */
  static void ensureHost() {
    Run add = cadre("hosts", "add", "lxd1", "--driver", "lxd", "--endpoint", RealLxd.ENDPOINT,
        "--datacenter", RealLxd.DATACENTER, "--network", RealLxd.NETWORK, "--wait");
    assertTrue(add.exit() == 0 || add.exit() == ExitCodes.CONFLICT, add.out() + add.err());
  }

  @Test
  void servicesConvertMembersPromoteAndTheStatusOfAnApp() throws Exception {
    ensureHost();
    String app = "clr" + UUID.randomUUID().toString().replace("-", "").substring(0, 6);
    Run create = cadre("apps", "create", app, "--datacenter", RealLxd.DATACENTER, "--service", "db=redis",
        "--service", "web=busybox", "--depends", "web=db", "--wait");
    assertEquals(0, create.exit(), create.out() + create.err());
    assertTrue(create.out().contains("service db (redis, single): address 10.77.0."), create.out());

    Run convert = cadre("services", "convert", app, "db", "--topology", "redundant", "--wait");
    assertEquals(0, convert.exit(), convert.out() + convert.err());
    Run status = cadre("status", app);
    assertTrue(status.out().contains("redundant") && status.out().contains("replica")
        && status.out().contains("healthy"), status.out());
    JsonNode shown = ApiHarness.JSON.readTree(cadre("apps", "show", app, "--json").out());
    JsonNode db = shown.path("services").get(0);
    assertEquals("db", db.path("name").asText());
    assertEquals(List.of("db"), List.of(shown.path("services").get(1).path("depends_on").get(0).asText()));
    String replica = null;
    for (JsonNode m : db.path("members")) {
      if (m.path("role").asText().equals("replica")) {
        replica = m.path("name").asText();
      }
    }
    Run promote = cadre("members", "promote", app, "db", replica, "--wait");
    assertEquals(0, promote.exit(), promote.out() + promote.err());
    JsonNode after = ApiHarness.JSON.readTree(cadre("apps", "show", app, "--json").out());
    for (JsonNode m : after.path("services").get(0).path("members")) {
      assertEquals(m.path("name").asText().equals(replica) ? "primary" : "replica", m.path("role").asText());
    }

    Run undeclared = cadre("services", "convert", app, "db", "--topology", "sharded");
    assertEquals(ExitCodes.CONFLICT, undeclared.exit(), undeclared.out() + undeclared.err());
    assertTrue(undeclared.err().contains("single, redundant"), undeclared.err());

    assertEquals(0, cadre("apps", "rm", app, "--wait").exit());
    assertEquals(ExitCodes.NOT_FOUND, cadre("apps", "show", app).exit());
  }
}
