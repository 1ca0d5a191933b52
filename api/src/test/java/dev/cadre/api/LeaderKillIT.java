package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import dev.cadre.driver.HostDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code cadre serve} processes (separate JVMs) on one PostgreSQL schema and the real LXD host 1: the
 * leading server is killed with SIGKILL in the middle of its work, and the other one must take the lease
 * within 10 s and end what the dead one left (roll it back or finish it) with no container of the app
 * beyond its members and no address held beyond theirs.
 *
 * <ul>
 *   <li>mid-provision: a create of three members, killed once the first container exists;
 *   <li>mid-failover: a redis pair whose primary's container is stopped; the replica's {@code role} hook is
 *       made to take 8 s (as root in the member, as any tenant could), and the leader is killed while its
 *       failover waits on it. The survivor rolls the failover back, its own watch fails over again, and every
 *       key written before the stop is read at the service address.
 * </ul>
 */
class LeaderKillIT {
  @TempDir Path dir;
  ServerGroup group;
  HostDriver lxd;
  String app;

  @BeforeEach
  void setUp() throws Exception {
    group = new ServerGroup(dir);
    lxd = RealLxd.open(dir.resolve("lxd-client"));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (group != null) {
      group.close();
    }
    if (lxd != null) {
      RealLxd.removeAndClose(lxd, app);
    }
  }

  ServerProcess start(String name) throws Exception {
    return group.start(name);
  }

  Set<String> ours() {
    return RealLxd.containersOf(lxd, app);
  }

  /** Two servers, the first leading, lxd1 registered through it. */
  ServerProcess[] pair() throws Exception {
    ServerProcess a = start("a");
    ServerProcess b = start("b");
    ServersIT.awaitLeads(a, ServersIT.selfId(a), System.nanoTime());
    Response host = a.api().post("/v1/hosts", RealLxd.registerBody("lxd1"));
    assertEquals(202, host.status(), host.body());
    assertEquals("success", a.api().await(host.json().path("operation").asText(), Duration.ofSeconds(120))
        .path("status").asText());
    return new ServerProcess[] {a, b};
  }

  /** Kills the leader {@code a}; answers how long {@code b} took to lead (it fails past 10 s). */
  static long killLeader(ServerProcess a, ServerProcess b) throws InterruptedException {
    a.kill();
    long killed = System.nanoTime();
    return ServersIT.awaitLeads(b, ServersIT.selfId(b), killed);
  }

  @Test
  void aServerKilledMidProvisionIsTakenOverAndItsCreateEndsWithoutLeftovers() throws Exception {
    ServerProcess[] pair = pair();
    ServerProcess a = pair[0];
    ServerProcess b = pair[1];
    app = "lk" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Response created = a.api().post("/v1/apps", RealLxd.appBody(app, "busybox", 3));
    assertEquals(202, created.status(), created.body());
    String operation = created.json().path("operation").asText();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ours().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(ours().isEmpty(), "no container appeared: " + a.api().get(operation).body());
    JsonNode beforeKill = a.api().get(operation).json();
    assertFalse(ApiHarness.isDone(beforeKill), "the kill must interrupt provisioning: " + beforeKill);

    long killed = System.nanoTime();
    long takeover = killLeader(a, b);
    ApiHarness api = b.api();
    JsonNode op = api.await(operation, Duration.ofSeconds(120));
    long ended = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    System.out.printf("leader killed mid-provision: the other server led %d ms later; the create ended %s %d ms"
        + " after the kill%n", takeover, op.path("status").asText(), ended);
    assertEquals("failure", op.path("status").asText(), "a dead server's create is rolled back: " + op);

    Response shown = api.get("/v1/apps/" + app);
    if (shown.status() == 200) {
      for (JsonNode svc : shown.json().path("services")) {
        for (JsonNode m : svc.path("members")) {
          assertNotEquals("creating", m.path("state").asText(), shown.body());
        }
      }
      Response deleted = api.delete("/v1/apps/" + app);
      assertEquals(202, deleted.status(), deleted.body());
      assertEquals("success", api.await(deleted.json().path("operation").asText(), Duration.ofSeconds(120))
          .path("status").asText());
    } else {
      assertEquals(404, shown.status(), shown.body());
    }
    assertEquals(Set.of(), ours(), "containers left behind");
    assertNoAddressHeld(api);
  }

