package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import dev.cadre.manager.ipam.Ipam;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same store on a real PostgreSQL server (Debian's postgresql package), started by this test in a
 * scratch cluster on a free port and stopped after it: the schema migrates, composite writes and the
 * address constraint behave as on H2.
 */
class PostgresStoreIT {
  static Path cluster;
  static Path bin;
  static int port;

  @BeforeAll
  static void startPostgres() throws Exception {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.naturalOrder())
          .orElseThrow(() -> new AssertionError("PostgreSQL is not installed (apt-get install postgresql)"));
    }
    cluster = Files.createTempDirectory("cadre-pg");
    run("chown", "postgres:postgres", cluster.toString());
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    asPostgres(bin.resolve("initdb").toString(), "-D", cluster.resolve("data").toString(), "-A", "trust", "-U", "cadre");
    asPostgres(bin.resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(), "-l",
        cluster.resolve("log").toString(), "-w", "-o", "-p " + port + " -k " + cluster + " -c listen_addresses=127.0.0.1",
        "start");
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (cluster != null) {
      asPostgres(bin.resolve("pg_ctl").toString(), "-D", cluster.resolve("data").toString(), "-m", "immediate", "stop");
      run("rm", "-rf", cluster.toString());
    }
  }

  static void asPostgres(String... argv) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    cmd.addAll(List.of(argv));
    run(cmd.toArray(String[]::new));
  }

  static void run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", argv) + " failed: " + out);
    }
  }

  JdbcStore open() {
    return JdbcStore.open("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "cadre", null, 20);
  }

  @Test
  void theStoreWorksOnPostgresql() throws Exception {
    Instant now = Instant.now();
    String id;
    try (JdbcStore store = open()) {
      assertEquals("postgresql", store.kind());
      id = store.storeId();
      store.registerHost(Ipam.datacenterFor("dc1", "10.77.0.1/24", Clock.systemUTC()),
          new HostRecord("h1", "lxd", "unix:///x", "dc1", "br0", "ready", 2, 1L << 30, 0, 1L << 30, 0, null, now),
          new OperationRecord("op1", "register_host", "hosts/h1", "success", 100, null, now, now));
      assertThrows(ConflictException.class, () -> store.registerHost(
          Ipam.datacenterFor("dc1", "10.99.0.1/24", Clock.systemUTC()),
          new HostRecord("h2", "lxd", "unix:///y", "dc1", "br0", "ready", 2, 1, 0, 1, 0, null, now),
          new OperationRecord("op9", "register_host", "hosts/h2", "success", 100, null, now, now)));
      store.createApp(new AppRecord("shop", "dc1", "creating", false, now),
          List.of(new ServiceRecord("shop", "web", "busybox", "single", Map.of("k", "v"), Map.of("password", "p"))),
          List.of(new MemberRecord("shop-web-1", "shop", "web", 1, "primary", "h1", null, "creating", null, 1, 64, 64, "op2")),
          new OperationRecord("op2", "create_app", "apps/shop", "pending", 0, null, now, now));
      assertThrows(ConflictException.class, () -> store.createApp(new AppRecord("shop", "dc1", "creating", false, now),
          List.of(), List.of(), new OperationRecord("op3", "create_app", "apps/shop", "pending", 0, null, now, now)));
      store.addStep("op2", new StepRecord("a step", "done", "detail", now));
      assertEquals(1, store.steps("op2").size());
      assertTrue(store.changeMemberState("shop-web-1", "creating", "running", null));
      assertTrue(!store.changeMemberState("shop-web-1", "creating", "failed", null));
      assertTrue(store.addEvent("member", "x", "{}", now) < store.addEvent("member", "x", "{}", now));

      // the unique constraint under many concurrent claimers
      Ipam ipam = new Ipam(store, Clock.systemUTC());
      ExecutorService pool = Executors.newFixedThreadPool(16);
      ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 10; i++) {
            try {
              got.add(ipam.allocate("dc1", "m" + thread + "-" + i));
            } catch (ConflictException full) {
              // the pool has 127 addresses for 160 claims
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      Set<String> unique = new HashSet<>(got);
      assertEquals(got.size(), unique.size());
      assertEquals(127, unique.size());
      assertEquals(Map.of("dc1", 127), store.addressesInUse());
    }
    try (JdbcStore again = open()) {
      assertEquals(id, again.storeId());
      assertEquals("p", again.services("shop").get(0).secrets().get("password"));
      again.deleteApp("shop");
      assertTrue(again.apps().isEmpty());
    }
  }
}
