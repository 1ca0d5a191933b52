package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.cli.ExitCodes;
import dev.cadre.manager.EventView;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code cadre} command line of the server jar against the real HTTP server (fake control plane). */
class CliAgainstServerTest {
  @TempDir Path dir;
  FakeControlPlane plane;
  ApiHarness api;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() {
    plane = new FakeControlPlane();
    api = new ApiHarness(plane, dir);
  }

  @AfterEach
  void stop() {
    api.close();
    plane.close();
  }

  Run cadre(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", api.base, "--token", api.token));
    return raw(all.toArray(String[]::new));
  }

  static Run raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void registerCreateShowDelete() throws Exception {
    Run add = cadre("hosts", "add", "h1", "--driver", "lxd", "--endpoint", "unix:///var/lib/lxd/unix.socket",
        "--datacenter", "dc1", "--network", "cadrebr0", "--wait");
    assertEquals(0, add.exit(), add.err());
    assertTrue(add.out().contains("success"), add.out());
    Run hosts = cadre("hosts");
    assertTrue(hosts.out().contains("h1") && hosts.out().contains("ready"), hosts.out());

    Run create = cadre("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox:2", "--wait");
    assertEquals(0, create.exit(), create.err());
    assertTrue(create.out().contains("10.77.0.128") && create.out().contains("web-2"), create.out());

    Run json = cadre("apps", "show", "shop", "--json");
    JsonNode app = ApiHarness.JSON.readTree(json.out());
    assertEquals(2, app.path("services").get(0).path("members").size());
    assertFalse(json.out().contains("\"pw\""), "the app read carries no secrets: " + json.out());
    assertTrue(cadre("apps", "show", "shop", "--secrets").out().contains("secret web.password=pw"));
    assertEquals("pw", ApiHarness.JSON.readTree(cadre("apps", "show", "shop", "--secrets", "--json").out())
        .path("services").get(0).path("secrets").path("password").asText());
    assertTrue(cadre("apps").out().contains("web(busybox)"));
    assertTrue(cadre("templates").out().contains("busybox"));
    assertTrue(cadre("status").out().contains("1 apps, 2 members"), cadre("status").out());

    assertEquals(0, cadre("apps", "rm", "shop", "--wait").exit());
    assertEquals(ExitCodes.NOT_FOUND, cadre("apps", "show", "shop").exit());
  }