  @Test
  void aServerKilledMidFailoverIsTakenOverAndTheReplicaLeadsWithEveryKey() throws Exception {
    ServerProcess[] pair = pair();
    ServerProcess a = pair[0];
    ServerProcess b = pair[1];
    app = "lf" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Response created = a.api().post("/v1/apps", "{\"name\":\"" + app + "\",\"datacenter\":\"dc1\",\"services\":"
        + "[{\"name\":\"cache\",\"template\":\"redis\",\"topology\":\"redundant\"}]}");
    assertEquals(202, created.status(), created.body());
    JsonNode made = a.api().await(created.json().path("operation").asText(), Duration.ofMinutes(20));
    assertEquals("success", made.path("status").asText(), made.toString());
    JsonNode service = service(a.api());
    String address = service.path("address").asText();
    String password = a.api().get("/v1/apps/" + app + "/services/cache/secrets").json().path("secrets")
        .path("password").asText();
    assertFalse(password.isEmpty(), "the redis service has a password");
    String primary = member(service, "primary");
    String replica = member(service, "replica");

    // keys through the service address, then seen on the replica before the primary goes
    for (int i = 0; i < 200; i++) {
      assertEquals("OK", redis(address, password, "SET", "k" + i, "v" + i));
    }
    String replicaIp = ip(service, replica);
    long seen = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"200".equals(redis(replicaIp, password, "DBSIZE")) && System.nanoTime() < seen) {
      Thread.sleep(100);
    }
    assertEquals("200", redis(replicaIp, password, "DBSIZE"), "the replica has every key");

    // the replica's role hook takes 8 s more: the failover is still waiting on it when the leader dies
    lxc("exec", replica, "--", "sh", "-c", "mv /opt/cadre/hooks/role /opt/cadre/hooks/role.real"
        + " && printf '#!/bin/sh\\nsleep 8\\nexec /opt/cadre/hooks/role.real \"$@\"\\n' > /opt/cadre/hooks/role"
        + " && chmod 0755 /opt/cadre/hooks/role");
    lxc("stop", "--force", primary);

    String failover = null;
    long watch = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (failover == null && System.nanoTime() < watch) {
      String id = service(a.api()).path("operation").asText(null);
      if (id != null && "failover".equals(a.api().get("/v1/operations/" + id).json().path("kind").asText())) {
        failover = id;
      } else {
        Thread.sleep(50);
      }
    }
    assertNotNull(failover, "the leader started no failover: " + service(b.api()));
    Thread.sleep(1500); // into the role hook's sleep
    JsonNode beforeKill = a.api().get("/v1/operations/" + failover).json();
    assertFalse(ApiHarness.isDone(beforeKill), "the kill must interrupt the failover: " + beforeKill);

    long killed = System.nanoTime();
    long takeover = killLeader(a, b);
    ApiHarness api = b.api();
    JsonNode interrupted = api.await(failover, Duration.ofSeconds(60));
    assertEquals("failure", interrupted.path("status").asText(), "the dead server's failover is rolled back: "
        + interrupted);

    // the survivor's own watch fails the primary over again, to the replica
    long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonNode now = service(api);
    while (!(replica.equals(memberOrNull(now, "primary")) && now.path("operation").isNull())
        && System.nanoTime() < ready) {
      Thread.sleep(200);
      now = service(api);
    }
    long led = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertEquals(replica, memberOrNull(now, "primary"), "the replica leads: " + now);
    System.out.printf("leader killed mid-failover: the other server led %d ms later; the replica was primary %d ms"
        + " after the kill%n", takeover, led);
    assertEquals("200", redis(address, password, "DBSIZE"), "every key at the service address");
    assertEquals("v199", redis(address, password, "GET", "k199"));
    assertEquals("OK", redis(address, password, "SET", "after", "1"), "the new primary takes writes");

    // nothing beyond the members: no container, no address
    Set<String> members = new java.util.HashSet<>();
    now.path("members").forEach(m -> members.add(m.path("name").asText()));
    assertEquals(members, ours(), "containers of the app are its members: " + now);
    Response deleted = api.delete("/v1/apps/" + app);
    assertEquals(202, deleted.status(), deleted.body());
    assertEquals("success", api.await(deleted.json().path("operation").asText(), Duration.ofMinutes(2))
        .path("status").asText());
    assertEquals(Set.of(), ours(), "containers left behind");
    assertNoAddressHeld(api);
  }

  JsonNode service(ApiHarness api) {
    Response r = api.get("/v1/apps/" + app);
    assertEquals(200, r.status(), r.body());
    return r.json().path("services").get(0);
  }

  static String member(JsonNode service, String role) {
    String name = memberOrNull(service, role);
    assertNotNull(name, "no " + role + " in " + service);
    return name;
  }

  static String memberOrNull(JsonNode service, String role) {
    for (JsonNode m : service.path("members")) {
      if (role.equals(m.path("role").asText())) {
        return m.path("name").asText();
      }
    }
    return null;
  }

  static String ip(JsonNode service, String member) {
    for (JsonNode m : service.path("members")) {
      if (member.equals(m.path("name").asText())) {
        return m.path("ip").asText();
      }
    }
    throw new AssertionError(member + " not in " + service);
  }

  static void assertNoAddressHeld(ApiHarness api) {
    JsonNode info = api.get("/v1").json();
    assertEquals(0, info.path("counts").path("operations_running").asInt(), info.toString());
    info.path("addresses_in_use").fields().forEachRemaining(e ->
        assertEquals(0, e.getValue().asInt(), "leaked addresses: " + info.path("addresses_in_use")));
  }

  /** One redis-cli call (the password in its environment, not on the command line); answers its output. */
  static String redis(String host, String password, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", host));
    cmd.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("REDISCLI_AUTH", password);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "(timed out)";
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  static void lxc(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("lxc"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }
}
