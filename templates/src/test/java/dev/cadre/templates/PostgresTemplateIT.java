package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecResult;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The postgresql template end to end on real LXD: PostgreSQL 15 under the container's systemd, reached
 * with {@code psql} from this machine at the member's address. Durability (kill -9 of the postmaster,
 * a restarted container), a synchronous replica, a switchover, and an old primary that crashed and
 * comes back after a failover.
 */
class PostgresTemplateIT {
  private static final String IP_A = "10.77.0.126";
  private static final String IP_B = "10.77.0.127";
  private static final String PID_FILE = "/var/lib/postgresql/15/main/postmaster.pid";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestHost host = new TestHost();
  private final Map<String, String> secrets = Map.of("password", secret(), "replication", secret());
  private TemplateHarness t;

  @BeforeEach
  void harness() {
    assertTrue(TestHost.onPath("psql"), "psql is missing on this machine: scripts/test installs postgresql-client");
    t = new TemplateHarness(host, "postgresql");
  }

  @AfterEach
  void cleanUp() {
    host.close();
  }

  @Test
  void aSingleMemberKeepsEveryAcknowledgedCommitThroughAKilledPostmasterAndARestart() throws Exception {
    String m = host.launch("tpl-pg", t.image(), IP_A);
    t.agent.install(m);
    host.awaitSystemd(m);
    Map<String, String> env = t.env(m, IP_A, secrets);
    assertEquals(t.template.plan(), JSON.readTree(t.ok(m, "plan", env).output()));
    t.ok(m, "configure", env);
    t.ok(m, "start", env);
    assertTrue(t.ok(m, "health", env).output().contains("answers on " + IP_A + ":5432 as a primary"));
    assertEquals("enabled", host.exec(m, "systemctl", "is-enabled", "postgresql@15-main").stdoutText().strip());
    // every address of the member: the service address the plane moves onto the primary answers too
    host.driver.assignAddress(m, IP_B);
    assertEquals("1", sql(IP_B, "select 1"));

    // app with its password from the member's network; nothing else, and replication only from members
    assertTrue(psql(IP_A, "wrong-password-1", "select 1").out().contains("password authentication failed"));
    TestHost.Ran repl = TestHost.run(Map.of("PGPASSWORD", secrets.get("replication"), "PGCONNECT_TIMEOUT", "5"), null,
        "psql", "-X", "-h", IP_A, "-U", "replicator", "-d", "postgres", "-c", "select 1");
    assertTrue(repl.out().contains("no pg_hba.conf entry"), repl.out());
    assertEquals("UTF8", sql(IP_A, "select pg_encoding_to_char(encoding) from pg_database where datname = 'app'"));

    JsonNode idle = status(m, env);
    assertEquals("primary", idle.path("role").asText());
    assertEquals("none", idle.path("link").asText());
    assertEquals("", idle.path("upstream").asText());
    sql(IP_A, "create table t (id integer primary key, v text not null)");
    int acked = insert(IP_A, 1, 2000);
    assertEquals(2000, acked);
    assertTrue(status(m, env).path("position").asLong() > idle.path("position").asLong(), "the position grows with writes");

    // kill -9 of the postmaster: systemd starts it again, and every acknowledged commit is there
    String pid = postmasterPid(m);
    assertEquals(0, host.exec(m, "kill", "-9", pid).exitCode());
    assertEquals(acked, awaitCount(IP_A));
    assertNotEquals(pid, postmasterPid(m));
    assertEquals("NRestarts=1", host.exec(m, "systemctl", "show", "-p", "NRestarts", "postgresql@15-main").stdoutText().strip(),
        "systemd brought it back");

    // a restarted container: the service comes back by itself, with every row
    host.restart(m);
    host.awaitSystemd(m);
    assertEquals(acked, awaitCount(IP_A));
    t.ok(m, "health", env);

    // configure again with the same inputs: no reload, no restart
    String times = inside(m, "select pg_postmaster_start_time(), pg_conf_load_time()");
    t.ok(m, "configure", env);
    assertEquals(times, inside(m, "select pg_postmaster_start_time(), pg_conf_load_time()"));

    // a password that would need quoting is refused, and the settings stay
    Map<String, String> bad = t.env(m, IP_A, Map.of("password", "two words 'and' more", "replication", secret()));
    assertEquals(1, t.hook(m, "configure", bad).exit());
    assertEquals(String.valueOf(acked), sql(IP_A, "select count(*) from t"));

    t.ok(m, "stop", env);
    assertNotEquals(0, t.hook(m, "health", env).exit());
    assertNotEquals(0, t.hook(m, "status", env).exit(), "status fails when the database does not answer");
  }

