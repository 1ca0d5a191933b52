package dev.cadre.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The redis template's data hooks in one real member: export-live while redis serves, export-final from a
 * stopped redis (its files), each archive loaded back by import-prep and import-clean with every key; an
 * archive that holds anything else is refused before redis is touched.
 */
class RedisDataHooksIT {
  private static final String IP = "10.77.0.90";
  private final TestHost host = new TestHost();

  @AfterEach
  void cleanUp() {
    host.close();
  }

  @Test
  void archivesFromARunningAndAStoppedRedisLoadBackWithEveryKey() throws Exception {
    TemplateHarness t = new TemplateHarness(host, "redis");
    String member = host.launch("tpl-rdata", t.image(), IP);
    t.agent.install(member);
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Map<String, String> env = t.env(member, IP, Map.of("password", password));
    host.awaitSystemd(member);
    t.ok(member, "configure", env);
    t.ok(member, "start", env);
    sh(member, password, "for i in $(seq 1 2000); do echo \"SET k$i v$i\"; done | redis-cli -h 127.0.0.1 >/dev/null");
    assertEquals("2000", cli(member, password, "dbsize"));

    JsonNode live = answer(t.ok(member, "export-live", env));
    assertEquals("/var/lib/cadre/export/data.tar.gz", live.path("path").asText());
    assertEquals(live.path("bytes").asText(), sh(member, password, "wc -c < /var/lib/cadre/export/data.tar.gz"));
    assertEquals(live.path("sha256").asText(), sh(member, password,
        "sha256sum /var/lib/cadre/export/data.tar.gz | cut -d ' ' -f 1"));
    assertEquals("700", sh(member, password, "stat -c %a /var/lib/cadre/export"));
    assertEquals("dump.rdb", sh(member, password, "tar -tzf /var/lib/cadre/export/data.tar.gz"));
    sh(member, password, "cp /var/lib/cadre/export/data.tar.gz /root/live.tar.gz");

    // written after the live export: in the final one, not in the live one
    assertEquals("OK", cli(member, password, "set", "late", "yes"));
    t.ok(member, "stop", env);
    answer(t.ok(member, "export-final", env));
    String names = sh(member, password, "tar -tzf /var/lib/cadre/export/data.tar.gz");
    assertTrue(names.contains("appendonlydir/"), names);
    sh(member, password, "cp /var/lib/cadre/export/data.tar.gz /root/final.tar.gz");
    t.ok(member, "start", env);

    // the live archive: 2000 keys, not the late one
    load(t, member, env, password, "/root/live.tar.gz");
    assertEquals("2000", cli(member, password, "dbsize"));
    assertEquals("v1234", cli(member, password, "get", "k1234"));
    assertEquals("", cli(member, password, "get", "late"));
    assertEquals(List.of("appendonly", "yes"), cli(member, password, "config", "get", "appendonly").lines().toList(),
        "the append-only file is on again after a load from a snapshot");

    // the final archive: 2001 keys, and redis starts on its append-only file
    load(t, member, env, password, "/root/final.tar.gz");
    assertEquals("2001", cli(member, password, "dbsize"));
    assertEquals("yes", cli(member, password, "get", "late"));

    // an archive with anything else is refused while redis keeps serving what it has
    sh(member, password, "mkdir -p /var/lib/cadre/import && tar -czf /var/lib/cadre/import/data.tar.gz -C /etc passwd");
    HookResult refused = t.hook(member, "import-clean", env);
    assertEquals(1, refused.exit(), refused.output() + refused.stderr());
    assertTrue(refused.stderr().contains("only dump.rdb and appendonlydir/appendonly.aof.* are taken"), refused.stderr());
    assertEquals("2001", cli(member, password, "dbsize"));
  }

  private void load(TemplateHarness t, String member, Map<String, String> env, String password, String archive)
      throws Exception {
    t.ok(member, "import-prep", env);
    assertEquals("inactive", sh(member, password, "systemctl is-active redis-server || true"));
    sh(member, password, "cp " + archive + " /var/lib/cadre/import/data.tar.gz");
    HookResult r = t.ok(member, "import-clean", env);
    assertTrue(r.output().contains("import-clean: redis started"), r.output());
    assertEquals("no", sh(member, password, "test -e /var/lib/cadre/import && echo yes || echo no"),
        "the archive is removed");
  }

  private static JsonNode answer(HookResult r) throws Exception {
    List<String> lines = r.output().strip().lines().toList();
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  /** A fixed command line of the test's own (no user data), with the password in redis-cli's environment. */
  private String sh(String member, String password, String script) {
    ExecResult r = host.driver.exec(member, ExecRequest.of("sh", "-c", script).withEnv(Map.of("REDISCLI_AUTH", password)));
    assertEquals(0, r.exitCode(), script + ": " + r.stderrText());
    return r.stdoutText().strip();
  }

  private String cli(String member, String password, String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1"));
    argv.addAll(List.of(args));
    ExecResult r = host.driver.exec(member, ExecRequest.of(argv.toArray(String[]::new))
        .withEnv(Map.of("REDISCLI_AUTH", password)));
    assertEquals(0, r.exitCode(), r.stderrText());
    return r.stdoutText().strip();
  }
}
