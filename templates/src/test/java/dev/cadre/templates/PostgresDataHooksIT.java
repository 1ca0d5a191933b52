package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The postgresql template's data hooks in one real member, with psql from this machine: export-live while
 * the server takes writes, export-final from a stopped server (started on its socket only, stopped again),
 * each archive loaded back with every committed row (and nothing committed after it); while an import is
 * prepared app cannot connect; a load that fails leaves database app as it was and lets app in again.
 */
class PostgresDataHooksIT {
  private static final String IP = "10.77.0.91";
  private final TestHost host = new TestHost();
  private final Map<String, String> secrets = Map.of("password", secret(), "replication", secret());

  @AfterEach
  void cleanUp() {
    host.close();
  }

  @Test
  void archivesFromARunningAndAStoppedServerLoadBackWithEveryCommittedRow() throws Exception {
    assertTrue(TestHost.onPath("psql"), "psql is missing on this machine");
    TemplateHarness t = new TemplateHarness(host, "postgresql");
    String m = host.launch("tpl-pgdata", t.image(), IP);
    t.agent.install(m);
    host.awaitSystemd(m);
    Map<String, String> env = t.env(m, IP, secrets);
    t.ok(m, "configure", env);
    t.ok(m, "start", env);
    sql("create table t (id integer primary key, v text not null)");
    assertEquals(1000, insert(1, 1000));

    t.ok(m, "export-live", env);
    assertEquals("app.dump", sh(m, "tar -tzf /var/lib/cadre/export/data.tar.gz"));
    assertEquals("700", sh(m, "stat -c %a /var/lib/cadre/export"));
    sh(m, "cp /var/lib/cadre/export/data.tar.gz /root/live.tar.gz");
    assertEquals(100, insert(1001, 1100));

    t.ok(m, "stop", env);
    t.ok(m, "export-final", env);
    assertEquals("inactive", sh(m, "systemctl is-active postgresql@15-main || true"));
    assertEquals("no", sh(m, "test -f /var/lib/postgresql/15/main/postmaster.pid && echo yes || echo no"),
        "the server started for the dump was stopped again");
    sh(m, "cp /var/lib/cadre/export/data.tar.gz /root/final.tar.gz");
    t.ok(m, "start", env);

    t.ok(m, "import-prep", env);
    TestHost.Ran refused = psql(secrets.get("password"), "select 1");
    assertTrue(refused.exit() != 0 && refused.out().contains("too many connections"), refused.out());
    sh(m, "cp /root/live.tar.gz /var/lib/cadre/import/data.tar.gz");
    t.ok(m, "import-clean", env);
    assertEquals("1000", sql("select count(*) from t"));
    assertEquals("0", sql("select count(*) from t where id > 1000"), "nothing committed after the live export");
    assertEquals("row 777", sql("select v from t where id = 777"));
    assertEquals("app", sql("select tableowner from pg_tables where tablename = 't'"));

    t.ok(m, "import-prep", env);
    sh(m, "cp /root/final.tar.gz /var/lib/cadre/import/data.tar.gz");
    t.ok(m, "import-clean", env);
    assertEquals("1100", sql("select count(*) from t"));
    assertEquals("no", sh(m, "test -e /var/lib/cadre/import && echo yes || echo no"), "the archive is removed");

    // a dump pg_restore cannot read: refused, app keeps its rows and may connect again
    t.ok(m, "import-prep", env);
    sh(m, "echo garbage > /root/app.dump && tar -czf /var/lib/cadre/import/data.tar.gz -C /root app.dump");
    HookResult bad = t.hook(m, "import-clean", env);
    assertEquals(1, bad.exit(), bad.output() + bad.stderr());
    assertTrue(bad.stderr().contains("pg_restore failed"), bad.stderr());
    assertEquals("1100", sql("select count(*) from t"));
    // an archive holding anything else is refused before the database is touched
    sh(m, "tar -czf /var/lib/cadre/import/data.tar.gz -C /etc passwd");
    HookResult other = t.hook(m, "import-clean", env);
    assertEquals(1, other.exit());
    assertTrue(other.stderr().contains("app.dump alone"), other.stderr());
    assertEquals("1100", sql("select count(*) from t"));
  }

  private int insert(int from, int to) {
    StringBuilder script = new StringBuilder();
    for (int i = from; i <= to; i++) {
      script.append("insert into t values (").append(i).append(", 'row ").append(i).append("');\n");
    }
    TestHost.Ran r = TestHost.run(Map.of("PGPASSWORD", secrets.get("password"), "PGCONNECT_TIMEOUT", "5"),
        script.toString().getBytes(StandardCharsets.UTF_8), "psql", "-X", "-h", IP, "-U", "app", "-d", "app", "-f", "-");
    return (int) r.lines().stream().filter("INSERT 0 1"::equals).count();
  }

  private String sql(String query) {
    TestHost.Ran r = psql(secrets.get("password"), query);
    assertEquals(0, r.exit(), r.out());
    return r.out().strip();
  }

  private TestHost.Ran psql(String password, String query) {
    return TestHost.run(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "5"), null, "psql", "-X", "-q", "-A", "-t",
        "-v", "ON_ERROR_STOP=1", "-h", IP, "-U", "app", "-d", "app", "-c", query);
  }

  /** A fixed command line of the test's own, no user data. */
  private String sh(String member, String script) {
    ExecResult r = host.driver.exec(member, ExecRequest.of("sh", "-c", script));
    assertEquals(0, r.exitCode(), script + ": " + r.stderrText());
    return r.stdoutText().strip();
  }

  private static String secret() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return "s" + HexFormat.of().formatHex(b);
  }
}