  @Test
  void servicesBackupListAndRestore() {
    assertEquals(0, cadre("hosts", "add", "h1", "--driver", "lxd", "--endpoint", "unix:///var/lib/lxd/unix.socket",
        "--datacenter", "dc1", "--network", "cadrebr0", "--wait").exit());
    assertEquals(0, cadre("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox", "--wait").exit());
    Run backup = cadre("services", "backup", "shop", "web", "--wait");
    assertEquals(0, backup.exit(), backup.err());
    assertTrue(backup.out().contains("backup " + FakeControlPlane.BACKUP_ID), backup.out());
    Run list = cadre("services", "backups", "shop", "web");
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().contains(FakeControlPlane.BACKUP_ID) && list.out().contains("ab".repeat(32)), list.out());
    Run restore = cadre("services", "restore", "shop", "web", FakeControlPlane.BACKUP_ID, "--to-app", "shop2",
        "--datacenter", "dc1", "--wait");
    assertEquals(0, restore.exit(), restore.err());
    assertTrue(restore.out().contains("restore_service"), restore.out());
    assertTrue(plane.requests.contains(new dev.cadre.manager.RestoreRequest("shop2", "web", "dc1")),
        "the service defaults to the backed-up one's name: " + plane.requests);
    Run taken = cadre("services", "restore", "shop", "web", FakeControlPlane.BACKUP_ID, "--to-app", "shop",
        "--service", "w2", "--datacenter", "dc1");
    assertEquals(ExitCodes.CONFLICT, taken.exit(), taken.err());
    Run unknown = cadre("services", "restore", "shop", "web", "bk-00000000000000000099", "--to-app", "shop3",
        "--datacenter", "dc1");
    assertEquals(ExitCodes.NOT_FOUND, unknown.exit(), unknown.err());
  }

  @Test
  void refusalsKeepTheServersMessage() {
    Run bad = cadre("apps", "create", "Shop", "--datacenter", "dc1", "--service", "web=busybox");
    assertEquals(ExitCodes.INVALID, bad.exit());
    assertTrue(bad.err().contains("invalid name 'Shop'"), bad.err());
    plane.capacity = 0;
    Run full = cadre("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox");
    assertEquals(ExitCodes.CONFLICT, full.exit());
    assertTrue(full.err().contains("no capacity"), full.err());
  }

  @Test
  void wrongTokenIsExit4() {
    Run r = raw("hosts", "--url", api.base, "--token", "wrong");
    assertEquals(ExitCodes.UNAUTHORIZED, r.exit());
    assertTrue(r.err().contains("invalid bearer token"), r.err());
  }

  @Test
  void waitOnAFailingOperationExits1WithItsError() {
    plane.holdOperations = true;
    Run accepted = cadre("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox");
    String op = accepted.out().trim().replace("accepted: ", "");
    CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      plane.finish(op.substring(op.lastIndexOf('/') + 1), "failure", "hook start exited 1: address in use");
    });
    Run waited = cadre("ops", "wait", op);
    assertEquals(ExitCodes.FAILED, waited.exit());
    assertTrue(waited.err().contains("address in use"), waited.err());
    assertTrue(cadre("ops", "show", op).out().contains("failure"));
  }

  @Test
  @org.junit.jupiter.api.Timeout(20)
  void eventsPrintsTheStream() throws Exception {
    CompletableFuture<Run> events = CompletableFuture.supplyAsync(() -> cadre("events", "--count", "1"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (plane.listeners.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    plane.emit(new EventView(7, "host", "hosts/h1", Map.of("state", "unreachable"), FakeControlPlane.T0));
    Run r = events.get(10, TimeUnit.SECONDS);
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("host") && r.out().contains("hosts/h1") && r.out().contains("unreachable"), r.out());
  }

  @Test
  void serveRefusesABadListenAddress() {
    Run r = raw("serve", "--data-dir", dir.resolve("d").toString(), "--listen", "nonsense");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("HOST:PORT"), r.err());
  }

  @Test
  void verbsTheControlPlaneLacksSayNotSupported() {
    cadre("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox");
    Run r = cadre("apps", "convert", "shop", "web", "--topology", "redundant");
    assertEquals(ExitCodes.CONFLICT, r.exit());
    assertTrue(r.err().contains("not_supported"), r.err());
  }

  @Test
  void tokensCreateListRevokeAndRotateAdmin() throws Exception {
    Run created = cadre("tokens", "create", "ci", "--role", "viewer", "--apps", "shop,blog",
        "--expires", "2999-01-01T00:00:00Z", "--json");
    assertEquals(0, created.exit(), created.err());
    JsonNode token = ApiHarness.JSON.readTree(created.out());
    assertEquals(List.of("shop", "blog"), List.of(token.path("apps").get(0).asText(), token.path("apps").get(1).asText()));
    String secret = token.path("token").asText();
    assertEquals(200, api.call("GET", "/v1/apps", null, secret).status());

    Run list = cadre("tokens", "list");
    assertTrue(list.out().contains("ci") && list.out().contains("viewer") && list.out().contains("shop,blog"), list.out());
    assertFalse(list.out().contains(secret), "a list never shows a token");

    Run bad = cadre("tokens", "create", "x", "--role", "root");
    assertEquals(ExitCodes.INVALID, bad.exit(), bad.err());
    assertTrue(bad.err().contains("role"), bad.err());

    assertEquals(0, cadre("tokens", "revoke", token.path("id").asText()).exit());
    assertEquals(401, api.call("GET", "/v1/apps", null, secret).status());

    Run rotated = cadre("tokens", "rotate-admin", "--json");
    assertEquals(0, rotated.exit(), rotated.err());
    String admin = ApiHarness.JSON.readTree(rotated.out()).path("token").asText();
    assertEquals(admin, java.nio.file.Files.readString(dir.resolve("admin-token")).trim());
    assertEquals(401, api.get("/v1").status(), "the old admin token stopped working");
    assertEquals(200, api.call("GET", "/v1", null, admin).status());
  }
}
