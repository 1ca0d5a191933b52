package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.templates.Agent;
import dev.cadre.templates.AgentClient;
import dev.cadre.templates.HookExit;
import dev.cadre.templates.HookResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hook names with '/', '..' or shell characters are refused twice: by cadre before anything is sent,
 * and by the agent inside a member that cadre provisioned through the API (fed the name directly, as
 * one argument, bypassing cadre's own check). The member stays healthy and nothing ran.
 */
class HookNameIT {
  static final List<String> BAD = List.of("../plan", "a/b", "..", "/opt/cadre/hooks/plan", "plan;touch /tmp/pwned",
      "$(touch /tmp/pwned)", "`touch /tmp/pwned`", "plan && touch /tmp/pwned", "plan|sh", "Plan", "");

  @TempDir static Path dir;
  static InProcessServer server;
  static HostDriver lxd;
  static String app;
  static String member;

  @BeforeAll
  static void up() {
    server = new InProcessServer(dir.resolve("data"));
    lxd = RealLxd.open(dir.resolve("lxd-client"));
    ApiHarness api = server.api;
    Response host = api.post("/v1/hosts", RealLxd.registerBody("lxd1"));
    assertEquals(202, host.status(), host.body());
    app = "hk" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Response created = api.post("/v1/apps", RealLxd.appBody(app, "busybox", 1));
    assertEquals(202, created.status(), created.body());
    JsonNode op = api.await(created.json().path("operation").asText(), Duration.ofSeconds(180));
    assertEquals("success", op.path("status").asText(), op.toString());
    member = api.get("/v1/apps/" + app).json().path("services").get(0).path("members").get(0).path("name").asText();
  }

  @AfterAll
  static void down() {
    try {
      if (app != null) {
        Response r = server.api.delete("/v1/apps/" + app);
        if (r.status() == 202) {
          server.api.await(r.json().path("operation").asText(), Duration.ofSeconds(120));
        }
      }
    } finally {
      server.close();
      lxd.close();
    }
  }

  @Test
  void cadreRefusesBadHookNamesBeforeSendingThem() {
    for (String name : BAD) {
      assertThrows(InvalidInputException.class, () -> Agent.argv(name, "c1", Duration.ofSeconds(5)), name);
    }
  }

  @Test
  void theAgentInAProvisionedMemberRefusesThemToo() {
    for (String name : BAD) {
      ExecResult r = lxd.exec(member, ExecRequest.of("/bin/sh", Agent.PATH, "run", name, "bad-" + Math.abs(name.hashCode()), "5"));
      assertEquals(HookExit.BAD_REQUEST, r.exitCode(), name + ": " + r.stdoutText() + r.stderrText());
    }
    ExecResult pwned = lxd.exec(member, ExecRequest.of("test", "-e", "/tmp/pwned"));
    assertFalse(pwned.ok(), "a refused hook name must never reach a shell");
    HookResult health = new AgentClient(lxd).run(member, "health", "check-" + UUID.randomUUID(), new byte[0],
        Map.of(), Duration.ofSeconds(10));
    assertTrue(health.ok(), health.toString());
  }
}