  @Test
  void aReplicaStreamsSynchronouslyRefusesWritesAndASwitchoverKeepsEveryRow() throws Exception {
    Pair p = pair();
    int rows = insert(IP_A, 1, 200);
    assertEquals(200, rows);
    assertEquals(rows, awaitCount(IP_B, rows));
    assertTrue(psql(IP_B, secrets.get("password"), "insert into t values (0, 'no')").out().contains("read-only transaction"),
        "a replica refuses writes");
    JsonNode replica = awaitSamePosition(p.a, p.envA, p.b, p.envB);
    assertEquals("replica", replica.path("role").asText());
    assertEquals(IP_A, replica.path("upstream").asText());
    assertEquals("up", replica.path("link").asText());

    // switchover as the plane runs it: the old primary steps down first, then the replica takes over
    HookEnv.Peer newA = new HookEnv.Peer(p.a, IP_A, "replica");
    HookEnv.Peer newB = new HookEnv.Peer(p.b, IP_B, "primary");
    Map<String, String> envA = t.env(newA, List.of(newA, newB), secrets);
    Map<String, String> envB = t.env(newB, List.of(newA, newB), secrets);
    t.ok(p.a, "role", envA);
    assertTrue(psql(IP_A, secrets.get("password"), "insert into t values (0, 'no')").out().contains("read-only transaction"),
        "the old primary refuses writes once it stepped down");
    t.ok(p.b, "role", envB);
    t.ok(p.a, "configure", envA);
    assertTrue(t.ok(p.b, "configure", envB).output().contains("ANY 1 (\"" + p.a + "\")"), "the old primary is the new one's synchronous replica");

    assertEquals(200, insert(IP_B, 201, 400));
    assertEquals(400, awaitCount(IP_A, 400));
    assertTrue(psql(IP_A, secrets.get("password"), "insert into t values (0, 'no')").out().contains("read-only transaction"));
    JsonNode old = awaitSamePosition(p.b, envB, p.a, envA);
    assertEquals(IP_B, old.path("upstream").asText());
    assertEquals("up", old.path("link").asText());
    assertEquals("primary", status(p.b, envB).path("role").asText());
    assertTrue(t.ok(p.a, "health", envA).output().contains("as a standby"));
  }

  @Test
  void anOldPrimaryThatCrashedFollowsThePromotedReplicaWithEveryRow() throws Exception {
    Pair p = pair();
    assertEquals(300, insert(IP_A, 1, 300));

    // the primary's container dies without shutting down; the replica is promoted and takes writes
    host.forceStop(p.a);
    HookEnv.Peer newA = new HookEnv.Peer(p.a, IP_A, "replica");
    HookEnv.Peer newB = new HookEnv.Peer(p.b, IP_B, "primary");
    Map<String, String> envA = t.env(newA, List.of(newA, newB), secrets);
    Map<String, String> envB = t.env(newB, List.of(newA, newB), secrets);
    t.ok(p.b, "role", envB);
    assertFalse(t.ok(p.b, "configure", envB).output().contains("ANY 1"), "no synchronous replica streams now");
    assertEquals(200, insert(IP_B, 301, 500));

    // the old primary comes back (its postgresql starts as a primary on the old timeline) and is told to follow
    host.driver.start(p.a);
    host.awaitSystemd(p.a);
    HookResult role = t.ok(p.a, "role", envA);
    t.ok(p.a, "configure", envA);
    t.ok(p.b, "configure", envB);
    assertEquals(500, awaitCount(IP_A, 500), role.output());
    assertTrue(psql(IP_A, secrets.get("password"), "insert into t values (0, 'no')").out().contains("read-only transaction"));
    assertEquals(50, insert(IP_B, 501, 550));
    assertEquals(550, awaitCount(IP_A, 550));
    JsonNode old = awaitSamePosition(p.b, envB, p.a, envA);
    assertEquals(IP_B, old.path("upstream").asText());
    assertEquals("up", old.path("link").asText());
  }

  // ---- helpers ------------------------------------------------------------------------------

  private record Pair(String a, String b, Map<String, String> envA, Map<String, String> envB) {}

