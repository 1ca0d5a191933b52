package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.BackupView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.RestoreRequest;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Backups through the templates' data hooks on real LXD host 1, with real clients that count what the
 * service acknowledged: write, back up, delete the app, restore into a new app, read every acknowledged
 * write back (and nothing written after the backup). Refusals change nothing.
 */
class BackupRestoreIT extends RolesFixture {

  @Override
  String prefix() {
    return "br";
  }

  @Test
  void redisDataComesBackFromABackupAfterItsAppIsDeleted() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("cache", "redis", null, null, null)), false)),
        20);
    ServiceView s = service();
    Map<String, String> acked = new HashMap<>();
    try (Resp r = new Resp(s.address(), s.secrets().get("password"))) {
      for (int i = 0; i < 5000; i++) {
        String key = "k:" + i;
        String value = "v" + i + "-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        if ("OK".equals(r.call("SET", key, value))) {
          acked.put(key, value);
        }
      }
    }
    assertEquals(5000, acked.size(), "redis acknowledged every write");

    BackupView b = backUp("cache");
    try (Resp r = new Resp(s.address(), s.secrets().get("password"))) {
      assertEquals("OK", r.call("SET", "after-backup", "x"));
    }
    ok(plane.deleteApp(app), 5);
    assertEquals(List.of(b), plane.backups(app, "cache"), "the backup outlives its app");

    // an archive that changed on disk is refused before it reaches the member, and the app made for it goes
    Path archive = dir.resolve("data/backups/" + b.id() + ".tar.gz");
    byte[] good = Files.readAllBytes(archive);
    byte[] bad = good.clone();
    bad[bad.length / 2] ^= 1;
    Files.write(archive, bad);
    String spoiled = prefix() + RunNames.suffix(5);
    OperationView refused = plane.await(plane.restoreBackup(app, "cache", b.id(),
        new RestoreRequest(spoiled, "store", "dc1")).id(), java.time.Duration.ofMinutes(20));
    assertEquals("failure", refused.status(), refused.steps().toString());
    assertTrue(refused.error().contains("changed on disk"), refused.error());
    assertThrows(NotFoundException.class, () -> plane.app(spoiled), "the restore's app was deleted");
    Files.write(archive, good);

    String restored = prefix() + RunNames.suffix(5);
    OperationView restore = ok(plane.restoreBackup(app, "cache", b.id(), new RestoreRequest(restored, "store", "dc1")),
        20);
    print("restore", restore);
    assertEquals("restore_service", restore.kind());
    ServiceView t = plane.app(restored).services().get(0);
    assertEquals("store", t.name());
    assertEquals("redis", t.template());
    assertEquals("running", t.members().get(0).state());
    String password = t.secrets().get("password");
    assertNotEquals(s.secrets().get("password"), password, "the new service has secrets of its own");
    try (Resp r = new Resp(t.address(), password)) {
      long same = 0;
      for (Map.Entry<String, String> e : acked.entrySet()) {
        if (e.getValue().equals(r.call("GET", e.getKey()))) {
          same++;
        }
      }
      assertEquals(acked.size(), same, "every acknowledged write is back with its value");
      assertEquals(null, r.call("GET", "after-backup"), "a write after the backup is not in it");
      assertEquals((long) acked.size(), r.call("DBSIZE"));
      assertEquals("OK", r.call("SET", "writable", "yes"), "the restored service takes writes");
    }
    // it keeps them across a restart of redis: they are in its append-only file now
    lxc("exec", t.members().get(0).name(), "--", "systemctl", "restart", "redis-server");
    Thread.sleep(1000);
    assertEquals(acked.size() + 1L, awaitDbsize(t.address(), password));
  }

  @Test
  void postgresqlRowsComeBackFromABackupAfterItsAppIsDeleted() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("db", "postgresql", null, null, null)),
        false)), 20);
    ServiceView s = service();
    String password = s.secrets().get("password");
    try (Connection c = PostgresRolesIT.connect(s.address(), password); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT NOT NULL)");
      st.execute("CREATE INDEX t_v ON t (v)");
    }
    // every row PostgreSQL said it committed (autocommit: executeUpdate returns after the commit); a row whose
    // answer was lost (the connection broke) may or may not be there, and is allowed either way
    Map<Long, String> committed = new HashMap<>();
    java.util.Set<Long> unsure = new java.util.HashSet<>();
    Connection conn = null;
    try {
      for (long i = 0; i < 3000; i++) {
        String v = "row " + i + " é ' \" ; $(touch /tmp/x)";
        try {
          if (conn == null) {
            conn = PostgresRolesIT.connect(s.address(), password);
          }
          try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
            ps.setLong(1, i);
            ps.setString(2, v);
            if (ps.executeUpdate() == 1) {
              committed.put(i, v);
            }
          }
        } catch (SQLException e) {
          unsure.add(i);
          System.out.println(java.time.Instant.now() + " insert " + i + " failed: " + e.getMessage());
          try {
            if (conn != null) {
              conn.close();
            }
          } catch (SQLException ignored) {
            // reconnect below
          }
          conn = null;
          Thread.sleep(500);
        }
      }
    } finally {
      if (conn != null) {
        conn.close();
      }
    }
    assertTrue(committed.size() >= 2900, "committed " + committed.size());

    BackupView b = backUp("db");
    try (Connection c = PostgresRolesIT.connect(s.address(), password); Statement st = c.createStatement()) {
      st.execute("INSERT INTO t VALUES (-1, 'after the backup')");
    }
    ok(plane.deleteApp(app), 5);
    assertEquals(1, plane.backups(app, "db").size());

    String restored = prefix() + RunNames.suffix(5);
    OperationView restore = ok(plane.restoreBackup(app, "db", b.id(), new RestoreRequest(restored, "db2", "dc1")), 20);
    print("restore", restore);
    ServiceView t = plane.app(restored).services().get(0);
    String newPassword = t.secrets().get("password");
    try (Connection c = PostgresRolesIT.connect(t.address(), newPassword); Statement st = c.createStatement()) {
      Map<Long, String> back = new HashMap<>();
      try (ResultSet rs = st.executeQuery("SELECT id, v FROM t")) {
        while (rs.next()) {
          back.put(rs.getLong(1), rs.getString(2));
        }
      }
      for (Map.Entry<Long, String> e : committed.entrySet()) {
        assertEquals(e.getValue(), back.get(e.getKey()), "committed row " + e.getKey());
      }
      for (Long id : back.keySet()) {
        assertTrue(committed.containsKey(id) || unsure.contains(id), "row " + id + " was never written before the backup");
      }
      try (ResultSet rs = st.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 't'")) {
        assertTrue(rs.next());
        assertEquals("app", rs.getString(1), "the restored table belongs to app");
      }
      assertEquals(1, st.executeUpdate("INSERT INTO t VALUES (-2, 'restored service takes writes')"));
    }
    // psql, as an operator would, through the service address with the new service's password
    ProcessBuilder pb = new ProcessBuilder("psql", "-h", t.address(), "-U", "app", "-d", "app", "-tAc",
        "select count(*) from t");
    pb.environment().put("PGPASSWORD", newPassword);
    Process p = pb.redirectErrorStream(true).start();
    long rows = Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
    assertTrue(rows >= committed.size() + 1 && rows <= committed.size() + unsure.size() + 1, "psql counts " + rows);
    assertEquals(0, p.waitFor());
  }

  @Test
  void refusalsChangeNothing() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("web", "busybox", null, null, null)), false)),
        5);
    ConflictException noHook = assertThrows(ConflictException.class, () -> plane.backupService(app, "web"));
    assertTrue(noHook.getMessage().contains("export-live"), noHook.getMessage());
    assertThrows(NotFoundException.class, () -> plane.backupService(app, "nope"));
    assertThrows(NotFoundException.class, () -> plane.backupService("no-such-app", "web"));
    assertThrows(InvalidInputException.class, () -> plane.backupService(app, "Bad Name"));
    assertEquals(List.of(), plane.backups(app, "web"));
    assertThrows(NotFoundException.class, () -> plane.backups("no-such-app", "web"));
    RestoreRequest to = new RestoreRequest("br-new", "web", "dc1");
    assertThrows(NotFoundException.class, () -> plane.restoreBackup(app, "web", "bk-0123456789abcdef0123", to));
    assertThrows(InvalidInputException.class, () -> plane.restoreBackup(app, "web", "../../etc/passwd", to));
    assertThrows(InvalidInputException.class,
        () -> plane.restoreBackup(app, "web", "bk-0123456789abcdef0123", new RestoreRequest(null, "web", "dc1")));
    assertThrows(InvalidInputException.class,
        () -> plane.restoreBackup(app, "web", "bk-0123456789abcdef0123", new RestoreRequest("x", "web", "Bad DC")));
    assertEquals(1, plane.apps().size(), "nothing was made");
    assertFalse(Files.exists(dir.resolve("data/backups")) && Files.list(dir.resolve("data/backups")).findAny().isPresent(),
        "no archive was written");
  }

  /** Backs the service up and checks the record against the archive on disk and the member's cleanup. */
  private BackupView backUp(String service) throws Exception {
    OperationView op = ok(plane.backupService(app, service), 10);
    print("backup", op);
    assertEquals("backup_service", op.kind());
    List<BackupView> all = plane.backups(app, service);
    assertEquals(1, all.size());
    BackupView b = all.get(0);
    assertTrue(op.target().endsWith("/backups/" + b.id()), op.target());
    Path archive = dir.resolve("data/backups/" + b.id() + ".tar.gz");
    assertEquals(b.bytes(), Files.size(archive));
    assertEquals(b.sha256(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive))));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));
    String member = service().members().get(0).name();
    Process p = new ProcessBuilder("lxc", "exec", member, "--", "test", "-e", "/var/lib/cadre/export/data.tar.gz").start();
    assertEquals(1, p.waitFor(), "the member's copy of the archive is removed");
    // restoring into an app that exists is refused, and the app stays as it is
    ConflictException exists = assertThrows(ConflictException.class,
        () -> plane.restoreBackup(app, service, b.id(), new RestoreRequest(app, service, "dc1")));
    assertTrue(exists.getMessage().contains("not supported yet"), exists.getMessage());
    System.out.printf("backup %s: %d bytes in %d ms%n", b.id(), b.bytes(),
        java.time.Duration.between(op.created(), op.updated()).toMillis());
    return b;
  }

  private static long awaitDbsize(String address, String password) throws Exception {
    for (int i = 0; i < 100; i++) {
      try {
        return Resp.dbsize(address, password);
      } catch (java.io.IOException | RuntimeException notYet) {
        Thread.sleep(200);
      }
    }
    return Resp.dbsize(address, password);
  }
}
