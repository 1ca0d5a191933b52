package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.api.ApiHarness.Response;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code cadre serve} processes (separate JVMs, each with its own port and data dir, no hosts) on
 * one PostgreSQL schema: when the leader is killed with SIGKILL another server takes the lease of
 * background work within 10 s; when a leader is cut off the database (every backend of it terminated,
 * found by the application name {@code cadre-<server id>} its connections carry) it stops leading and
 * another server takes over, while the cut server itself lives on and reconnects.
 */
class ServersIT {
  static final long TAKEOVER_LIMIT_MS = 10_000;

  @TempDir Path dir;
  ServerGroup group;
  PostgresSchema schema;

  @BeforeEach
  void freshSchema() throws Exception {
    group = new ServerGroup(dir);
    schema = group.schema;
  }

  @AfterEach
  void stop() throws Exception {
    if (group != null) {
      group.close();
    }
  }

  ServerProcess start(String name) throws Exception {
    return group.start(name);
  }

  /** {@code GET /v1} of a server, or null while it cannot answer (its store out of reach, say). */
  static JsonNode info(ServerProcess s) {
    try {
      Response r = s.api().get("/v1");
      return r.status() == 200 ? r.json() : null;
    } catch (RuntimeException unreachable) {
      return null;
    }
  }

  /** The id of the server that answered, from its own row in {@code servers}. */
  static String selfId(ServerProcess s) {
    JsonNode info = info(s);
    assertNotNull(info, "GET /v1 of " + s.base() + " fails: " + s.output());
    for (JsonNode row : info.path("servers")) {
      if (row.path("self").asBoolean()) {
        return row.path("id").asText();
      }
    }
    throw new AssertionError("no row of its own in " + info);
  }

  /** Waits until {@code s} reports itself leader; answers the milliseconds it took, fails after 10 s. */
  static long awaitLeads(ServerProcess s, String id, long since) throws InterruptedException {
    while (System.nanoTime() - since < TimeUnit.MILLISECONDS.toNanos(TAKEOVER_LIMIT_MS)) {
      JsonNode info = info(s);
      if (info != null && id.equals(info.path("leader").asText(null))) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
      }
      Thread.sleep(20);
    }
    throw new AssertionError(id + " did not lead within " + TAKEOVER_LIMIT_MS + " ms: " + info(s));
  }

  /** Terminates every backend of the server {@code id} (only its own: by application name); answers how many. */
  int cut(Connection c, String id) throws Exception {
    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
        + " FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?")) {
      s.setString(1, "cadre-" + id);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  int backends(String id) throws Exception {
    return Integer.parseInt(schema.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND application_name = 'cadre-" + id + "'").get(0));
  }

  @Test
  void anotherServerTakesOverFromAKilledLeaderAndFromOneCutOffTheDatabase() throws Exception {
    ServerProcess a = start("a");
    ServerProcess b = start("b");
    String idA = selfId(a);
    String idB = selfId(b);
    assertNotEquals(idA, idB);
    // the first to start leads at once (it tried the lease before answering)
    awaitLeads(a, idA, System.nanoTime());
    assertEquals(idA, info(b).path("leader").asText(), "both see the same leader");
    assertTrue(backends(idA) > 0, "a's connections carry its application name");

    // 1. SIGKILL the leader: its lease runs out (3 s) and b takes it
    a.kill();
    long killed = System.nanoTime();
    long takeover = awaitLeads(b, idB, killed);
    System.out.printf("leader killed with SIGKILL: the other server led %d ms later%n", takeover);
    JsonNode afterKill = info(b);
    for (JsonNode row : afterKill.path("servers")) {
      if (row.path("id").asText().equals(idA)) {
        assertFalse(row.path("alive").asBoolean() && row.path("leader").asBoolean(), afterKill.toString());
      }
    }

    // the first server again, on its data dir: a new server id, standing by beside the leader b
    ServerProcess c = start("a");
    String idC = selfId(c);
    assertEquals(idB, info(c).path("leader").asText(), "a server that joins a live leader does not take the lease");

    // 2. cut b off the database, again and again until c leads: b's lease must run out, not be renewed
    int terminated = 0;
    long cutAt = System.nanoTime();
    long cutTakeover = -1;
    try (Connection admin = schema.connect()) {
      while (System.nanoTime() - cutAt < TimeUnit.MILLISECONDS.toNanos(TAKEOVER_LIMIT_MS)) {
        terminated += cut(admin, idB);
        JsonNode seen = info(c);
        if (seen != null && idC.equals(seen.path("leader").asText(null))) {
          cutTakeover = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
          break;
        }
      }
    }
    assertTrue(terminated > 0, "no backend of b was found to terminate");
    assertTrue(cutTakeover >= 0, "b kept the lease while cut off the database: " + info(c) + "\n" + b.output());
    System.out.printf("leader cut off PostgreSQL (%d backends terminated): another server led %d ms later%n",
        terminated, cutTakeover);

    // b lives on, reconnects (its pool opens new connections) and follows c instead of leading
    assertTrue(b.process().isAlive(), "the cut server died: " + b.output());
    long recovering = System.nanoTime();
    JsonNode back = null;
    while (System.nanoTime() - recovering < TimeUnit.SECONDS.toNanos(15)) {
      back = info(b);
      if (back != null && idC.equals(back.path("leader").asText(null)) && selfAlive(back)) {
        break;
      }
      back = null;
      Thread.sleep(100);
    }
    assertNotNull(back, "b did not recover its connections in 15 s: " + b.output());
    System.out.printf("the cut server answered again, beating and following, %d ms after the cuts ended%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recovering));
    assertTrue(backends(idB) > 0, "b holds connections again");
    assertTrue(b.process().isAlive());
    assertEquals(idC, info(c).path("leader").asText(), "c still leads: b did not take the lease back");
  }

  /** The answering server's own row shows a recent heartbeat. */
  static boolean selfAlive(JsonNode info) {
    for (JsonNode row : info.path("servers")) {
      if (row.path("self").asBoolean()) {
        return row.path("alive").asBoolean();
      }
    }
    return false;
  }
}