  /** a primary at IP_A and a replica at IP_B that streams from it, synchronously, with a table t. */
  private Pair pair() {
    String image = t.image();
    String a = host.launch("tpl-pg-a", image, IP_A);
    String b = host.launch("tpl-pg-b", image, IP_B);
    HookEnv.Peer pa = new HookEnv.Peer(a, IP_A, "primary");
    HookEnv.Peer pb = new HookEnv.Peer(b, IP_B, "replica");
    Map<String, String> envA = t.env(pa, List.of(pa, pb), secrets);
    Map<String, String> envB = t.env(pb, List.of(pa, pb), secrets);
    for (String m : List.of(a, b)) {
      t.agent.install(m);
      host.awaitSystemd(m);
    }
    t.ok(a, "configure", envA);
    t.ok(b, "configure", envB);
    t.ok(a, "start", envA);
    sql(IP_A, "create table t (id integer primary key, v text not null)");
    assertTrue(t.ok(b, "start", envB).output().contains("pg_basebackup"));
    // configure runs again when members change: the primary now waits for the replica that streams
    assertTrue(t.ok(a, "configure", envA).output().contains("ANY 1 (\"" + b + "\")"));
    assertEquals(b + "|quorum", inside(a, "select application_name, sync_state from pg_stat_replication"));
    return new Pair(a, b, envA, envB);
  }

  private JsonNode status(String member, Map<String, String> env) throws Exception {
    String out = t.ok(member, "status", env).output().strip();
    assertEquals(1, out.lines().count(), out);
    JsonNode s = JSON.readTree(out);
    assertTrue(s.path("position").isIntegralNumber() && s.path("position").asLong() >= 0, out);
    return s;
  }

  /** Waits until the replica's position is the primary's; returns the replica's status. */
  private JsonNode awaitSamePosition(String primary, Map<String, String> envP, String replica, Map<String, String> envR)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode p = null;
    JsonNode r = null;
    while (System.nanoTime() < deadline) {
      p = status(primary, envP);
      r = status(replica, envR);
      if (p.path("position").asLong() == r.path("position").asLong()) {
        assertEquals("primary", p.path("role").asText());
        assertEquals("replica", r.path("role").asText());
        return r;
      }
      TestHost.sleep(200);
    }
    throw new AssertionError("the replica never caught up: primary " + p + ", replica " + r);
  }

  /** Inserts rows from..to, each in its own transaction; returns how many commits were acknowledged. */
  private int insert(String ip, int from, int to) {
    StringBuilder script = new StringBuilder();
    for (int i = from; i <= to; i++) {
      script.append("insert into t values (").append(i).append(", 'row ").append(i).append("');\n");
    }
    TestHost.Ran r = TestHost.run(pgEnv(secrets.get("password")), script.toString().getBytes(StandardCharsets.UTF_8),
        "psql", "-X", "-h", ip, "-U", "app", "-d", "app", "-f", "-");
    return (int) r.lines().stream().filter("INSERT 0 1"::equals).count();
  }

  private String sql(String ip, String query) {
    TestHost.Ran r = psql(ip, secrets.get("password"), query);
    assertEquals(0, r.exit(), r.out());
    return r.out().strip();
  }

  private TestHost.Ran psql(String ip, String password, String query) {
    return TestHost.run(pgEnv(password), null, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
        "-h", ip, "-U", "app", "-d", "app", "-c", query);
  }

  private static Map<String, String> pgEnv(String password) {
    return Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "5");
  }

  private int awaitCount(String ip) {
    return awaitCount(ip, -1);
  }

  /** The rows of t once the member answers (and, when {@code expected} >= 0, once it has that many). */
  private int awaitCount(String ip, int expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    TestHost.Ran r = null;
    while (System.nanoTime() < deadline) {
      r = psql(ip, secrets.get("password"), "select count(*) from t");
      if (r.exit() == 0 && (expected < 0 || Integer.parseInt(r.out().strip()) == expected)) {
        return Integer.parseInt(r.out().strip());
      }
      TestHost.sleep(250);
    }
    throw new AssertionError(ip + " never answered " + (expected < 0 ? "" : "with " + expected + " rows") + ": " + r);
  }

  /** A query as the postgres superuser inside the member (local socket). */
  private String inside(String member, String query) {
    ExecResult r = host.exec(member, "runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-d", "postgres", "-c", query);
    assertEquals(0, r.exitCode(), r.stderrText());
    return r.stdoutText().strip();
  }

  private String postmasterPid(String member) {
    ExecResult r = host.exec(member, "head", "-n", "1", PID_FILE);
    assertEquals(0, r.exitCode(), r.stderrText());
    return r.stdoutText().strip();
  }

  private static String secret() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return "s" + HexFormat.of().formatHex(b);
  }
}
