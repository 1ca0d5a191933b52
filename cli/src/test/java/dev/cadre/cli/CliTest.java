package dev.cadre.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The CLI against a recording HTTP server on loopback: what it sends, how it prints, its exit codes.
 * (The api module runs the same commands against the real server.)
 */
class CliTest {
  HttpServer server;
  String url;
  final List<String> seen = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile String answer = "[]";
  @TempDir Path dir;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Authorization"));
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, out.length);
      exchange.getResponseBody().write(out);
      exchange.close();
    });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  record Run(int exit, String out, String err) {}

  Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Cli.install(new CommandLine(new CliMain()));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void hostsListPrintsATable() {
    answer = "[{\"name\":\"h1\",\"driver\":\"lxd\",\"endpoint\":\"unix:///x\",\"datacenter\":\"dc1\",\"state\":\"ready\","
        + "\"cpus\":4,\"memory_bytes\":8589934592,\"memory_used_bytes\":0,\"members\":2}]";
    Run r = run("hosts", "--url", url, "--token", "t0k");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("NAME"), r.out());
    assertTrue(r.out().contains("h1") && r.out().contains("dc1") && r.out().contains("8.0GiB"), r.out());
    assertEquals("GET /v1/hosts?limit=1000 Bearer t0k", seen.get(0), "the list is read in pages of 1,000");
  }

  @Test
  void jsonPrintsTheRawAnswer() throws Exception {
    answer = "[{\"name\":\"h1\"}]";
    Run r = run("hosts", "ls", "--json", "--url", url, "--token", "t");
    JsonNode printed = CadreClient.JSON.readTree(r.out());
    assertEquals("h1", printed.get(0).path("name").asText());
  }

  @Test
  void appsCreateBuildsTheRequestFromOptions() throws Exception {
    answer = "{\"operation\":\"/v1/operations/op-1\"}";
    status = 202;
    Run r = run("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox:2",
        "--service", "db=redis::redundant", "--config", "db.maxmemory=64mb", "--url", url, "--token", "t");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("/v1/operations/op-1"), r.out());
    JsonNode body = CadreClient.JSON.readTree(bodies.get(0));
    assertEquals("shop", body.path("name").asText());
    assertEquals(2, body.path("services").get(0).path("count").asInt());
    assertFalse(body.path("services").get(1).has("count"));
    assertEquals("redundant", body.path("services").get(1).path("topology").asText());
    assertEquals("64mb", body.path("services").get(1).path("config").path("maxmemory").asText());
  }

  @Test
  void appsCreateReadsAFile() throws Exception {
    answer = "{\"operation\":\"/v1/operations/op-1\"}";
    status = 202;
    Path file = dir.resolve("app.json");
    Files.writeString(file, "{\"name\":\"shop\",\"datacenter\":\"dc1\",\"services\":[{\"name\":\"web\",\"template\":\"busybox\"}]}");
    assertEquals(0, run("apps", "create", "-f", file.toString(), "--url", url, "--token", "t").exit());
    assertEquals("web", CadreClient.JSON.readTree(bodies.get(0)).path("services").get(0).path("name").asText());
  }

  @Test
  void badServiceSpecsAreUsageErrors() {
    assertEquals(ExitCodes.USAGE, run("apps", "create", "shop", "--datacenter", "dc1", "--service", "web", "--url", url).exit());
    assertEquals(ExitCodes.USAGE, run("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox:x", "--url", url).exit());
    assertEquals(ExitCodes.USAGE, run("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox",
        "--config", "other.k=v", "--url", url).exit());
    assertTrue(seen.isEmpty(), "nothing must be sent for a wrong command line");
  }

  @Test
  void serverErrorsPrintTheMessageAndMapToExitCodes() {
    status = 409;
    answer = "{\"error\":{\"code\":\"conflict\",\"message\":\"no capacity in dc1\",\"details\":{}}}";
    Run r = run("apps", "create", "shop", "--datacenter", "dc1", "--service", "web=busybox", "--url", url, "--token", "t");
    assertEquals(ExitCodes.CONFLICT, r.exit());
    assertTrue(r.err().contains("no capacity in dc1") && r.err().contains("409"), r.err());
    status = 404;
    answer = "{\"error\":{\"code\":\"not_found\",\"message\":\"no app 'x'\",\"details\":{}}}";
    assertEquals(ExitCodes.NOT_FOUND, run("apps", "show", "x", "--url", url, "--token", "t").exit());
    status = 400;
    assertEquals(ExitCodes.INVALID, run("apps", "show", "x", "--url", url, "--token", "t").exit());
    status = 503;
    assertEquals(ExitCodes.SERVER_ERROR, run("apps", "show", "x", "--url", url, "--token", "t").exit());
  }

  @Test
  void unauthorizedSaysWhereTheTokenComesFrom() {
    status = 401;
    answer = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"missing bearer token\",\"details\":{}}}";
    Run r = run("status", "--url", url);
    assertEquals(ExitCodes.UNAUTHORIZED, r.exit());
    assertTrue(r.err().contains("CADRE_TOKEN"), r.err());
  }

  @Test
  void serverDownIsExit3() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run r = run("hosts", "--url", "http://127.0.0.1:" + port, "--token", "t");
    assertEquals(ExitCodes.UNREACHABLE, r.exit());
    assertTrue(r.err().contains("cannot reach cadre"), r.err());
  }

  @Test
  void waitFollowsTheOperationAndFailsWithItsError() {
    status = 200;
    answer = "{\"id\":\"op-1\",\"kind\":\"create-app\",\"status\":\"failure\",\"progress\":100,"
        + "\"error\":\"hook configure exited 1: port taken\",\"steps\":[]}";
    Run r = run("ops", "wait", "op-1", "--url", url, "--token", "t");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("port taken"), r.err());
    assertTrue(seen.get(0).startsWith("GET /v1/operations/op-1 "), seen.toString());
  }

  @Test
  void showSaysWhoStartedTheOperation() {
    answer = "{\"id\":\"op-1\",\"kind\":\"create_app\",\"target\":\"apps/shop\",\"actor\":\"deployer\","
        + "\"status\":\"success\",\"progress\":100,\"error\":null,\"steps\":[]}";
    Run r = run("ops", "show", "op-1", "--url", url, "--token", "t");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\nstarted by deployer\n"), r.out());
    answer = answer.replace("\"deployer\"", "null").replace("create_app", "failover");
    assertTrue(run("ops", "show", "op-1", "--url", url, "--token", "t").out().contains("started by cadre itself"));
  }

  @Test
  void operationIdsAreAcceptedInEveryForm() {
    assertEquals("/v1/operations/op-1", CadreClient.operationPath("op-1"));
    assertEquals("/v1/operations/op-1", CadreClient.operationPath("/v1/operations/op-1"));
    assertEquals("/v1/operations/op-1", CadreClient.operationPath("http://x:1/v1/operations/op-1"));
    assertEquals(ExitCodes.INVALID, run("ops", "show", "../etc", "--url", url).exit());
  }

  @Test
  void namesGoIntoPathsEncoded() {
    status = 404;
    answer = "{\"error\":{\"code\":\"not_found\",\"message\":\"x\",\"details\":{}}}";
    run("apps", "show", "../hosts", "--url", url, "--token", "t");
    assertTrue(seen.get(0).startsWith("GET /v1/apps/%2E%2E%2Fhosts "), seen.toString());
  }

  @Test
  void connectionDefaultsFollowTheEnvironment() {
    Connection c = new Connection();
    c.env = Map.of();
    assertEquals("http://127.0.0.1:7440", c.url());
    assertEquals(Path.of(".cadre/admin-token"), c.tokenFile());
    c.env = Map.of("CADRE_URL", "http://10.0.0.1:9/", "CADRE_TOKEN", "abc", "CADRE_DATA_DIR", "/srv/cadre");
    assertEquals("http://10.0.0.1:9", c.url());
    assertEquals("abc", c.token());
    assertEquals(Path.of("/srv/cadre/admin-token"), c.tokenFile());
  }

  @Test
  void helpListsTheExitCodes() {
    Run r = run("--help");
    assertTrue(r.out().contains("Exit codes:") && r.out().contains("CADRE_URL"), r.out());
  }

  @Test
  void topologyVerbsPostToTheirRoutes() throws Exception {
    status = 202;
    answer = "{\"operation\":\"/v1/operations/op-9\"}";
    assertEquals(0, run("apps", "convert", "shop", "db", "--topology", "redundant", "--url", url, "--token", "t").exit());
    assertEquals(0, run("apps", "promote", "shop", "db", "shop-db-2", "--url", url, "--token", "t").exit());
    status = 200;
    answer = "{\"app\":\"shop\",\"from\":\"dc1\",\"to\":\"dc2\",\"method\":\"copy\",\"data_bytes\":2097152,"
        + "\"expected_downtime_ms\":6500,\"members\":[{\"name\":\"shop-db-1\",\"service\":\"db\",\"role\":\"primary\","
        + "\"from_host\":\"lxd1\",\"from_ip\":\"10.77.0.130\",\"to_host\":\"lxd2\",\"to_ip\":\"10.78.0.128\","
        + "\"data_bytes\":2097152}],\"services\":[{\"name\":\"db\",\"from_address\":\"10.77.0.131\","
        + "\"to_address\":\"10.78.0.129\"}]}";
    Run plan = run("apps", "move", "shop", "--datacenter", "dc2", "--dry-run", "--url", url, "--token", "t");
    assertEquals(0, plan.exit(), plan.err());
    assertTrue(plan.out().contains("dc1 -> dc2, method copy, 2.0 MiB of data, expected pause about 6.5 s"), plan.out());
    assertTrue(plan.out().matches("(?s).*shop-db-1 +db +primary +lxd1 10.77.0.130 +lxd2 10.78.0.128 +2.0 MiB.*"), plan.out());
    assertTrue(plan.out().contains("service db: address 10.77.0.131 -> 10.78.0.129"), plan.out());
    assertTrue(seen.get(0).startsWith("POST /v1/apps/shop/services/db/convert "), seen.toString());
    assertEquals("redundant", CadreClient.JSON.readTree(bodies.get(0)).path("topology").asText());
    assertTrue(seen.get(1).startsWith("POST /v1/apps/shop/services/db/members/shop-db-2/promote "), seen.toString());
    assertTrue(seen.get(2).startsWith("POST /v1/apps/shop/move "), seen.toString());
    assertTrue(CadreClient.JSON.readTree(bodies.get(2)).path("dry_run").asBoolean());
  }

  @Test
  void drainAndResumePostToTheHostsRoutes() throws Exception {
    status = 202;
    answer = "{\"operation\":\"/v1/operations/op-7\"}";
    assertEquals(0, run("hosts", "drain", "lxd1", "--url", url, "--token", "t").exit());
    assertEquals(0, run("hosts", "resume", "lxd1", "--url", url, "--token", "t").exit());
    assertTrue(seen.get(0).startsWith("POST /v1/hosts/lxd1/drain "), seen.toString());
    assertTrue(seen.get(1).startsWith("POST /v1/hosts/lxd1/resume "), seen.toString());
    status = 409;
    answer = "{\"error\":{\"code\":\"conflict\",\"message\":\"host 'lxd1' is ready; only a draining or drained host can be resumed\"}}";
    Run refused = run("hosts", "resume", "lxd1", "--url", url, "--token", "t");
    assertNotEquals(0, refused.exit());
    assertTrue(refused.err().contains("only a draining or drained host"), refused.err());
  }
}
