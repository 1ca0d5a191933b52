package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import java.nio.charset.StandardCharsets;
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
    host.awaitSystemd(member);
    t.ok(member, "configure", env);
    t.ok(member, "start", env);
    assertTrue(t.ok(member, "health", env).output().contains("PONG"));

    assertEquals("PONG", redisCliInside(member, password, IP));
    assertEquals("PONG", redisCliInside(member, password, "127.0.0.1"));
    String refused = redisCliInside(member, null, IP);
    assertTrue(refused.contains("NOAUTH"), "without the password: " + refused);
    assertTrue(redisCliInside(member, "wrong-password", IP).contains("WRONGPASS"));
    if (TestHost.onPath("redis-cli")) {
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
      host.awaitSystemd(m);
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

  @Test
  void aKilledRedisLosesNoAcknowledgedWriteAndARestartedContainerKeepsThemAll() throws Exception {
    assertTrue(TestHost.onPath("redis-cli"), "redis-cli is missing on this machine: scripts/test installs redis-tools");
    TemplateHarness t = new TemplateHarness(host, "redis");
    String member = host.launch("tpl-redis-aof", t.image(), IP);
    t.agent.install(member);
    host.awaitSystemd(member);
    String password = "pw-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    Map<String, String> env = t.env(member, IP, Map.of("password", password));
    t.ok(member, "configure", env);
    t.ok(member, "start", env);

    // every address of the member is served: the plane moves the service's address onto the primary
    // (the driver routes it to the NIC, the member holds it on eth0 and announces it with arping)
    String serviceIp = "10.77.0.127";
    host.driver.assignAddress(member, serviceIp);
    ExecResult arp = host.exec(member, "arping", "-U", "-c", "1", "-I", "eth0", "-s", serviceIp, serviceIp);
    assertEquals(0, arp.exitCode(), arp.stdoutText() + arp.stderrText());
    assertEquals("PONG", hostCli(password, serviceIp, null, "ping").out().strip());
    assertTrue(hostCli(null, serviceIp, null, "set", "k", "v").out().contains("NOAUTH"), "still only with the password");

    StringBuilder writes = new StringBuilder();
    for (int i = 1; i <= 2000; i++) {
      writes.append("SET key:").append(i).append(" value-").append(i).append('\n');
    }
    TestHost.Ran wrote = hostCli(password, IP, writes.toString().getBytes(StandardCharsets.UTF_8));
    assertEquals(2000, wrote.lines().stream().filter("OK"::equals).count(), "every write acknowledged");

    // kill -9: systemd starts redis again, and it has every acknowledged write from its append-only file
    String pid = host.exec(member, "pidof", "redis-server").stdoutText().strip();
    assertEquals(0, host.exec(member, "pkill", "-9", "-x", "redis-server").exitCode());
    assertEquals(2000, awaitDbsize(password, 2000));
    assertNotEquals(pid, host.exec(member, "pidof", "redis-server").stdoutText().strip());
    assertNotEquals("NRestarts=0", host.exec(member, "systemctl", "show", "-p", "NRestarts", "redis-server").stdoutText().strip());

    host.restart(member);
    host.awaitSystemd(member);
    assertEquals(2000, awaitDbsize(password, 2000));

    // data from before the append-only file (dump.rdb alone, as an older image kept it) is not lost
    // when the file is turned on: redis starts without it, then writes it from what it loaded
    assertEquals("OK", hostCli(password, IP, null, "save").out().strip());
    t.ok(member, "stop", env);
    assertEquals(0, host.exec(member, "rm", "-rf", "/var/lib/redis/appendonlydir").exitCode());
    t.ok(member, "configure", env);
    assertTrue(host.exec(member, "cat", "/etc/redis/cadre.conf").stdoutText().contains("appendonly no"));
    assertTrue(t.ok(member, "start", env).output().contains("append-only file is on"));
    assertEquals(2000, awaitDbsize(password, 2000));
    assertTrue(host.exec(member, "cat", "/etc/redis/cadre.conf").stdoutText().contains("appendonly yes"));
    host.restart(member);
    host.awaitSystemd(member);
    assertEquals(2000, awaitDbsize(password, 2000));

    // full is a refusal, not a kill: writes of 8 MiB each until redis answers OOM below the container's
    // memory limit (512 MiB here); every acknowledged one is kept, and redis was never restarted
    String restarts = host.exec(member, "systemctl", "show", "-p", "NRestarts", "redis-server").stdoutText().strip();
    String fill = "redis.call('SET', KEYS[1], string.rep('x', 8388608)) return 1";
    int acked = 0;
    String refused = "";
    while (acked < 100 && refused.isEmpty()) {
      String out = hostCli(password, IP, null, "eval", fill, "1", "big:" + acked).out().strip();
      if (out.equals("1")) {
        acked++;
      } else {
        refused = out;
      }
    }
    assertTrue(refused.contains("OOM"), "redis refuses at its maxmemory: " + refused + " after " + acked);
    assertTrue(acked > 10 && acked < 64, acked + " writes of 8 MiB before the refusal");
    assertEquals(restarts, host.exec(member, "systemctl", "show", "-p", "NRestarts", "redis-server").stdoutText().strip());
    assertEquals(String.valueOf(acked), hostCli(password, IP, null, "eval",
        "local n = 0 for i = 0, " + (acked - 1) + " do n = n + redis.call('EXISTS', 'big:' .. i) end return n", "0")
        .out().strip());
    assertEquals("1", hostCli(password, IP, null, "del", "big:0").out().strip());
    assertEquals("OK", hostCli(password, IP, null, "set", "after", "room again").out().strip(), "deleting frees room");
  }

  @Test
  void aSwitchoverAsThePlaneRunsItKeepsEveryKeyAndComparablePositions() throws Exception {
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
      host.awaitSystemd(m);
    }
    t.ok(a, "configure", envA);
    t.ok(b, "configure", envB);
    t.ok(a, "start", envA);
    t.ok(b, "start", envB);
    for (int i = 0; i < 100; i++) {
      assertEquals("OK", cli(a, password, ipA, "set", "key:" + i, "a"));
    }
    JsonNode before = awaitSamePosition(t, a, envA, b, envB);
    assertEquals(ipA, before.path("upstream").asText());
    assertEquals("up", before.path("link").asText());
    assertTrue(before.path("position").asLong() > 0, before.toString());
    JsonNode primary = status(t, a, envA);
    assertEquals("none", primary.path("link").asText());
    assertEquals("", primary.path("upstream").asText());

    // the old primary steps down first (from then on it refuses writes), then the replica takes over
    HookEnv.Peer newA = new HookEnv.Peer(a, ipA, "replica");
    HookEnv.Peer newB = new HookEnv.Peer(b, ipB, "primary");
    Map<String, String> envA2 = t.env(newA, List.of(newA, newB), secrets);
    Map<String, String> envB2 = t.env(newB, List.of(newA, newB), secrets);
    String demoted = t.ok(a, "role", envA2).output().strip();
    assertTrue(cli(a, password, ipA, "set", "x", "1").contains("READONLY"), "the old primary refuses writes");
    // its last line: where it stopped, which the new primary must reach before it takes writes
    JsonNode last = new ObjectMapper().readTree(demoted.lines().reduce((x, y) -> y).orElseThrow());
    assertEquals("replica", last.path("role").asText(), demoted);
    // at least where the replica was: a primary's pings to its replicas move the offset too
    assertTrue(last.path("position").asLong() >= before.path("position").asLong(), demoted + " after " + before);
    Map<String, String> bad = new java.util.TreeMap<>(envB2);
    bad.put("CADRE_CATCH_UP_TO", "12; x");
    assertFalse(t.hook(b, "role", bad).ok(), "a position that is not a number is refused");
    assertEquals("replica", status(t, b, envB).path("role").asText(), "and nothing taken");
    Map<String, String> catchUp = new java.util.TreeMap<>(envB2);
    catchUp.put("CADRE_CATCH_UP_TO", Long.toString(last.path("position").asLong()));
    t.ok(b, "role", catchUp);
    t.ok(a, "configure", envA2);
    t.ok(b, "configure", envB2);
    for (int i = 100; i < 200; i++) {
      assertEquals("OK", cli(b, password, ipB, "set", "key:" + i, "b"));
    }
    JsonNode after = awaitSamePosition(t, b, envB2, a, envA2);
    assertEquals(ipB, after.path("upstream").asText());
    assertEquals("up", after.path("link").asText());
    assertTrue(after.path("position").asLong() > before.path("position").asLong(), "positions only grow");
    assertEquals("200", cli(a, password, ipA, "dbsize"));
    assertFalse(cli(a, password, ipA, "set", "x", "1").contains("OK"));
  }

  private JsonNode status(TemplateHarness t, String member, Map<String, String> env) throws Exception {
    String out = t.ok(member, "status", env).output().strip();
    assertEquals(1, out.lines().count(), out);
    JsonNode s = new ObjectMapper().readTree(out);
    assertTrue(s.path("position").isIntegralNumber() && s.path("position").asLong() >= 0, out);
    return s;
  }

  /** Waits until the replica's position is the primary's; returns the replica's status. */
  private JsonNode awaitSamePosition(TemplateHarness t, String primary, Map<String, String> envP, String replica,
      Map<String, String> envR) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode p = null;
    JsonNode r = null;
    while (System.nanoTime() < deadline) {
      p = status(t, primary, envP);
      r = status(t, replica, envR);
      if (p.path("position").asLong() == r.path("position").asLong()) {
        assertEquals("primary", p.path("role").asText());
        assertEquals("replica", r.path("role").asText());
        return r;
      }
      TestHost.sleep(200);
    }
    throw new AssertionError("the replica never caught up: primary " + p + ", replica " + r);
  }

  /** redis-cli on this machine; with stdin, one command a line. */
  private static TestHost.Ran hostCli(String password, String ip, byte[] stdin, String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("redis-cli", "-h", ip));
    argv.addAll(List.of(args));
    return TestHost.run(password == null ? Map.of() : Map.of("REDISCLI_AUTH", password), stdin, argv.toArray(String[]::new));
  }

  private static int awaitDbsize(String password, int expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String seen = "";
    while (System.nanoTime() < deadline) {
      seen = hostCli(password, IP, null, "dbsize").out().strip();
      if (seen.equals(String.valueOf(expected))) {
        return expected;
      }
      TestHost.sleep(200);
    }
    throw new AssertionError("dbsize never reached " + expected + ", last: " + seen);
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

}
