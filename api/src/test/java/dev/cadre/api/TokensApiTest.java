package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.manager.store.TokenRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens with roles, scopes, revocation, the audit log and secrets, through the real server and store. */
class TokensApiTest {
  static final String BLOG = ApiServerTest.APP.replace("\"shop\"", "\"blog\"");

  @TempDir Path dir;
  FakeControlPlane plane;
  ApiHarness api;

  @BeforeEach
  void start() {
    plane = new FakeControlPlane();
    api = new ApiHarness(plane, dir);
    assertEquals(202, api.post("/v1/hosts", ApiServerTest.HOST).status());
    assertEquals(202, api.post("/v1/apps", ApiServerTest.APP).status());
    assertEquals(202, api.post("/v1/apps", BLOG).status());
  }

  @AfterEach
  void stop() {
    api.close();
    plane.close();
  }

  String token(String body) {
    Response r = api.post("/v1/tokens", body);
    assertEquals(201, r.status(), r.body());
    return r.json().path("token").asText();
  }

  static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.path("name").asText()));
    return out;
  }

  @Test
  void anOperationNamesTheTokenThatStartedIt() {
    String deployer = token("{\"name\":\"deployer\",\"role\":\"operator\"}");
    Response started = api.call("POST", "/v1/apps/shop/services/web/backup", "", deployer);
    assertEquals(202, started.status(), started.body());
    assertEquals("deployer", started.json().path("metadata").path("actor").asText());
    String op = started.json().path("operation").asText();
    assertEquals("deployer", api.call("GET", op, null, deployer).json().path("actor").asText());
    assertEquals("deployer", api.get(op + "/wait?timeout=0").json().path("actor").asText(), "whoever reads it");

    String byAdmin = api.delete("/v1/apps/blog").json().path("operation").asText();
    assertEquals("admin", api.get(byAdmin).json().path("actor").asText(), "the bootstrap token");
  }

  @Test
  void everyCallThatStartsAnOperationNamesItsCaller() {
    plane.topologyVerbs = true;
    String root = token("{\"name\":\"root-ci\",\"role\":\"admin\"}");
    String restore = "/v1/apps/shop/services/web/backups/" + FakeControlPlane.BACKUP_ID + "/restore";
    List<String[]> calls = List.of(
        new String[] {"POST", "/v1/hosts", ApiServerTest.HOST.replace("\"h1\"", "\"h2\"")},
        new String[] {"POST", "/v1/hosts/h1/drain", ""},
        new String[] {"POST", "/v1/hosts/h1/resume", ""},
        new String[] {"POST", "/v1/hosts/h1/trust", "{\"fingerprint\":\"" + "ab".repeat(32) + "\"}"},
        new String[] {"DELETE", "/v1/hosts/h2", null},
        new String[] {"POST", "/v1/apps", BLOG.replace("\"blog\"", "\"news\"")},
        new String[] {"POST", "/v1/apps/shop/services/web/convert", "{\"topology\":\"redundant\"}"},
        new String[] {"POST", "/v1/apps/shop/services/web/members/web-1/promote", ""},
        new String[] {"POST", "/v1/apps/shop/move", "{\"datacenter\":\"dc2\"}"},
        new String[] {"POST", "/v1/apps/shop/services/web/backup", ""},
        new String[] {"POST", restore, "{\"app\":\"shop3\",\"service\":\"web\",\"datacenter\":\"dc1\"}"},
        new String[] {"DELETE", "/v1/apps/news", null});
    for (String[] call : calls) {
      Response r = api.call(call[0], call[1], call[2], root);
      assertEquals(202, r.status(), call[0] + " " + call[1] + ": " + r.body());
      assertEquals("root-ci", r.json().path("metadata").path("actor").asText(), call[0] + " " + call[1]);
    }
  }

  @Test
  void aViewerReadsButItsDeleteIsRefusedAndTheAppStays() {
    String viewer = token("{\"name\":\"ci\",\"role\":\"viewer\"}");
    assertEquals(200, api.call("GET", "/v1/apps/shop", null, viewer).status());
    Response r = api.call("DELETE", "/v1/apps/shop", null, viewer);
    ApiServerTest.assertError(r, 403, "forbidden");
    assertTrue(r.json().path("error").path("message").asText().contains("admin or operator"), r.body());
    assertEquals(200, api.get("/v1/apps/shop").status());
    assertEquals(403, api.call("POST", "/v1/hosts/h1/drain", "", viewer).status());
  }

  @Test
  void anOperatorChangesAppsButNotHostsOrTokens() {
    String op = token("{\"name\":\"ops\",\"role\":\"operator\"}");
    assertEquals(202, api.call("DELETE", "/v1/apps/blog", null, op).status());
    Response host = api.call("DELETE", "/v1/hosts/h1", null, op);
    ApiServerTest.assertError(host, 403, "forbidden");
    assertTrue(host.json().path("error").path("message").asText().contains("role admin"), host.body());
    assertEquals(403, api.call("POST", "/v1/tokens", "{\"name\":\"x\",\"role\":\"admin\"}", op).status());
    assertEquals(403, api.call("GET", "/v1/audit", null, op).status());
    assertEquals(403, api.call("GET", "/metrics", null, op).status());
    assertEquals(1, api.get("/v1/hosts").json().size(), "the host is still there");
  }

  @Test
  void aRevokedTokenIsRefusedAtTheNextCall() {
    Response made = api.post("/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\"}");
    String viewer = made.json().path("token").asText();
    assertEquals(200, api.call("GET", "/v1/apps", null, viewer).status());
    assertEquals(200, api.delete("/v1/tokens/" + made.json().path("id").asText()).status());
    ApiServerTest.assertError(api.call("GET", "/v1/apps", null, viewer), 401, "unauthorized");
  }

  @Test
  void anExpiredTokenIs401() {
    String secret = "cadre-expired-token-for-the-test";
    plane.access().insertToken(new TokenRecord("tk-00000000000000000001", "old", "admin", null,
        Instant.now().minusSeconds(1), Instant.now().minusSeconds(60),
        HexFormat.of().formatHex(dev.cadre.api.auth.AdminToken.sha256(secret))));
    Response r = api.call("GET", "/v1", null, secret);
    ApiServerTest.assertError(r, 401, "unauthorized");
    assertTrue(r.json().path("error").path("message").asText().contains("expired"), r.body());
  }

  @Test
  void aScopedTokenSeesAndTouchesOnlyItsApps() {
    String op = token("{\"name\":\"shop-ops\",\"role\":\"operator\",\"apps\":[\"shop\"]}");
    assertEquals(List.of("shop"), names(api.call("GET", "/v1/apps", null, op).json()));
    ApiServerTest.assertError(api.call("GET", "/v1/apps/blog", null, op), 404, "not_found");
    ApiServerTest.assertError(api.call("DELETE", "/v1/apps/blog", null, op), 404, "not_found");
    assertEquals(200, api.get("/v1/apps/blog").status(), "blog is untouched");
    assertEquals(404, api.call("GET", "/v1/apps/blog/services/web/secrets", null, op).status());
    assertEquals(403, api.call("POST", "/v1/apps", BLOG.replace("\"blog\"", "\"other\""), op).status());
    assertEquals(404, api.get("/v1/apps/other").status(), "nothing was created");

    String blogOp = api.post("/v1/apps/blog/services/web/backup", "").json().path("operation").asText();
    assertEquals(200, api.get(blogOp).status());
    ApiServerTest.assertError(api.call("GET", blogOp, null, op), 404, "not_found");
    assertEquals(404, api.call("GET", blogOp + "/wait?timeout=0", null, op).status());
    assertEquals(404, api.call("DELETE", blogOp, null, op).status());
    String shopOp = api.call("POST", "/v1/apps/shop/services/web/backup", "", op).json().path("operation").asText();
    assertEquals(200, api.call("GET", shopOp, null, op).status());
  }

  @Test
  void theAppReadCarriesNoSecretsAndTheSecretsEndpointDoes() {
    String body = api.get("/v1/apps/shop").body();
    assertFalse(body.contains("\"pw\"") || body.contains("secrets"), body);
    String list = api.get("/v1/apps").body();
    assertFalse(list.contains("\"pw\"") || list.contains("secrets"), list);

    String op = token("{\"name\":\"ops\",\"role\":\"operator\"}");
    String viewer = token("{\"name\":\"ci\",\"role\":\"viewer\"}");
    Response secrets = api.call("GET", "/v1/apps/shop/services/web/secrets", null, op);
    assertEquals(200, secrets.status(), secrets.body());
    assertEquals("pw", secrets.json().path("secrets").path("password").asText());
    assertEquals("no-store", secrets.header("Cache-Control"));
    ApiServerTest.assertError(api.call("GET", "/v1/apps/shop/services/web/secrets", null, viewer), 403, "forbidden");
    // the router ignores a trailing slash; the policy must judge the path the router matches
    for (String sneaky : List.of("/v1/apps/shop/services/web/secrets/", "/v1/apps/shop/services/web/secrets//",
        "/v1/audit/", "/v1/tokens/")) {
      Response r = api.call("GET", sneaky, null, viewer);
      ApiServerTest.assertError(r, 403, "forbidden");
      assertFalse(r.body().contains("\"pw\""), sneaky + ": " + r.body());
    }
    ApiServerTest.assertError(api.call("GET", "/v1/apps/blog/", null, token("{\"name\":\"shop-only\",\"role\":"
        + "\"viewer\",\"apps\":[\"shop\"]}")), 404, "not_found");
    ApiServerTest.assertError(api.get("/v1/apps/shop/services/nope/secrets"), 404, "not_found");

    JsonNode audit = api.get("/v1/audit").json();
    boolean recorded = false;
    for (JsonNode e : audit) {
      recorded |= e.path("actor").asText().equals("ops") && e.path("path").asText().endsWith("/web/secrets")
          && e.path("status").asInt() == 200;
    }
    assertTrue(recorded, audit.toString());
  }

  @Test
  void aMetricsTokenReachesOnlyMetrics() {
    String metrics = token("{\"name\":\"prom\",\"role\":\"metrics\"}");
    assertEquals(200, api.call("GET", "/metrics", null, metrics).status());
    for (String path : List.of("/v1", "/v1/apps", "/v1/hosts", "/openapi.json", "/v1/templates")) {
      ApiServerTest.assertError(api.call("GET", path, null, metrics), 403, "forbidden");
    }
    assertEquals(403, api.call("GET", "/metrics", null, token("{\"name\":\"ci\",\"role\":\"viewer\"}")).status());
    assertEquals(200, api.get("/metrics").status(), "admin reads metrics too");
  }

  @Test
  void badTokenRequestsAre400AndStoreNothing() {
    for (String bad : List.of(
        "{\"name\":\"Bad Name\",\"role\":\"viewer\"}",
        "{\"name\":\"admin\",\"role\":\"viewer\"}",
        "{\"name\":\"x\",\"role\":\"root\"}",
        "{\"name\":\"x\"}",
        "{\"name\":\"x\",\"role\":\"viewer\",\"expires\":\"2020-01-01T00:00:00Z\"}",
        "{\"name\":\"x\",\"role\":\"viewer\",\"expires\":\"tomorrow\"}",
        "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":[]}",
        "{\"name\":\"x\",\"role\":\"viewer\",\"apps\":[\"Shop!\"]}",
        "{\"name\":\"x\",\"role\":\"admin\",\"apps\":[\"shop\"]}",
        "{\"name\":\"x\",\"role\":\"viewer\",\"token\":\"mine\"}")) {
      Response r = api.post("/v1/tokens", bad);
      assertEquals(400, r.status(), bad + " -> " + r.body());
      assertFalse(r.json().path("error").path("message").asText().isEmpty());
    }
    assertEquals(0, api.get("/v1/tokens").json().size());
    assertEquals(201, api.post("/v1/tokens", "{\"name\":\"x\",\"role\":\"viewer\"}").status());
    assertEquals(409, api.post("/v1/tokens", "{\"name\":\"x\",\"role\":\"operator\"}").status());
  }

  @Test
  void listsNeverShowTheTokenOrItsHash() {
    Response made = api.post("/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"expires\":\"2999-01-01T00:00:00Z\"}");
    String secret = made.json().path("token").asText();
    String hash = HexFormat.of().formatHex(dev.cadre.api.auth.AdminToken.sha256(secret));
    String list = api.get("/v1/tokens").body();
    String one = api.get("/v1/tokens/" + made.json().path("id").asText()).body();
    for (String body : List.of(list, one)) {
      assertTrue(body.contains("\"ci\"") && body.contains("2999-01-01T00:00:00Z"), body);
      assertFalse(body.contains(secret) || body.contains(hash) || body.contains("token\""), body);
    }
  }

  @Test
  void writesAreAuditedWithTheTokensNameAndTheirOperation() {
    String op = token("{\"name\":\"ops\",\"role\":\"operator\"}");
    String viewer = token("{\"name\":\"ci\",\"role\":\"viewer\"}");
    long before = last(api.get("/v1/audit?limit=1000").json());
    String deleted = api.call("DELETE", "/v1/apps/blog", null, op).json().path("operation").asText();
    api.call("DELETE", "/v1/apps/shop", null, viewer);
    api.call("GET", "/v1/apps", null, viewer);
    JsonNode entries = api.get("/v1/audit?after=" + before).json();
    assertEquals(2, entries.size(), entries.toString());
    assertEquals("ops", entries.get(0).path("actor").asText());
    assertEquals("DELETE", entries.get(0).path("method").asText());
    assertEquals("/v1/apps/blog", entries.get(0).path("path").asText());
    assertEquals(202, entries.get(0).path("status").asInt());
    assertEquals(deleted, entries.get(0).path("operation").asText());
    assertEquals("ci", entries.get(1).path("actor").asText());
    assertEquals(403, entries.get(1).path("status").asInt());
    // the admin's own token creations were recorded as 'admin'
    assertEquals("admin", api.get("/v1/audit?limit=1").json().get(0).path("actor").asText());
    assertEquals(400, api.get("/v1/audit?limit=5000").status());
  }

  private static long last(JsonNode entries) {
    return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).path("id").asLong();
  }

  @Test
  void aWaitingClientOfAHiddenOperationGets404AtOnce() {
    String viewer = token("{\"name\":\"ci\",\"role\":\"viewer\",\"apps\":[\"shop\"]}");
    String hostOp = api.post("/v1/hosts/h1/drain", "").json().path("operation").asText();
    long t0 = System.nanoTime();
    assertEquals(404, api.call("GET", hostOp + "/wait?timeout=5", null, viewer).status());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 4);
  }
}
