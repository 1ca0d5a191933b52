package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cadre serve --store jdbc:postgresql://...} against the PostgreSQL server of
 * {@code scripts/postgres up} (CADRE_PG_URL, CADRE_PG_USER, CADRE_PG_PASSWORD; skipped when unset,
 * failing when set and unreachable), in a fresh schema per test: the server says so, registers the real
 * LXD host 1 into PostgreSQL, a second server on the same store sees it, and a busybox app is
 * provisioned and removed with its rows checked in PostgreSQL.
 */
class PostgresServeIT {
  @TempDir Path dir;
  PostgresSchema pg;
  String schema;

  @BeforeEach
  void freshSchema() throws SQLException {
    pg = PostgresSchema.create();
    schema = pg.name();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    if (pg != null) {
      pg.drop();
    }
  }

  String storeUrl() {
    return pg.storeUrl();
  }

  @Test
  void theServerRunsOnPostgresql() throws Exception {
    Path data = dir.resolve("data");
    try (InProcessServer server = new InProcessServer(data, "--store", storeUrl())) {
      ApiHarness api = server.api;
      JsonNode info = api.get("/v1").json();
      assertEquals("postgresql", info.path("store").asText(), info.toString());

      Response r = api.post("/v1/hosts", RealLxd.registerBody("lxd1"));
      assertEquals(202, r.status(), r.body());
      JsonNode op = api.await(r.json().path("operation").asText(), Duration.ofSeconds(120));
      assertEquals("success", op.path("status").asText(), op.toString());

      JsonNode host = hostNamed(api, "lxd1");
      assertEquals(RealLxd.DATACENTER, host.path("datacenter").asText(), host.toString());
      assertEquals(RealLxd.ENDPOINT, host.path("endpoint").asText(), host.toString());
      assertEquals("ready", host.path("state").asText(), host.toString());
      assertTrue(host.path("cpus").asInt() > 0, host.toString());
      assertEquals(1, api.get("/v1").json().path("counts").path("hosts").asInt(), info.toString());
    }
    // the rows are in this schema on PostgreSQL, not in an embedded file beside the token
    assertFalse(Files.exists(data.resolve("cadre.mv.db")), "no embedded database with --store");
    assertEquals(List.of("lxd1"), query("SELECT name FROM " + schema + ".hosts ORDER BY name"));
    assertEquals(List.of("dc1"), query("SELECT name FROM " + schema + ".datacenters"));

    // another server on the same store (as when several run for availability) sees the host
    try (InProcessServer again = new InProcessServer(dir.resolve("data2"), "--store", storeUrl())) {
      JsonNode host = hostNamed(again.api, "lxd1");
      assertEquals("ready", host.path("state").asText(), host.toString());
    }
  }

  @Test
  void aTokenRevokedOnOneServerIsRefusedByAnotherSharingTheStoreAtOnce() throws Exception {
    try (InProcessServer a = new InProcessServer(dir.resolve("a"), "--store", storeUrl());
        InProcessServer b = new InProcessServer(dir.resolve("b"), "--store", storeUrl())) {
      Response made = a.api.post("/v1/tokens", "{\"name\":\"ops\",\"role\":\"operator\"}");
      assertEquals(201, made.status(), made.body());
      String token = made.json().path("token").asText();
      String id = made.json().path("id").asText();
      assertEquals(200, b.api.call("GET", "/v1/apps", null, token).status(), "made on a, taken by b");
      assertEquals(403, b.api.call("GET", "/v1/tokens", null, token).status(), "with its role on b too");

      assertEquals(200, a.api.delete("/v1/tokens/" + id).status());
      long revoked = System.nanoTime();
      Response after = b.api.call("GET", "/v1/apps", null, token);
      long ms = (System.nanoTime() - revoked) / 1_000_000;
      assertEquals(401, after.status(), "b refuses the token revoked on a: " + after.body());
      System.out.printf("revoked on a, refused by b %d ms later (its very next request)%n", ms);
      assertTrue(ms < 1000, ms + " ms");
    }
  }

  @Test
  void anAppIsProvisionedAndRemovedWithItsStateInPostgresql() throws Exception {
    String app = "itpg" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (InProcessServer server = new InProcessServer(dir.resolve("data"), "--store", storeUrl())) {
      ApiHarness api = server.api;
      Response r = api.post("/v1/hosts", RealLxd.registerBody("lxd1"));
      assertEquals(202, r.status(), r.body());
      assertEquals("success", api.await(r.json().path("operation").asText(), Duration.ofSeconds(120))
          .path("status").asText());
      boolean deleted = false;
      try {
        Response created = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 2));
        assertEquals(202, created.status(), created.body());
        JsonNode op = api.await(created.json().path("operation").asText(), Duration.ofSeconds(180));
        assertEquals("success", op.path("status").asText(), op.toString());
        assertFalse(op.path("steps").isEmpty(), op.toString());

        JsonNode members = api.get("/v1/apps/" + app).json().path("services").get(0).path("members");
        assertEquals(2, members.size(), members.toString());
        List<String> ips = new ArrayList<>();
        for (JsonNode m : members) {
          assertEquals("running", m.path("state").asText(), m.toString());
          assertTrue(RealLxd.inPool(m.path("ip").asText()), m.toString());
          ips.add(m.path("ip").asText());
        }
        // the same picture straight from PostgreSQL: members and their addresses under the constraint
        assertEquals(ips.stream().sorted().toList(),
            query("SELECT ip FROM " + schema + ".members WHERE app = '" + app + "' ORDER BY ip"));
        assertEquals(ips.stream().sorted().toList(), query("SELECT address FROM " + schema
            + ".ip_allocations WHERE member LIKE '" + app + "-%' ORDER BY address"));
        assertFalse(query("SELECT id FROM " + schema + ".events").isEmpty(), "events are recorded");

        Response gone = api.delete("/v1/apps/" + app);
        assertEquals(202, gone.status(), gone.body());
        JsonNode removal = api.await(gone.json().path("operation").asText(), Duration.ofSeconds(120));
        assertEquals("success", removal.path("status").asText(), removal.toString());
        deleted = true;
        assertEquals(404, api.get("/v1/apps/" + app).status());
        assertEquals(List.of(), query("SELECT name FROM " + schema + ".members"));
        assertEquals(List.of(), query("SELECT address FROM " + schema + ".ip_allocations WHERE member NOT LIKE '~%'"));
      } finally {
        if (!deleted) {
          Response gone = api.delete("/v1/apps/" + app);
          if (gone.status() == 202) {
            api.await(gone.json().path("operation").asText(), Duration.ofSeconds(120));
          }
        }
      }
    }
  }

  static JsonNode hostNamed(ApiHarness api, String name) {
    Response r = api.get("/v1/hosts");
    assertEquals(200, r.status(), r.body());
    JsonNode all = r.json().isArray() ? r.json() : r.json().path("hosts");
    for (JsonNode h : all) {
      if (name.equals(h.path("name").asText())) {
        return h;
      }
    }
    throw new AssertionError("no host '" + name + "' in " + r.body());
  }

  List<String> query(String sql) throws SQLException {
    return pg.query(sql);
  }
}
