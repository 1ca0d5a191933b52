package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup endpoints' wire shape in front of the real control plane and real LXD host 1: 202 with an
 * operation, the list's fields, the restore's body checked field by field, each refusal with its status
 * and code, and a redis value written with redis-cli in the member read back from the restored app.
 */
class BackupApiIT {
  @TempDir static Path dir;
  static InProcessServer server;
  static ApiHarness api;
  static final List<String> apps = new ArrayList<>();

  @BeforeAll
  static void up() {
    server = new InProcessServer(dir.resolve("data"));
    api = server.api;
    Response r = api.post("/v1/hosts", RealLxd.registerBody("lxd1"));
    assertEquals(202, r.status(), r.body());
    assertEquals("success", api.await(r.json().path("operation").asText(), Duration.ofSeconds(120)).path("status")
        .asText());
  }

  @AfterAll
  static void down() {
    try {
      for (String app : apps) {
        Response r = api.delete("/v1/apps/" + app);
        if (r.status() == 202) {
          api.await(r.json().path("operation").asText(), Duration.ofSeconds(180));
        }
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  static String appName() {
    String name = "ba" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    apps.add(name);
    return name;
  }

  static JsonNode ok(Response accepted) {
    assertEquals(202, accepted.status(), accepted.body());
    assertEquals(accepted.json().path("operation").asText(), accepted.raw().headers().firstValue("Location").orElse(""));
    JsonNode op = api.await(accepted.json().path("operation").asText(), Duration.ofSeconds(600));
    assertEquals("success", op.path("status").asText(), op.toString());
    return op;
  }

  static String redisCli(String member, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("lxc", "exec", member, "--", "sh", "-c",
        "REDISCLI_AUTH=$(sed -n 's/^requirepass //p' /etc/redis/cadre.conf) exec redis-cli -h 127.0.0.1 \"$@\"", "sh"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void backupListAndRestoreOverTheWire() throws Exception {
    String app = appName();
    ok(api.post("/v1/apps", "{\"name\":\"" + app + "\",\"datacenter\":\"dc1\",\"services\":[{\"name\":\"cache\","
        + "\"template\":\"redis\"},{\"name\":\"web\",\"template\":\"busybox\"}]}"));
    String member = app + "-cache-1";
    assertEquals("OK", redisCli(member, "set", "greeting", "hello from " + app));

    String base = "/v1/apps/" + app + "/services/cache";
    ApiServerTest.assertError(api.post("/v1/apps/" + app + "/services/web/backup", "{}"), 409, "conflict");
    ApiServerTest.assertError(api.post(base + "/backup", "{\"x\":1}"), 400, "unknown_field");
    ApiServerTest.assertError(api.post("/v1/apps/" + app + "/services/nope/backup", "{}"), 404, "not_found");
    ApiServerTest.assertError(api.get("/v1/apps/nope/services/cache/backups"), 404, "not_found");
    assertEquals(0, api.get(base + "/backups").json().size());

    JsonNode op = ok(api.post(base + "/backup", "{}"));
    assertEquals("backup_service", op.path("kind").asText());
    JsonNode list = api.get(base + "/backups").json();
    assertEquals(1, list.size(), list.toString());
    JsonNode b = list.get(0);
    String id = b.path("id").asText();
    assertTrue(id.matches("bk-[0-9a-f]{20}"), id);
    assertTrue(op.path("target").asText().endsWith("/backups/" + id), op.toString());
    assertTrue(b.path("bytes").asLong() > 0, b.toString());
    assertTrue(b.path("sha256").asText().matches("[0-9a-f]{64}"), b.toString());
    assertTrue(b.path("created").isTextual(), b.toString());
    assertEquals("redis", b.path("template").asText());

    String restore = base + "/backups/" + id + "/restore";
    String to = appName();
    ApiServerTest.assertError(api.post(base + "/backups/bk-nope/restore", "{}"), 400, "invalid_input");
    ApiServerTest.assertError(api.post(base + "/backups/bk-00000000000000000000/restore",
        "{\"app\":\"" + to + "\",\"service\":\"cache\",\"datacenter\":\"dc1\"}"), 404, "not_found");
    ApiServerTest.assertError(api.post(restore, "{\"app\":\"" + to + "\",\"service\":\"cache\"}"), 400, "invalid_input");
    ApiServerTest.assertError(api.post(restore, "{\"app\":\"Bad\",\"service\":\"cache\",\"datacenter\":\"dc1\"}"), 400,
        "invalid_input");
    ApiServerTest.assertError(api.post(restore, "{\"app\":\"" + app + "\",\"service\":\"cache\",\"datacenter\":\"dc1\"}"),
        409, "conflict");
    assertEquals(404, api.get("/v1/apps/" + to).status(), "no refusal made an app");

    ok(api.delete("/v1/apps/" + app));
    assertEquals(1, api.get(base + "/backups").json().size(), "the backup outlives its app");
    JsonNode restored = ok(api.post(restore, "{\"app\":\"" + to + "\",\"service\":\"kv\",\"datacenter\":\"dc1\"}"));
    assertEquals("restore_service", restored.path("kind").asText());
    assertEquals("hello from " + app, redisCli(to + "-kv-1", "get", "greeting"));
  }
}
