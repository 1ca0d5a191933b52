package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.api.OpenApiContract.Answer;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.manager.EventView;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real answers of the server fit the OpenAPI document it serves: a tour makes every documented
 * operation answer its success and the failures it can answer with, and {@link OpenApiContract}
 * requires a documented status and a schema for each, and a body that fits it. The tests after the
 * first feed the contract documents with one thing taken out and expect it to say so.
 */
@Timeout(120)
class OpenApiResponsesTest {
  private static final String HOST2 = ApiServerTest.HOST.replace("\"h1\"", "\"h2\"");
  /** Past the 1 MiB a request body may have. */
  private static final String TOO_LARGE = "{\"name\":\"" + "a".repeat((1 << 20) + 1) + "\"}";

  @TempDir Path dir;

  @Test
  void everyAnswerOfEveryDocumentedOperationHasASchemaAndFitsIt() throws Exception {
    FakeControlPlane plane = new FakeControlPlane();
    try (ApiHarness api = new ApiHarness(plane, dir)) {
      JsonNode doc = api.get("/openapi.json").json();
      OpenApiContract contract = new OpenApiContract(doc);
      List<Answer> answers = new Tour(api, plane).run();

      List<String> problems = new ArrayList<>();
      answers.forEach(a -> problems.addAll(contract.problems(a)));
      assertEquals(List.of(), problems, "answers the document does not describe");

      // the tour leaves no documented operation out: each answered a success at least once
      Set<String> documented = new TreeSet<>();
      doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
          .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey())));
      Set<String> succeeded = new TreeSet<>();
      for (Answer a : answers) {
        if (a.status() < 300) {
          succeeded.add(a.method() + " " + contract.template(a.path()).orElseThrow());
        }
      }
      assertEquals(documented, succeeded);
    }
  }

  @Test
  void aResponseWithoutASchemaIsReported() throws Exception {
    JsonNode doc = served();
    ((ObjectNode) doc.at("/paths/~1v1~1hosts~1{host}/get/responses/200/content/application~1json")).remove("schema");
    assertEquals(List.of("GET /v1/hosts/h1 -> 200: GET /v1/hosts/{host} 200 application/json has no schema"),
        problemsOf(doc, (api, plane) -> {
          api.post("/v1/hosts", ApiServerTest.HOST);
          return answer(api.get("/v1/hosts/h1"), "GET", "/v1/hosts/h1");
        }));
  }

  @Test
  void aStatusTheDocumentDoesNotListIsReported() throws Exception {
    JsonNode doc = served();
    ((ObjectNode) doc.at("/paths/~1v1~1apps~1{app}/get/responses")).remove("404");
    assertEquals(List.of("GET /v1/apps/none -> 404: GET /v1/apps/{app} documents no 404 response"),
        problemsOf(doc, (api, plane) -> answer(api.get("/v1/apps/none"), "GET", "/v1/apps/none")));
  }

  @Test
  void aMediaTypeTheDocumentDoesNotListIsReported() throws Exception {
    JsonNode doc = served();
    ObjectNode content = (ObjectNode) doc.at("/paths/~1v1/get/responses/200/content");
    content.set("application/xml", content.remove("application/json"));
    assertEquals(List.of("GET /v1 -> 200: GET /v1 200 documents no application/json body; it lists [application/xml]"),
        problemsOf(doc, (api, plane) -> answer(api.get("/v1"), "GET", "/v1")));
  }

  @Test
  void aSchemaMissingFromTheComponentsIsReported() throws Exception {
    JsonNode doc = served();
    ((ObjectNode) doc.at("/components/schemas")).remove("Health");
    assertEquals(List.of("GET /healthz -> 200: schema #/components/schemas/Health is not in the document"),
        problemsOf(doc, (api, plane) -> answer(api.call("GET", "/healthz", null, null), "GET", "/healthz")));
  }

  @Test
  void aFieldTheSchemaDoesNotDeclareAndAWrongTypeAreReported() throws Exception {
    JsonNode doc = served();
    ObjectNode host = (ObjectNode) doc.at("/components/schemas/Host/properties");
    host.remove("state");
    host.set("cpus", ApiHarness.JSON.readTree("{\"type\":\"string\"}"));
    List<String> problems = problemsOf(doc, (api, plane) -> {
      api.post("/v1/hosts", ApiServerTest.HOST);
      return answer(api.get("/v1/hosts/h1"), "GET", "/v1/hosts/h1");
    });
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.contains("GET /v1/hosts/h1 -> 200: field 'state' is not in the schema"), problems.toString());
    assertTrue(problems.contains("GET /v1/hosts/h1 -> 200.cpus: expected a string, got 4"), problems.toString());
  }

  private JsonNode served() {
    try (ApiHarness api = new ApiHarness(new FakeControlPlane(), dir)) {
      return api.get("/openapi.json").json();
    }
  }

  private interface Exchange {
    Answer run(ApiHarness api, FakeControlPlane plane) throws Exception;
  }

  /** The problems {@code doc} finds with one real answer; the served document finds none with it. */
  private List<String> problemsOf(JsonNode doc, Exchange exchange) throws Exception {
    FakeControlPlane plane = new FakeControlPlane();
    try (ApiHarness api = new ApiHarness(plane, dir)) {
      Answer answer = exchange.run(api, plane);
      assertEquals(List.of(), new OpenApiContract(api.get("/openapi.json").json()).problems(answer),
          "the served document describes this answer");
      return new OpenApiContract(doc).problems(answer);
    }
  }

  static Answer answer(ApiHarness.Response r, String method, String path) {
    return new Answer(method, path, r.status(), r.header("Content-Type"), r.body());
  }

  /**
   * Every documented operation: its success, the refusals its input can earn, then again without a
   * token, and with the control plane failing (store unavailable: 503; a bug: 500). Each call says
   * which status it expects, so the tour cannot drift into testing less than it claims.
   */
  private static final class Tour {
    private final ApiHarness api;
    private final FakeControlPlane plane;
    private final List<Answer> answers = new ArrayList<>();
    /** One successful call per documented operation, replayed for the cross-cutting failures. */
    private final Map<String, String[]> samples = new LinkedHashMap<>();

    Tour(ApiHarness api, FakeControlPlane plane) {
      this.api = api;
      this.plane = plane;
    }

    List<Answer> run() throws Exception {
      expect(200, "GET", "/v1", null);

      String register = expect(202, "POST", "/v1/hosts", ApiServerTest.HOST).path("operation").asText();
      expect(409, "POST", "/v1/hosts", ApiServerTest.HOST);
      expect(400, "POST", "/v1/hosts", "{\"name\":1}");
      expect(413, "POST", "/v1/hosts", TOO_LARGE);
      failing(403, () -> new UnauthorizedException("h2", "the host does not trust this server"), "POST", "/v1/hosts", HOST2);
      failing(404, () -> new NotFoundException("h2", "network 'cadrebr0' not found"), "POST", "/v1/hosts", HOST2);
      expect(200, "GET", "/v1/hosts", null);
      expect(200, "GET", "/v1/hosts/h1", null);
      expect(404, "GET", "/v1/hosts/none", null);
      expect(400, "GET", "/v1/hosts/Not_A_Name", null);
      expect(202, "POST", "/v1/hosts/h1/drain", "");
      expect(400, "POST", "/v1/hosts/h1/drain", "{\"now\":true}");
      expect(413, "POST", "/v1/hosts/h1/drain", TOO_LARGE);
      expect(404, "POST", "/v1/hosts/none/drain", "");
      expect(400, "POST", "/v1/hosts/Not_A_Name/drain", "");
      failing(409, () -> new ConflictException(null, "host 'h1' is already draining"), "POST", "/v1/hosts/h1/drain", "");
      expect(202, "POST", "/v1/hosts/h1/resume", "");
      expect(400, "POST", "/v1/hosts/h1/resume", "{\"now\":true}");
      expect(413, "POST", "/v1/hosts/h1/resume", TOO_LARGE);
      expect(404, "POST", "/v1/hosts/none/resume", "");
      expect(400, "POST", "/v1/hosts/Not_A_Name/resume", "");
      failing(409, () -> new ConflictException(null, "host 'h1' is ready"), "POST", "/v1/hosts/h1/resume", "");
      String fp = "{\"fingerprint\":\"" + "ab".repeat(32) + "\"}";
      expect(202, "POST", "/v1/hosts/h1/trust", fp);
      expect(400, "POST", "/v1/hosts/h1/trust", "{\"fingerprint\":1,\"now\":true}");
      expect(413, "POST", "/v1/hosts/h1/trust", TOO_LARGE);
      expect(404, "POST", "/v1/hosts/none/trust", fp);
      failing(400, () -> new dev.cadre.driver.InvalidInputException(null, "fingerprint must be 64 hex digits"), "POST",
          "/v1/hosts/h1/trust", "{\"fingerprint\":\"x\"}");
      failing(403, () -> new dev.cadre.driver.ServerIdentityException("h1", "ab".repeat(32), "cd".repeat(32), null),
          "POST", "/v1/hosts/h1/trust", fp);

      expect(200, "GET", "/v1/templates", null);
      expect(202, "POST", "/v1/apps", ApiServerTest.APP);
      expect(409, "POST", "/v1/apps", ApiServerTest.APP);
      expect(400, "POST", "/v1/apps", ApiServerTest.APP.replace("busybox", "nonesuch").replace("\"shop\"", "\"shop2\""));
      expect(413, "POST", "/v1/apps", TOO_LARGE);
      failing(404, () -> new NotFoundException(null, "datacenter 'dc1' not found"), "POST", "/v1/apps",
          ApiServerTest.APP.replace("\"shop\"", "\"shop2\""));
      expect(200, "GET", "/v1/apps", null);
      expect(200, "GET", "/v1/apps/shop", null);
      expect(404, "GET", "/v1/apps/none", null);
      expect(400, "GET", "/v1/apps/Not_A_Name", null);
      expect(200, "GET", "/v1/apps/shop/services/web/secrets", null);
      expect(404, "GET", "/v1/apps/shop/services/none/secrets", null);
      expect(400, "GET", "/v1/apps/shop/services/Not_A_Name/secrets", null);

      String convert = "/v1/apps/shop/services/web/convert";
      String promote = "/v1/apps/shop/services/web/members/web-1/promote";
      String move = "/v1/apps/shop/move";
      expect(409, "POST", convert, "{\"topology\":\"redundant\"}"); // not supported (yet) by the plane
      expect(409, "POST", promote, "");
      expect(409, "POST", move, "{\"datacenter\":\"dc2\"}");
      plane.topologyVerbs = true;
      expect(202, "POST", convert, "{\"topology\":\"redundant\"}");
      expect(400, "POST", convert, "{\"topology\":\"Big One\"}");
      expect(413, "POST", convert, TOO_LARGE);
      expect(404, "POST", "/v1/apps/none/services/web/convert", "{\"topology\":\"redundant\"}");
      expect(202, "POST", promote, "");
      expect(400, "POST", promote, "{\"now\":true}");
      expect(413, "POST", promote, TOO_LARGE);
      expect(404, "POST", "/v1/apps/none/services/web/members/web-1/promote", "");
      expect(202, "POST", move, "{\"datacenter\":\"dc2\"}");
      expect(200, "POST", move, "{\"datacenter\":\"dc2\",\"dry_run\":true}");
      expect(400, "POST", move, "{\"datacenter\":\"dc2\",\"dryrun\":true}");
      expect(413, "POST", move, TOO_LARGE);
      expect(404, "POST", "/v1/apps/none/move", "{\"datacenter\":\"dc2\"}");

      String backup = "/v1/apps/shop/services/web/backup";
      expect(202, "POST", backup, "");
      expect(202, "POST", backup, "{}");
      expect(400, "POST", backup, "{\"now\":true}");
      expect(413, "POST", backup, TOO_LARGE);
      expect(404, "POST", "/v1/apps/none/services/web/backup", "");
      expect(400, "POST", "/v1/apps/Not_A_Name/services/web/backup", "");
      failing(409, () -> new ConflictException(null, "template 'busybox' declares no 'export-live' hook"), "POST", backup,
          "");
      String backups = "/v1/apps/shop/services/web/backups";
      expect(200, "GET", backups, null);
      expect(404, "GET", "/v1/apps/none/services/web/backups", null);
      expect(400, "GET", "/v1/apps/shop/services/Not_A_Name/backups", null);
      String restore = backups + "/" + FakeControlPlane.BACKUP_ID + "/restore";
      String to = "{\"app\":\"shop3\",\"service\":\"web\",\"datacenter\":\"dc1\"}";
      expect(202, "POST", restore, to);
      expect(400, "POST", restore, "{\"app\":\"shop3\",\"service\":\"web\"}");
      expect(400, "POST", restore, to.replace("dc1", "Data Center"));
      expect(400, "POST", restore, to.replace("}", ",\"topology\":\"single\"}"));
      expect(400, "POST", backups + "/bk-x/restore", to);
      expect(413, "POST", restore, TOO_LARGE);
      expect(404, "POST", backups + "/bk-00000000000000000099/restore", to);
      expect(409, "POST", restore, to.replace("shop3", "shop"));

      expect(200, "GET", register, null);
      expect(404, "GET", "/v1/operations/op-404", null);
      expect(400, "GET", "/v1/operations/-op", null);
      expect(200, "GET", register + "/wait?timeout=0", null);
      expect(400, "GET", register + "/wait?timeout=soon", null);
      expect(404, "GET", "/v1/operations/op-404/wait", null);
      plane.holdOperations = true;
      String held = expect(202, "POST", "/v1/hosts", HOST2).path("operation").asText();
      plane.holdOperations = false;
      expect(200, "DELETE", held, null);
      expect(409, "DELETE", held, null);
      expect(404, "DELETE", "/v1/operations/op-404", null);
      expect(400, "DELETE", "/v1/operations/-op", null);

      expect(202, "DELETE", "/v1/apps/shop", null);
      expect(404, "DELETE", "/v1/apps/shop", null);
      expect(400, "DELETE", "/v1/apps/Not_A_Name", null);
      failing(409, () -> new ConflictException(null, "app 'shop' is busy"), "DELETE", "/v1/apps/shop", null);
      expect(202, "DELETE", "/v1/hosts/h1", null);
      expect(404, "DELETE", "/v1/hosts/h1", null);
      expect(400, "DELETE", "/v1/hosts/Not_A_Name", null);
      failing(409, () -> new ConflictException(null, "host 'h2' still has members"), "DELETE", "/v1/hosts/h2", null);

      String secrets = "/v1/apps/shop/services/web/secrets";
      String viewer = expect(201, "POST", "/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\"}").path("token").asText();
      call(403, "GET", secrets, null, viewer);
      call(403, "POST", "/v1/tokens", "{\"name\":\"ci2\",\"role\":\"viewer\"}", viewer);
      expect(409, "POST", "/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\"}");
      expect(400, "POST", "/v1/tokens", "{\"name\":\"ci2\",\"role\":\"root\"}");
      expect(413, "POST", "/v1/tokens", TOO_LARGE);
      expect(200, "GET", "/v1/tokens", null);
      String tokenId = api.get("/v1/tokens").json().get(0).path("id").asText();
      expect(200, "GET", "/v1/tokens/" + tokenId, null);
      expect(400, "GET", "/v1/tokens/nope", null);
      expect(404, "GET", "/v1/tokens/tk-00000000000000000000", null);
      expect(200, "DELETE", "/v1/tokens/" + tokenId, null);
      expect(404, "DELETE", "/v1/tokens/" + tokenId, null);
      expect(400, "DELETE", "/v1/tokens/nope", null);
      expect(200, "GET", "/v1/audit?limit=5", null);
      expect(400, "GET", "/v1/audit?limit=0", null);
      expect(406, "GET", "/v1/events", null);
      answers.add(event());
      samples.put("GET /v1/events", null); // a stream: neither replayed with a failing plane nor without a token
      answers.add(OpenApiResponsesTest.answer(api.call("GET", "/healthz", null, null), "GET", "/healthz"));
      expect(200, "GET", "/metrics", null);
      expect(200, "GET", "/openapi.json", null);

      for (Map.Entry<String, String[]> s : samples.entrySet()) {
        String[] call = s.getValue();
        if (call == null) {
          continue;
        }
        call(401, call[0], call[1], call[2], null);
        if (!Set.of("/metrics", "/openapi.json").contains(call[1])) {
          // a store that does not answer is a 503 wherever the plane reads it; anything unforeseen a 500
          if (!call[1].equals("/v1/templates")) {
            failing(503, () -> new UnavailableException(null, "store: connection refused"), call[0], call[1], call[2]);
          }
          failing(500, () -> new IllegalStateException("a bug"), call[0], call[1], call[2]);
        }
      }
      // last: the admin token the tour used stops working
      call(400, "POST", "/v1/tokens/rotate-admin", "{\"now\":true}", api.token);
      call(401, "POST", "/v1/tokens/rotate-admin", "", null);
      call(200, "POST", "/v1/tokens/rotate-admin", "", api.token);
      call(401, "POST", "/v1/tokens/rotate-admin", "", api.token);
      return answers;
    }

    private JsonNode expect(int status, String method, String path, String body) {
      ApiHarness.Response r = call(status, method, path, body, api.token);
      if (status < 300) {
        String key = method + " " + path.replaceAll("\\?.*", "");
        samples.putIfAbsent(key, new String[] {method, path, body});
      }
      String type = r.header("Content-Type");
      return type != null && type.startsWith("application/json") ? r.json() : ApiHarness.JSON.nullNode();
    }

    private void failing(int status, Supplier<RuntimeException> failure, String method, String path, String body) {
      plane.failNext = failure.get();
      call(status, method, path, body, api.token);
      assertEquals(null, plane.failNext, method + " " + path + " did not reach the control plane");
    }

    private ApiHarness.Response call(int status, String method, String path, String body, String token) {
      ApiHarness.Response r = api.call(method, path, body, token);
      assertEquals(status, r.status(), method + " " + path + ": " + r.body());
      answers.add(OpenApiResponsesTest.answer(r, method, path));
      return r;
    }

    /** One event off the stream: its {@code data:} line is the body the schema describes. */
    private Answer event() throws Exception {
      HttpRequest req = HttpRequest.newBuilder(URI.create(api.base + "/v1/events"))
          .header("Authorization", "Bearer " + api.token).header("Accept", "text/event-stream").GET().build();
      HttpResponse<InputStream> r = java.net.http.HttpClient.newHttpClient()
          .send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (plane.listeners.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        plane.emit(new EventView(7, "member", "apps/shop/web/web-1", Map.of("state", "running"), FakeControlPlane.T0));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (line.startsWith("data:")) {
            return new Answer("GET", "/v1/events", r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                line.substring(5).trim());
          }
        }
      }
      throw new AssertionError("the event stream ended without an event");
    }
  }
}
