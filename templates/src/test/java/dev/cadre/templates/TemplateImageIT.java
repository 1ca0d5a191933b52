package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The busybox template end to end on real LXD: its image built by the builder, its hooks through the agent. */
class TemplateImageIT {
  private static final String IP = "10.77.0.122";
  private final TestHost host = new TestHost();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @AfterEach
  void cleanUp() {
    host.close();
  }

  @Test
  void aBusyboxMemberServesItsPageOnItsOwnAddressUnderItsOwnInit() throws Exception {
    TemplateHarness t = new TemplateHarness(host, "busybox");
    String member = host.launch("tpl-busybox", t.image(), IP);
    t.agent.install(member);
    Map<String, String> env = t.env(member, IP, Map.of());

    JsonNode plan = new ObjectMapper().readTree(t.ok(member, "plan", env).output());
    assertEquals(t.template.plan(), plan, "the plan hook prints the template's plan");
    t.ok(member, "configure", env);
    t.ok(member, "start", env);
    assertTrue(t.ok(member, "health", env).output().contains("cadre busybox member " + member));
    assertEquals("cadre busybox member " + member + "\n", get("http://" + IP + "/"));

    // busybox init respawns the service when it dies
    host.driver.exec(member, ExecRequest.of("killall", "httpd"));
    awaitPage(member);

    t.ok(member, "stop", env);
    HookResult down = t.hook(member, "health", env);
    assertNotEquals(0, down.exit(), "health must fail while the service is stopped");
    assertTrue(down.stderr().contains("no answer"), down.stderr());
    TestHost.sleep(1500);
    assertEquals(1, host.driver.exec(member, ExecRequest.of("pidof", "httpd")).exitCode(), "stopped means stopped");

    t.ok(member, "start", env);
    assertEquals("cadre busybox member " + member + "\n", get("http://" + IP + "/"));
  }

  private void awaitPage(String member) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = get("http://" + IP + "/");
        if (last.equals("cadre busybox member " + member + "\n")) {
          return;
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the page did not come back after httpd was killed: " + last);
  }

  private String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }
}
