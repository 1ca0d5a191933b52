package dev.cadre.bench;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Role changes of the real redis and postgresql templates through cadre's control plane on LXD host 1, with
 * a client that writes through the service address the whole time (redis SET, postgresql committed INSERT): conversion both ways and a promotion with 1 MB and
 * 100 MB of data (total time, and the longest stretch without an acknowledged write), and a failover
 * (the primary's container stopped by force; time to the first write accepted at the service address).
 * Side by side in the same run: Redis Sentinel (Debian's redis-sentinel) failing over a primary and a
 * replica on loopback after a kill -9, with its default {@code down-after-milliseconds} (30 s) and tuned
 * to 1 s.
 *
 * <p>Usage: {@code RolesBench SOCKET NETWORK SIZES_MB...}
 */
public final class RolesBench {
  private final CadreControlPlane plane;
  private final List<String[]> rows = new ArrayList<>();

  private RolesBench(CadreControlPlane plane) {
    this.plane = plane;
  }

  public static void main(String[] args) throws Exception {
    String socket = args.length > 0 ? args[0] : "/var/lib/lxd/unix.socket";
    String network = args.length > 1 ? args[1] : "cadrebr0";
    List<Integer> sizes = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      sizes.add(Integer.parseInt(args[i]));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1, 100);
    }
    Path data = Files.createTempDirectory("cadre-roles-bench");
    List<HostDriverFactory> factories = ServiceLoader.load(HostDriverFactory.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    try (CadreControlPlane plane = CadreControlPlane.open(new ControlPlaneConfig(data, null, factories,
        TemplateCatalog.builtIn(), null, null, null, null))) {
      ok(plane, plane.registerHost(new HostRequest("lxd1", "lxd", "unix://" + socket, "dc1", network, null)));
      RolesBench bench = new RolesBench(plane);
      String only = System.getenv("CADRE_BENCH_TEMPLATES"); // e.g. "postgresql": one template only
      List<String> templates = only == null || only.isBlank() ? List.of("redis", "postgresql")
          : List.of(only.strip().split("[ ,]+"));
      try {
        for (String template : templates) {
          for (int mb : sizes) {
            if (mb > 0) { // 0: only the sentinel side
              bench.roles(template, mb);
            }
          }
        }
        bench.sentinel(30_000);
        bench.sentinel(1_000);
      } finally {
        // what was measured is printed even when a later step failed
        System.out.printf("%nRole changes with a client writing through the service address the whole time%n");
        System.out.printf("%-44s %8s %10s %14s%n", "change", "data", "total ms", "no-write ms");
        for (String[] r : bench.rows) {
          System.out.printf("%-44s %8s %10s %14s%n", (Object[]) r);
        }
      }
    }
  }

  private void roles(String template, int mb) throws Exception {
    Data data = template.equals("redis") ? new RedisData() : new PostgresData();
    String app = template.substring(0, 2) + mb + "m" + Long.toString(System.nanoTime() % 100000, 36);
    ok(plane, plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("db", template, null, null, null)),
        false)));
    try {
      ServiceView s = plane.app(app).services().get(0);
      String address = s.address();
      String password = s.secrets().get("password");
      data.fill(address, password, mb);
      String size = mb + " MB";

      Writer w = new Writer(data.session(address, password));
      OperationView up = ok(plane, plane.convertService(app, "db", "redundant"));
      row(template + " convert single -> redundant", size, up, w.stop());

      s = plane.app(app).services().get(0);
      MemberView replica = s.members().stream().filter(m -> "replica".equals(m.role())).findFirst().orElseThrow();
      w = new Writer(data.session(address, password));
      OperationView promoted = ok(plane, plane.promoteMember(app, "db", replica.name()));
      row(template + " promote a replica", size, promoted, w.stop());

      s = plane.app(app).services().get(0);
      MemberView primary = s.members().stream().filter(m -> "primary".equals(m.role())).findFirst().orElseThrow();
      w = new Writer(data.session(address, password));
      long stopped = System.nanoTime();
      lxc("stop", "--force", primary.name());
      long firstWrite = w.firstAckAfter(stopped, Duration.ofSeconds(60));
      w.stop();
      rows.add(new String[] {template + " failover (container stopped by force)", size, "-",
          Long.toString((firstWrite - stopped) / 1_000_000)});
      lxc("start", primary.name());
      awaitRunning(app, primary.name(), Duration.ofMinutes(3));

      w = new Writer(data.session(address, password));
      OperationView down = ok(plane, plane.convertService(app, "db", "single"));
      row(template + " convert redundant -> single", size, down, w.stop());
    } finally {
      plane.await(plane.deleteApp(app).id(), Duration.ofMinutes(5));
    }
  }

  /** How the bench talks to one template's database. */
  interface Data {
    /** Writes about {@code mb} MB (10 KiB values). */
    void fill(String address, String password, int mb) throws Exception;

    /** Opens connections for a writer: each write is one acknowledged write (a SET, a committed INSERT). */
    Callable<Session> session(String address, String password);
  }

  interface Session extends AutoCloseable {
    boolean write(long i) throws Exception;
  }

  static final class RedisData implements Data {
    @Override
    public void fill(String address, String password, int mb) throws IOException {
      // random values: what crosses a link (rsync and redis replication both compress) is what real data costs
      java.util.Random random = new java.util.Random(42);
      byte[] raw = new byte[7680];
      try (Resp r = new Resp(address, password)) {
        for (int i = 0; i < mb * 100; i++) {
          random.nextBytes(raw);
          r.call("SET", "fill:" + i, java.util.Base64.getEncoder().encodeToString(raw)); // 10 KiB
        }
      }
    }

    @Override
    public Callable<Session> session(String address, String password) {
      return () -> {
        Resp r = Resp.quick(address, password);
        return new Session() {
          @Override
          public boolean write(long i) throws IOException {
            return "OK".equals(r.call("SET", "w:" + i, "v"));
          }

          @Override
          public void close() throws IOException {
            r.close();
          }
        };
      };
    }
  }

  static final class PostgresData implements Data {
    static java.sql.Connection connect(String address, String password) throws java.sql.SQLException {
      java.util.Properties p = new java.util.Properties();
      p.setProperty("user", "app");
      p.setProperty("password", password);
      p.setProperty("connectTimeout", "2");
      p.setProperty("socketTimeout", "5");
      return java.sql.DriverManager.getConnection("jdbc:postgresql://" + address + ":5432/app", p);
    }

    @Override
    public void fill(String address, String password, int mb) throws java.sql.SQLException {
      try (java.sql.Connection c = connect(address, password); java.sql.Statement st = c.createStatement()) {
        st.setQueryTimeout(600);
        st.execute("SET statement_timeout = 0");
        c.setNetworkTimeout(Runnable::run, 600_000); // filling 100 MB takes longer than a writer's 5 s
        st.execute("CREATE TABLE fill (id BIGINT PRIMARY KEY, v TEXT)");
        st.execute("CREATE TABLE w (id BIGINT PRIMARY KEY)");
        // 10 KiB values that do not compress: the copy moves what it says
        st.execute("INSERT INTO fill SELECT i, (SELECT string_agg(md5(random()::text || i || j), '') FROM"
            + " generate_series(1, 320) j) FROM generate_series(1, " + (mb * 100) + ") i");
      }
    }

    @Override
    public Callable<Session> session(String address, String password) {
      return () -> {
        java.sql.Connection c = connect(address, password);
        java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO w VALUES (?) ON CONFLICT DO NOTHING");
        return new Session() {
          @Override
          public boolean write(long i) throws java.sql.SQLException {
            insert.setLong(1, i);
            insert.executeUpdate(); // autocommit: returns once the commit is acknowledged
            return true;
          }

          @Override
          public void close() throws java.sql.SQLException {
            c.close();
          }
        };
      };
    }
  }

  /**
   * Redis Sentinel on loopback: a primary and a replica (plain processes, no supervision), three
   * sentinels with quorum 2; kill -9 of the primary; time until a client that follows
   * {@code SENTINEL get-master-addr-by-name} gets a write accepted.
   */
  private void sentinel(int downAfterMs) throws Exception {
    Path dir = Files.createTempDirectory("cadre-sentinel");
    Path server = dir.resolve("redis-server");
    Files.createSymbolicLink(server, Path.of("/usr/bin/redis-check-rdb")); // the server binary under its name
    List<Process> processes = new ArrayList<>();
    try {
      Process primary = start(processes, server.toString(), "--port", "16379", "--save", "", "--dir", dir.toString());
      start(processes, server.toString(), "--port", "16380", "--save", "", "--dir", dir.toString(), "--replicaof",
          "127.0.0.1", "16379");
      for (int i = 0; i < 3; i++) {
        Path conf = dir.resolve("sentinel" + i + ".conf");
        Files.writeString(conf, "port " + (26379 + i) + "\ndir " + dir + "\nsentinel monitor m 127.0.0.1 16379 2\n"
            + "sentinel down-after-milliseconds m " + downAfterMs + "\nsentinel failover-timeout m 60000\n");
        start(processes, "/usr/bin/redis-sentinel", conf.toString());
      }
      awaitSet("127.0.0.1", 16379, Duration.ofSeconds(20));
      awaitSentinels(Duration.ofSeconds(60)); // a sentinel that has not seen the replica cannot fail over to it
      long killed = System.nanoTime();
      primary.destroyForcibly();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        try (Resp s = new Resp("127.0.0.1", 26379, null)) {
          Object addr = s.call("SENTINEL", "get-master-addr-by-name", "m");
          if (addr instanceof List<?> l && l.size() == 2) {
            int port = Integer.parseInt((String) l.get(1));
            try (Resp r = new Resp("127.0.0.1", port, null)) {
              if ("OK".equals(r.call("SET", "after", "1"))) {
                rows.add(new String[] {"redis-sentinel failover (down-after " + downAfterMs + " ms)", "-", "-",
                    Long.toString((System.nanoTime() - killed) / 1_000_000)});
                return;
              }
            } catch (IOException refused) {
              // the old primary's port is dead, or the replica is still read-only
            }
          }
        } catch (IOException notYet) {
          // sentinel busy
        }
        Thread.sleep(50);
      }
      rows.add(new String[] {"redis-sentinel failover (down-after " + downAfterMs + " ms)", "-", "-", "none in 3 min"});
    } finally {
      processes.forEach(Process::destroyForcibly);
      for (Process p : processes) {
        p.waitFor();
      }
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Until every sentinel knows the replica and the two other sentinels (they learn it every 10 s at most). */
  private static void awaitSentinels(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      int ready = 0;
      for (int i = 0; i < 3; i++) {
        try (Resp s = new Resp("127.0.0.1", 26379 + i, null)) {
          if (((List<?>) s.call("SENTINEL", "replicas", "m")).size() == 1
              && ((List<?>) s.call("SENTINEL", "sentinels", "m")).size() == 2) {
            ready++;
          }
        } catch (IOException | RuntimeException notYet) {
          // starting
        }
      }
      if (ready == 3) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the sentinels did not find each other and the replica within " + limit);
  }

  private static Process start(List<Process> processes, String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    processes.add(p);
    return p;
  }

  private static void awaitSet(String host, int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try (Resp r = new Resp(host, port, null)) {
        if ("OK".equals(r.call("SET", "before", "1"))) {
          return;
        }
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("redis on " + host + ":" + port + " did not start");
  }

  private void row(String what, String size, OperationView op, long longestGapMs) {
    rows.add(new String[] {what, size, Long.toString(Duration.between(op.created(), op.updated()).toMillis()),
        Long.toString(longestGapMs)});
  }

  private void awaitRunning(String app, String member, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      boolean running = plane.app(app).services().get(0).members().stream()
          .anyMatch(m -> m.name().equals(member) && m.state().equals("running"));
      if (running) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(member + " did not rejoin within " + limit);
  }

  static OperationView ok(CadreControlPlane plane, OperationView started) throws InterruptedException {
    OperationView end = plane.await(started.id(), Duration.ofMinutes(20));
    if (!"success".equals(end.status())) {
      end.steps().forEach(st -> System.out.println("  " + st.at() + " " + st.name() + " " + st.status() + " " + st.detail()));
      throw new IllegalStateException(end.kind() + " failed: " + end.error());
    }
    return end;
  }

  /** Runs the {@code lxc} CLI; throws with its output when it fails. */
  static void lxc(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("lxc"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
  }

  /** Writes in a loop through the service address; measures the longest stretch without an acknowledged write. */
  static final class Writer {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong lastAck = new AtomicLong(System.nanoTime());
    private final AtomicLong longest = new AtomicLong();
    private final AtomicLong firstAfter = new AtomicLong(Long.MAX_VALUE);
    private volatile long watchFrom = Long.MAX_VALUE;
    private final Thread thread;

    Writer(Callable<Session> sessions) {
      thread = new Thread(() -> {
        long i = 0;
        while (running.get()) {
          try (Session session = sessions.call()) {
            while (running.get()) {
              if (session.write(i++)) {
                long now = System.nanoTime();
                longest.accumulateAndGet(now - lastAck.getAndSet(now), Math::max);
                if (now > watchFrom) {
                  firstAfter.compareAndSet(Long.MAX_VALUE, now);
                }
              }
            }
          } catch (Exception e) {
            try {
              Thread.sleep(10);
            } catch (InterruptedException stop) {
              return;
            }
          }
        }
      }, "bench-writer");
      thread.setDaemon(true);
      thread.start();
    }

    /** The first acknowledged write after {@code from}, once the address refused writes in between. */
    long firstAckAfter(long from, Duration limit) throws InterruptedException {
      // writes acknowledged before the stop took effect do not count: wait for a refusal, then an ack
      long deadline = System.nanoTime() + limit.toNanos();
      long quietSince = 0;
      while (System.nanoTime() < deadline) {
        long idle = System.nanoTime() - lastAck.get();
        if (idle > 100_000_000L) {
          quietSince = lastAck.get();
          break;
        }
        Thread.sleep(5);
      }
      watchFrom = Math.max(from, quietSince);
      while (System.nanoTime() < deadline) {
        long t = firstAfter.get();
        if (t != Long.MAX_VALUE) {
          return t;
        }
        Thread.sleep(5);
      }
      throw new IllegalStateException("no write accepted within " + limit);
    }

    /** Stops writing; answers the longest stretch without an acknowledged write, in ms. */
    long stop() throws InterruptedException {
      long now = System.nanoTime();
      longest.accumulateAndGet(now - lastAck.get(), Math::max);
      running.set(false);
      thread.join(10_000);
      return longest.get() / 1_000_000;
    }
  }
}
