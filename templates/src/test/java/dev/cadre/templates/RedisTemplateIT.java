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

  @Test
  void aReplicaFollowsThePrimaryAndTakesOverInPlace() throws Exception {
    TemplateHarness t = new TemplateHarness(host, "redis");
    String image = t.image();
    String ipA = "10.77.0.124";
    String ipB = "10.77.0.125";
    String a = host.launch("tpl-redis-a", image, ipA);
    String b = host.launch("tpl-redis-b", image, ipB);
    String password = "pw-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    Map<String, String> secrets = Map.of("password", password);
    HookEnv.Peer pa = new HookEnv.Peer(a, ipA, "primary");
    HookEnv.Peer pb = new HookEnv.Peer(b, ipB, "replica");
    Map<String, String> envA = t.env(pa, List.of(pa, pb), secrets);
    Map<String, String> envB = t.env(pb, List.of(pa, pb), secrets);
    for (String m : List.of(a, b)) {
      t.agent.install(m);
      awaitSystemd(m);
    }
    t.ok(a, "configure", envA);
    t.ok(b, "configure", envB);
    t.ok(a, "start", envA);
    t.ok(b, "start", envB);
    assertEquals("OK", cli(a, password, ipA, "set", "greeting", "from-a"));
    awaitValue(b, password, ipB, "greeting", "from-a");
    assertTrue(cli(b, password, ipB, "set", "x", "1").contains("READONLY"), "a replica refuses writes");

    // b becomes the primary, a follows it: no restart, the data stays
    HookEnv.Peer newA = new HookEnv.Peer(a, ipA, "replica");
    HookEnv.Peer newB = new HookEnv.Peer(b, ipB, "primary");
    t.ok(b, "role", t.env(newB, List.of(newA, newB), secrets));
    t.ok(a, "role", t.env(newA, List.of(newA, newB), secrets));
    assertEquals("OK", cli(b, password, ipB, "set", "greeting", "from-b"));
    awaitValue(a, password, ipA, "greeting", "from-b");
    assertTrue(exec(a, "cat", "/etc/redis/cadre.conf").stdoutText().contains("replicaof " + ipB + " 6379"));
    assertTrue(t.ok(a, "health", envA).output().contains("slave"), "a reports its replica role");
  }

  private String cli(String member, String password, String ip, String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("redis-cli", "-h", ip));
    argv.addAll(List.of(args));
    ExecResult r = host.driver.exec(member, new ExecRequest(argv, Map.of("REDISCLI_AUTH", password), null, null));
    return (r.stdoutText() + r.stderrText()).strip();
  }

  private void awaitValue(String member, String password, String ip, String key, String value) {
    String seen = null;
    for (int i = 0; i < 100; i++) {
      seen = cli(member, password, ip, "get", key);
      if (value.equals(seen)) {
        return;
      }
      TestHost.sleep(100);
    }
    throw new AssertionError(member + " never saw " + key + "=" + value + ", last: " + seen);
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
