package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.Instance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API in front of the real control plane and real LXD host 1: a busybox app end to end, and each
 * bad input of issue 3 refused with nothing created.
 */
class ApiLxdIT {
  @TempDir static Path dir;
  static InProcessServer server;
  static ApiHarness api;
  static HostDriver lxd;
  static final List<String> apps = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void up() {
    server = new InProcessServer(dir.resolve("data"));
    api = server.api;
    lxd = RealLxd.open(dir.resolve("lxd-client"));
    Response r = api.post("/v1/hosts", RealLxd.registerBody("lxd1"));
    assertEquals(202, r.status(), r.body());
    JsonNode op = api.await(r.json().path("operation").asText(), Duration.ofSeconds(120));
    assertEquals("success", op.path("status").asText(), op.toString());
  }

  @AfterAll
  static void down() {
    try {
      for (String app : apps) {
        Response r = api.delete("/v1/apps/" + app);
        if (r.status() == 202) {
          api.await(r.json().path("operation").asText(), Duration.ofSeconds(120));
        }
      }
    } finally {
      if (server != null) {
        server.close();
      }
      if (lxd != null) {
        lxd.close();
      }
    }
  }

  static String appName() {
    String name = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    apps.add(name);
    return name;
  }

  static void assertError(Response r, int status, String code) {
    ApiServerTest.assertError(r, status, code);
  }

  /** Containers of one app (members are named {@code <app>-<service>-<n>}); other suites may share the host. */
  static Set<String> containersOf(String app) {
    return lxd.list().stream().map(Instance::name).filter(n -> n.startsWith(app + "-")).collect(Collectors.toSet());
  }

