package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The redis template end to end on real LXD: Debian with systemd built by debootstrap (about a minute
 * the first time, then cached by the recipe hash), redis bound to the member's address with a password.
 */
class RedisTemplateIT {
  private static final String IP = "10.77.0.123";
  private final TestHost host = new TestHost();

  @AfterEach
  void cleanUp() {
    host.close();
  }

  @Test
  void aRedisMemberAnswersPongOnItsOwnAddressOnlyWithThePassword() throws Exception {
    TemplateHarness t = new TemplateHarness(host, "redis");
    String member = host.launch("tpl-redis", t.image(), IP);
    t.agent.install(member);
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Map<String, String> env = t.env(member, IP, Map.of("password", password));

    assertEquals(t.template.plan(), new ObjectMapper().readTree(t.ok(member, "plan", env).output()));
    awaitSystemd(member);
    t.ok(member, "configure", env);
    t.ok(member, "start", env);
    assertTrue(t.ok(member, "health", env).output().contains("PONG"));

    assertEquals("PONG", redisCliInside(member, password, IP));
    assertEquals("PONG", redisCliInside(member, password, "127.0.0.1"));
    String refused = redisCliInside(member, null, IP);
    assertTrue(refused.contains("NOAUTH"), "without the password: " + refused);
    assertTrue(redisCliInside(member, "wrong-password", IP).contains("WRONGPASS"));
    if (onPath("redis-cli")) {
      assertEquals("PONG", redisCliFromHost(password));
    }

    // redis runs under the container's systemd, enabled so that it comes back after a reboot
    assertEquals("enabled", exec(member, "systemctl", "is-enabled", "redis-server").stdoutText().strip());
    t.ok(member, "stop", env);
    assertEquals("inactive", exec(member, "systemctl", "is-active", "redis-server").stdoutText().strip());
    HookResult down = t.hook(member, "health", env);
    assertNotEquals(0, down.exit());
    assertTrue(down.stderr().contains("health: redis on " + IP), down.stderr());

    // a password that would need quoting in redis.conf is refused, and nothing changes
    Map<String, String> bad = t.env(member, IP, Map.of("password", "two words and more"));
    HookResult refusedConfigure = t.hook(member, "configure", bad);
    assertEquals(1, refusedConfigure.exit());
    assertTrue(exec(member, "cat", "/etc/redis/cadre.conf").stdoutText().contains("requirepass " + password));
  }

  private void awaitSystemd(String member) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      state = exec(member, "systemctl", "is-system-running").stdoutText().strip();
      if (state.equals("running") || state.equals("degraded")) {
        return;
      }
      TestHost.sleep(200);
    }
    throw new AssertionError("systemd did not finish booting: " + state);
  }

  private ExecResult exec(String member, String... argv) {
    return host.driver.exec(member, ExecRequest.of(argv));
  }

  private String redisCliInside(String member, String password, String ip) {
    ExecRequest r = ExecRequest.of("redis-cli", "-h", ip, "ping");
    if (password != null) {
      r = r.withEnv(Map.of("REDISCLI_AUTH", password));
    }
    ExecResult result = host.driver.exec(member, r);
    return (result.stdoutText() + result.stderrText()).strip();
  }

  private static String redisCliFromHost(String password) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(List.of("redis-cli", "-h", IP, "ping")).redirectErrorStream(true);
    pb.environment().put("REDISCLI_AUTH", password);
    Process p = pb.start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    return new String(p.getInputStream().readAllBytes()).strip();
  }

  private static boolean onPath(String cmd) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, cmd))) {
        return true;
      }
    }
    return false;
  }
}
