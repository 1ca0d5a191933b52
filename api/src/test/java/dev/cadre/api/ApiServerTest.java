package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.driver.HostFailureException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.EventView;
import dev.cadre.manager.HostRequest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real Javalin server against a fake control plane: mapping, validation, errors, auth, streams. */
class ApiServerTest {
  static final String HOST = "{\"name\":\"h1\",\"driver\":\"lxd\",\"endpoint\":\"unix:///var/lib/lxd/unix.socket\","
      + "\"datacenter\":\"dc1\",\"network\":\"cadrebr0\"}";
  static final String APP = "{\"name\":\"shop\",\"datacenter\":\"dc1\",\"services\":[{\"name\":\"web\",\"template\":\"busybox\","
      + "\"count\":2,\"config\":{\"port\":\"8080\"}}],\"keep_failed\":true}";

  @TempDir Path dir;
  FakeControlPlane plane;
  ApiHarness api;

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

  static void assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.body());
    JsonNode error = r.json().path("error");
    assertEquals(code, error.path("code").asText(), r.body());
    assertFalse(error.path("message").asText().isEmpty(), r.body());
    assertTrue(error.path("details").isObject(), r.body());
  }

  @Test
  void healthzNeedsNoToken() {
    Response r = api.call("GET", "/healthz", null, null);
    assertEquals(200, r.status());
    assertEquals("ok", r.json().path("status").asText());
  }

  @Test
  void missingTokenIs401WithChallenge() {
    Response r = api.call("GET", "/v1", null, null);
    assertError(r, 401, "unauthorized");
    assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"));
  }

  @Test
  void wrongTokenIs401() {
    assertError(api.call("GET", "/v1/hosts", null, api.token + "x"), 401, "unauthorized");
    assertError(api.call("POST", "/v1/apps", APP, "nope"), 401, "unauthorized");
    assertTrue(plane.requests.isEmpty(), "a refused request must not reach the control plane");
  }

  @Test
  void otherAuthSchemesAre401() throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.base + "/v1"))
        .header("Authorization", "Basic " + api.token).GET().build();
    assertEquals(401, api.send(req).statusCode());
  }

  @Test
  void metricsAndOpenapiNeedTheToken() {
    assertEquals(401, api.call("GET", "/metrics", null, null).status());
    assertEquals(401, api.call("GET", "/openapi.json", null, null).status());
    assertEquals(200, api.get("/openapi.json").status());
  }

  @Test
  void summaryIsSnakeCase() {
    Response r = api.get("/v1");
    assertEquals(200, r.status());
    assertEquals("v1", r.json().path("api").asText());
    assertEquals("fake", r.json().path("store").asText());
    assertTrue(r.json().path("counts").has("operations_running"), r.body());
    assertTrue(r.json().path("addresses_in_use").isObject(), r.body());
    var server = r.json().path("servers").path(0);
    assertEquals("fake-server", server.path("id").asText(), r.body());
    assertTrue(server.path("leader").asBoolean() && server.path("self").asBoolean() && server.path("alive").asBoolean());
    assertTrue(server.has("heartbeat") && server.has("started") && server.has("epoch"), r.body());
    assertEquals("fake-server", r.json().path("leader").asText());
  }

  @Test
  void registerHostAnswers202WithOperationAndLocation() {
    Response r = api.post("/v1/hosts", HOST);
    assertEquals(202, r.status(), r.body());
    String op = r.json().path("operation").asText();
    assertTrue(op.matches("/v1/operations/op-\\d+"), op);
    assertEquals(op, r.header("Location"));
    HostRequest sent = (HostRequest) plane.requests.get(0);
    assertEquals(new HostRequest("h1", "lxd", "unix:///var/lib/lxd/unix.socket", "dc1", "cadrebr0", null), sent);
    Response host = api.get("/v1/hosts/h1");
    assertEquals(200, host.status());
    assertEquals(8L << 30, host.json().path("memory_bytes").asLong());
    assertEquals("2026-01-02T03:04:05Z", host.json().path("updated").asText());
    assertEquals(200, api.get(op).status());
  }

  @Test
  void createAppMapsSnakeCaseAndConfig() {
    Response r = api.post("/v1/apps", APP);
    assertEquals(202, r.status(), r.body());
    AppRequest sent = (AppRequest) plane.requests.get(0);
    assertTrue(sent.keepFailed());
    assertEquals(2, sent.services().get(0).count());
    assertEquals(Map.of("port", "8080"), sent.services().get(0).config());
    JsonNode app = api.get("/v1/apps/shop").json();
    JsonNode member = app.path("services").get(0).path("members").get(0);
    assertEquals("web-1", member.path("name").asText());
    assertEquals("10.77.0.128", member.path("ip").asText());
    assertEquals("2026-01-02T03:04:05Z", app.path("created").asText());
  }

  @Test
  void malformedJsonIs400() {
    assertError(api.post("/v1/apps", "{\"name\": \"shop\", "), 400, "malformed_json");
    assertError(api.post("/v1/apps", "{name: shop}"), 400, "malformed_json");
    assertError(api.post("/v1/apps", "{\"name\":\"a\"} trailing"), 400, "malformed_json");
    assertError(api.post("/v1/apps", "{\"name\": \"x\", \"services\": [}"), 400, "malformed_json");
    assertError(api.post("/v1/apps", "{\"services\": [{\"name\": }]}"), 400, "malformed_json");
    assertTrue(plane.requests.isEmpty());
  }

  @Test
  void emptyOrNonObjectBodyIs400() {
    assertError(api.post("/v1/hosts", ""), 400, "invalid_input");
    assertError(api.post("/v1/hosts", "null"), 400, "invalid_input");
    assertError(api.post("/v1/hosts", "[1,2]"), 400, "invalid_type");
    assertError(api.post("/v1/hosts", "\"h1\""), 400, "invalid_type");
  }

  @Test
  void unknownFieldIsRefusedByName() {
    Response r = api.post("/v1/apps", APP.replace("\"keep_failed\"", "\"keepFailed\""));
    assertError(r, 400, "unknown_field");
    assertEquals("keepFailed", r.json().path("error").path("details").path("field").asText());
    Response nested = api.post("/v1/apps", APP.replace("\"count\"", "\"replicas\""));
    assertError(nested, 400, "unknown_field");
    assertEquals("services[0].replicas", nested.json().path("error").path("details").path("field").asText());
  }

  @Test
  void typesAreChecked() {
    Response countAsString = api.post("/v1/apps", APP.replace("\"count\":2", "\"count\":\"2\""));
    assertError(countAsString, 400, "invalid_type");
    assertEquals("services[0].count", countAsString.json().path("error").path("details").path("field").asText());
    assertError(api.post("/v1/apps", APP.replace("\"count\":2", "\"count\":2.5")), 400, "invalid_type");
    assertError(api.post("/v1/apps", APP.replace("\"name\":\"shop\"", "\"name\":5")), 400, "invalid_type");
    assertError(api.post("/v1/apps", APP.replace("\"keep_failed\":true", "\"keep_failed\":\"yes\"")), 400, "invalid_type");
    assertError(api.post("/v1/apps", APP.replace("\"8080\"", "8080")), 400, "invalid_type");
    assertError(api.post("/v1/apps", APP.replace("[{", "{").replace("}],", "},")), 400, "invalid_type");
    assertTrue(plane.requests.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Shop", "shop/x", "..", "a..b", "shop;rm -rf", "$(id)", "-shop", "1shop", "",
      "a-name-of-forty-one-characters-is-too-lon"})
  void invalidAppNamesAre400(String name) throws Exception {
    String body = APP.replace("\"name\":\"shop\"", "\"name\":" + ApiHarness.JSON.writeValueAsString(name));
    Response r = api.post("/v1/apps", body);
    assertError(r, 400, "invalid_input");
    assertEquals("name", r.json().path("error").path("details").path("field").asText());
    assertTrue(plane.requests.isEmpty());
  }

  @Test
  void requiredFieldsAreNamed() {
    Response r = api.post("/v1/hosts", HOST.replace(",\"network\":\"cadrebr0\"", ""));
    assertError(r, 400, "invalid_input");
    assertEquals("network", r.json().path("error").path("details").path("field").asText());
    Response noServices = api.post("/v1/apps", "{\"name\":\"shop\",\"datacenter\":\"dc1\",\"services\":[]}");
    assertError(noServices, 400, "invalid_input");
    Response noTemplate = api.post("/v1/apps",
        "{\"name\":\"shop\",\"datacenter\":\"dc1\",\"services\":[{\"name\":\"web\"}]}");
    assertEquals("services[0].template", noTemplate.json().path("error").path("details").path("field").asText());
  }

  @Test
  void badValuesAreNamed() {
    assertError(api.post("/v1/hosts", HOST.replace("unix:///var/lib/lxd/unix.socket", "not a url")), 400, "invalid_input");
    assertError(api.post("/v1/hosts", HOST.replace("cadrebr0", "br0;reboot")), 400, "invalid_input");
    assertError(api.post("/v1/apps", APP.replace("\"count\":2", "\"count\":0")), 400, "invalid_input");
    assertError(api.post("/v1/apps", APP.replace("\"port\"", "\"../port\"")), 400, "invalid_input");
    assertError(api.post("/v1/apps", APP.replace("\"port\"", "\"max.memory\"")), 400, "invalid_input");
    assertError(api.post("/v1/apps", APP.replace("\"8080\"", "\"80\\n80\"")), 400, "invalid_input");
    assertError(api.post("/v1/apps", APP.replace("busybox", "busy box")), 400, "invalid_input");
  }

  @Test
  void duplicateServiceNamesAre400() {
    String body = "{\"name\":\"shop\",\"datacenter\":\"dc1\",\"services\":[{\"name\":\"web\",\"template\":\"busybox\"},"
        + "{\"name\":\"web\",\"template\":\"busybox\"}]}";
    Response r = api.post("/v1/apps", body);
    assertError(r, 400, "invalid_input");
    assertTrue(r.json().path("error").path("message").asText().contains("duplicate"));
  }

  @Test
  void duplicateAppIs409() {
    assertEquals(202, api.post("/v1/apps", APP).status());
    assertError(api.post("/v1/apps", APP), 409, "conflict");
  }

  @Test
  void noCapacityIs409WithTheReason() {
    plane.capacity = 1;
    Response r = api.post("/v1/apps", APP);
    assertError(r, 409, "conflict");
    assertTrue(r.json().path("error").path("message").asText().contains("no capacity"), r.body());
    assertEquals(404, api.get("/v1/apps/shop").status());
  }

  @Test
  void unknownTemplateIs400() {
    Response r = api.post("/v1/apps", APP.replace("busybox", "nosuch"));
    assertError(r, 400, "invalid_input");
    assertTrue(r.json().path("error").path("message").asText().contains("nosuch"));
  }

  @Test
  void unknownThingsAre404() {
    assertError(api.get("/v1/apps/nope"), 404, "not_found");
    assertError(api.get("/v1/hosts/nope"), 404, "not_found");
    assertError(api.get("/v1/operations/nope"), 404, "not_found");
    assertError(api.get("/v1/nothing-here"), 404, "not_found");
  }

  @Test
  void malformedPathNamesAre400() {
    assertError(api.get("/v1/apps/Shop"), 400, "invalid_input");
    assertError(api.get("/v1/apps/a%3Bb"), 400, "invalid_input");
    assertError(api.get("/v1/operations/a%20b"), 400, "invalid_input");
  }

  @Test
  void hostFailuresAre503() {
    plane.failNext = new HostFailureException("h1", "the daemon said no");
    Response r = api.get("/v1/hosts");
    assertError(r, 503, "host_failure");
    assertEquals("h1", r.json().path("error").path("details").path("host").asText());
  }

  @Test
  void unexpectedErrorsAre500WithoutStackTraces() {
    plane.failNext = new IllegalStateException("secret internals at dev.cadre.Something");
    Response r = api.get("/v1");
    assertError(r, 500, "internal");
    assertFalse(r.body().contains("secret internals"), r.body());
    assertFalse(r.body().contains("IllegalStateException"), r.body());
    assertFalse(r.body().contains("\tat "), r.body());
  }

  @Test
  void verbsTheControlPlaneLacksAre409NotSupported() {
    api.post("/v1/apps", APP);
    assertError(api.post("/v1/apps/shop/services/web/convert", "{\"topology\":\"redundant\"}"), 409, "not_supported");
    assertError(api.post("/v1/apps/shop/services/web/members/web-1/promote", ""), 409, "not_supported");
    assertError(api.post("/v1/apps/shop/move", "{\"datacenter\":\"dc2\",\"dry_run\":true}"), 409, "not_supported");
    assertError(api.post("/v1/apps/shop/move", "{\"datacenter\":\"dc2\",\"dryrun\":true}"), 400, "unknown_field");
    assertError(api.post("/v1/apps/shop/services/web/convert", "{\"topology\":\"Big One\"}"), 400, "invalid_input");
  }

  @Test
  void aBodyPastTheLimitIsRefusedInTheErrorShape() {
    String big = "{\"name\":\"" + "a".repeat(1 << 20) + "\"}";
    assertError(api.post("/v1/apps", big), 413, "too_large");
    assertError(api.post("/v1/hosts/h1/drain", big), 413, "too_large");
    assertTrue(plane.requests.isEmpty(), "a refused body must not reach the control plane");
  }

  @Test
  void waitBlocksUntilDone() throws Exception {
    plane.holdOperations = true;
    String op = api.post("/v1/apps", APP).json().path("operation").asText();
    String id = op.substring(op.lastIndexOf('/') + 1);
    assertEquals("running", api.get(op).json().path("status").asText());
    CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      plane.finish(id, "success", null);
    });
    int timeout = 60;
    Instant before = Instant.now();
    Response r = api.get(op + "/wait?timeout=" + timeout);
    assertEquals(200, r.status(), r.body());
    assertEquals("success", r.json().path("status").asText());
    // woken by the finish (300 ms in), not by its timeout: a bound against the timeout, not the machine
    long waited = Duration.between(before, Instant.now()).toSeconds();
    assertTrue(waited < timeout / 2, "the wait took " + waited + " s of its " + timeout + " s timeout");
  }

  @Test
  void waitTimesOutWithTheCurrentState() {
    plane.holdOperations = true;
    String op = api.post("/v1/apps", APP).json().path("operation").asText();
    Response r = api.get(op + "/wait?timeout=1");
    assertEquals(200, r.status());
    assertEquals("running", r.json().path("status").asText());
  }

  @Test
  void oneTokenHoldsAtMostSixteenWaitsAndStreamsAtOnce() throws Exception {
    plane.holdOperations = true;
    String op = api.post("/v1/apps", APP).json().path("operation").asText();
    String id = op.substring(op.lastIndexOf('/') + 1);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // the waits last until the operation ends, so that all of them are held at once however slowly they arrive
    HttpRequest wait = HttpRequest.newBuilder(URI.create(api.base + op + "/wait?timeout=60"))
        .header("Authorization", "Bearer " + api.token).build();
    HttpRequest stream = HttpRequest.newBuilder(URI.create(api.base + "/v1/events"))
        .header("Authorization", "Bearer " + api.token).header("Accept", "text/event-stream").build();
    // one stream and fifteen waits: the token's sixteen places
    HttpResponse<InputStream> events = client.send(stream, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, events.statusCode());
    java.util.List<CompletableFuture<HttpResponse<String>>> waits = new java.util.ArrayList<>();
    for (int i = 0; i < 15; i++) {
      waits.add(client.sendAsync(wait, HttpResponse.BodyHandlers.ofString()));
    }
    // a wait of 0 s holds its place only for a moment: it is refused once the fifteen have reached the server
    Response refused = null;
    for (int i = 0; i < 400 && (refused == null || refused.status() != 429); i++) {
      Thread.sleep(50);
      refused = api.get(op + "/wait?timeout=0");
    }
    assertError(refused, 429, "too_many_requests");
    assertTrue(refused.body().contains("16"), refused.body());
    plane.finish(id, "success", null);
    for (CompletableFuture<HttpResponse<String>> w : waits) {
      assertEquals(200, w.get(20, TimeUnit.SECONDS).statusCode());
    }
    events.body().close();
    // every place is given back: waits work again
    Response again = null;
    for (int i = 0; i < 100 && (again == null || again.status() != 200); i++) {
      Thread.sleep(50);
      again = api.get(op + "/wait?timeout=1");
    }
    assertEquals(200, again.status(), again.body());
  }

  @Test
  void waitTimeoutIsValidated() {
    String op = api.post("/v1/apps", APP).json().path("operation").asText();
    assertError(api.get(op + "/wait?timeout=abc"), 400, "invalid_input");
    assertError(api.get(op + "/wait?timeout=-1"), 400, "invalid_input");
    assertError(api.get(op + "/wait?timeout=301"), 400, "invalid_input");
    assertError(api.get("/v1/operations/nope/wait?timeout=1"), 404, "not_found");
  }

  @Test
  void cancelAnswersTheOperation() {
    plane.holdOperations = true;
    String op = api.post("/v1/apps", APP).json().path("operation").asText();
    Response r = api.delete(op);
    assertEquals(200, r.status());
    assertEquals("cancelled", r.json().path("status").asText());
    assertError(api.delete(op), 409, "conflict");
  }

  @Test
  void removeAndDrainAnswerOperations() {
    api.post("/v1/hosts", HOST);
    assertEquals(202, api.post("/v1/hosts/h1/drain", "").status());
    assertEquals(202, api.post("/v1/hosts/h1/drain", "{}").status());
    assertError(api.post("/v1/hosts/h1/drain", "{\"force\":true}"), 400, "unknown_field");
    assertError(api.post("/v1/hosts/h1/drain", "{"), 400, "malformed_json");
    assertEquals(202, api.post("/v1/hosts/h1/resume", "").status());
    assertError(api.post("/v1/hosts/h1/resume", "{\"force\":true}"), 400, "unknown_field");
    assertError(api.post("/v1/hosts/none/resume", ""), 404, "not_found");
    assertEquals(202, api.delete("/v1/hosts/h1").status());
    assertError(api.delete("/v1/hosts/h1"), 404, "not_found");
  }

  @Test
  void templatesCarryTheirPlan() {
    JsonNode t = api.get("/v1/templates").json().get(0);
    assertEquals("busybox", t.path("name").asText());
    assertEquals("single", t.path("plan").path("topologies").get(0).asText());
  }

  @Test
  @org.junit.jupiter.api.Timeout(20)
  void eventsStreamAsServerSentEvents() throws Exception {
    assertError(api.get("/v1/events"), 406, "not_acceptable");
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.base + "/v1/events"))
        .header("Authorization", "Bearer " + api.token).header("Accept", "text/event-stream").GET().build();
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (plane.listeners.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      plane.emit(new EventView(42, "member", "apps/shop/web/web-1", Map.of("state", "running"), FakeControlPlane.T0));
      String event = null;
      String id = null;
      String data = null;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("data:")) {
          data = line.substring(5).trim();
          break;
        }
      }
      assertEquals("member", event);
      assertEquals("42", id);
      assertNotNull(data);
      JsonNode json = ApiHarness.JSON.readTree(data);
      assertEquals("apps/shop/web/web-1", json.path("subject").asText());
      assertEquals("running", json.path("data").path("state").asText());
      assertEquals("2026-01-02T03:04:05Z", json.path("at").asText());
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(20)
  void aStreamResumedWithLastEventIdStartsAfterThatEvent() throws Exception {
    for (long id = 1; id <= 3; id++) {
      plane.emit(new EventView(id, "member", "apps/shop/web/web-" + id, Map.of("state", "running"), FakeControlPlane.T0));
    }
    HttpRequest.Builder stream = HttpRequest.newBuilder(URI.create(api.base + "/v1/events"))
        .header("Authorization", "Bearer " + api.token).header("Accept", "text/event-stream").GET();
    HttpResponse<String> garbage = HttpClient.newHttpClient().send(stream.copy().header("Last-Event-ID", "x").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, garbage.statusCode(), garbage.body());
    HttpResponse<InputStream> r = HttpClient.newHttpClient().send(stream.header("Last-Event-ID", "1").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      java.util.List<String> ids = new java.util.ArrayList<>();
      String line;
      while (ids.size() < 2 && (line = reader.readLine()) != null) {
        if (line.startsWith("id:")) {
          ids.add(line.substring(3).trim());
        }
      }
      assertEquals(java.util.List.of("2", "3"), ids, "the events after 1, and not 1");
    }
  }

  @Test
  void metricsCountRequestsByRoute() {
    api.get("/v1/apps");
    api.post("/v1/apps", APP);
    String metrics = api.get("/metrics").body();
    assertTrue(metrics.contains("cadre_http_requests_seconds_count{"), metrics);
    assertTrue(metrics.contains("route=\"/v1/apps\""), metrics);
    assertTrue(metrics.contains("cadre_operations_started_total{kind=\"create-app\"} 1.0"), metrics);
    assertTrue(metrics.contains("cadre_apps 1.0"), metrics);
    assertTrue(metrics.contains("cadre_addresses_in_use{datacenter=\"dc1\"} 2.0"), metrics);
  }
}