  @Test
  void busyboxAppEndToEnd() {
    String app = appName();
    Response created = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 2));
    assertEquals(202, created.status(), created.body());
    assertEquals(created.json().path("operation").asText(), created.header("Location"));
    JsonNode op = api.await(created.json().path("operation").asText(), Duration.ofSeconds(180));
    assertEquals("success", op.path("status").asText(), op.toString());
    assertFalse(op.path("steps").isEmpty(), op.toString());

    JsonNode shown = api.get("/v1/apps/" + app).json();
    JsonNode members = shown.path("services").get(0).path("members");
    assertEquals(2, members.size(), shown.toString());
    List<String> ips = new ArrayList<>();
    for (JsonNode m : members) {
      assertEquals("running", m.path("state").asText(), m.toString());
      assertEquals("lxd1", m.path("host").asText(), m.toString());
      assertTrue(RealLxd.inPool(m.path("ip").asText()), m.toString());
      ips.add(m.path("ip").asText());
    }
    assertEquals(2, Set.copyOf(ips).size(), "addresses must differ: " + ips);
    List<Instance> onHost = RealLxd.leftovers(lxd, app, ips);
    assertEquals(2, onHost.size(), onHost.toString());
    onHost.forEach(i -> assertTrue(i.running() && ips.contains(i.ipv4()), i.toString()));
    assertTrue(api.get("/v1/apps").body().contains(app));

    Response deleted = api.delete("/v1/apps/" + app);
    assertEquals(202, deleted.status(), deleted.body());
    JsonNode gone = api.await(deleted.json().path("operation").asText(), Duration.ofSeconds(120));
    assertEquals("success", gone.path("status").asText(), gone.toString());
    assertError(api.get("/v1/apps/" + app), 404, "not_found");
    assertEquals(List.of(), RealLxd.leftovers(lxd, app, ips));
  }

  @Test
  void unknownTemplateIsRefusedUpFront() {
    String app = appName();
    Response r = api.post("/v1/apps", RealLxd.appBody(app, "nosuchtemplate", 1));
    assertError(r, 400, "invalid_input");
    assertTrue(r.json().path("error").path("message").asText().contains("nosuchtemplate"), r.body());
    assertError(api.get("/v1/apps/" + app), 404, "not_found");
    assertEquals(Set.of(), containersOf(app));
  }

  @Test
  void invalidNamesAreRefused() {
    for (String bad : List.of("Shop", "a/b", "..", "a;reboot", "$(id)", "`id`", "a b", "-a", "a".repeat(41))) {
      String body = RealLxd.appBody("x", "busybox", 1).replace("\"name\":\"x\"", "\"name\":" + quote(bad));
      assertError(api.post("/v1/apps", body), 400, "invalid_input");
      String svc = RealLxd.appBody("okname", "busybox", 1).replace("\"name\":\"web\"", "\"name\":" + quote(bad));
      assertError(api.post("/v1/apps", svc), 400, "invalid_input");
      assertError(api.post("/v1/hosts", RealLxd.registerBody("h").replace("\"name\":\"h\"", "\"name\":" + quote(bad))),
          400, "invalid_input");
    }
    assertError(api.get("/v1/apps/okname"), 404, "not_found");
  }

  @Test
  void duplicateNamesAreRefused() {
    String app = appName();
    String twoWebs = "{\"name\":\"" + app + "\",\"datacenter\":\"dc1\",\"services\":[{\"name\":\"web\",\"template\":\"busybox\"},"
        + "{\"name\":\"web\",\"template\":\"busybox\"}]}";
    assertError(api.post("/v1/apps", twoWebs), 400, "invalid_input");
    assertError(api.get("/v1/apps/" + app), 404, "not_found");

    Response first = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 1));
    assertEquals(202, first.status(), first.body());
    Response second = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 1));
    assertError(second, 409, "conflict");
    JsonNode op = api.await(first.json().path("operation").asText(), Duration.ofSeconds(180));
    assertEquals("success", op.path("status").asText(), op.toString());
    assertEquals(1, api.get("/v1/apps/" + app).json().path("services").get(0).path("members").size());

    assertError(api.post("/v1/hosts", RealLxd.registerBody("lxd1")), 409, "conflict");
  }

  @Test
  void noCapacityIs409WithTheReasonAndNothingCreated() {
    String app = appName();
    int addressesBefore = api.get("/v1").json().path("addresses_in_use").path("dc1").asInt();
    Response r = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 100));
    assertError(r, 409, "conflict");
    assertFalse(r.json().path("error").path("message").asText().isBlank());
    assertError(api.get("/v1/apps/" + app), 404, "not_found");
    assertEquals(Set.of(), containersOf(app));
    assertEquals(addressesBefore, api.get("/v1").json().path("addresses_in_use").path("dc1").asInt());
    for (JsonNode a : api.get("/v1/apps").json()) {
      assertFalse(a.path("name").asText().equals(app));
    }
  }

  @Test
  void countsBeyondTheLimitAreRefused() {
    assertError(api.post("/v1/apps", RealLxd.appBody(appName(), "busybox", 101)), 400, "invalid_input");
    assertError(api.post("/v1/apps", RealLxd.appBody(appName(), "busybox", 0)), 400, "invalid_input");
  }

  @Test
  void malformedJsonIs400() {
    assertError(api.post("/v1/apps", "{\"name\": \"x\", \"services\": [}"), 400, "malformed_json");
    assertError(api.post("/v1/hosts", "not json"), 400, "malformed_json");
    assertError(api.post("/v1/apps", "{\"name\":\"x\",\"datacenter\":\"dc1\",\"services\":[],\"extra\":1}"), 400, "unknown_field");
  }

  @Test
  void missingTokenIs401() {
    assertError(api.call("GET", "/v1/apps", null, null), 401, "unauthorized");
    assertError(api.call("POST", "/v1/apps", RealLxd.appBody("noauth", "busybox", 1), null), 401, "unauthorized");
    assertError(api.get("/v1/apps/noauth"), 404, "not_found");
  }

  @Test
  void wrongTokenIs401() {
    assertError(api.call("GET", "/v1", null, api.token.substring(1)), 401, "unauthorized");
    assertError(api.call("DELETE", "/v1/hosts/lxd1", null, "cadre-wrong"), 401, "unauthorized");
    assertEquals(200, api.get("/v1/hosts/lxd1").status());
  }

  @Test
  void hostsShowCapacityAndState() {
    JsonNode host = api.get("/v1/hosts/lxd1").json();
    assertEquals("ready", host.path("state").asText(), host.toString());
    assertEquals("dc1", host.path("datacenter").asText());
    assertTrue(host.path("cpus").asInt() > 0, host.toString());
    assertTrue(host.path("memory_bytes").asLong() > 0, host.toString());
    JsonNode templates = api.get("/v1/templates").json();
    assertTrue(templates.toString().contains("busybox"), templates.toString());
  }

  static String quote(String s) {
    try {
      return ApiHarness.JSON.writeValueAsString(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
