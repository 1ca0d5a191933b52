package dev.cadre.manager.lxd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.manager.AppRequest;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Roles of the real postgresql template on real LXD host 1, with a client that counts the transactions
 * PostgreSQL told it were committed, always through the service address: a single member converted to a
 * primary with a synchronous replica and back, a chosen replica promoted, a failover while the client
 * writes (the primary's container stopped by force) that loses no committed transaction, and the old
 * primary's return as a replica.
 */
class PostgresRolesIT extends RolesFixture {

  @Override
  String prefix() {
    return "pr";
  }

  @Test
  void postgresLosesNoCommittedTransactionAcrossConversionPromotionAndFailover() throws Exception {
    open();
    ok(plane.createApp(new AppRequest(app, "dc1", List.of(new ServiceRequest("db", "postgresql", null, null, null)),
        false)), 20);
    ServiceView s = service();
    String address = s.address();
    String password = s.secrets().get("password");
    assertNotNull(address);
    // psql, as an operator would, through the service address
    assertEquals(0, psqlWithPassword(address, password));

    try (Connection c = connect(address, password); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v TEXT)");
    }
    Writer first = new Writer(address, password, 0);
    Thread.sleep(1000);
    first.stop();
    assertTrue(first.committed.size() > 0, "the client wrote");

    Writer duringConvert = new Writer(address, password, 1_000_000);
    OperationView toRedundant = ok(plane.convertService(app, "db", "redundant"), 20);
    duringConvert.stop();
    print("convert to redundant", toRedundant);
    s = service();
    MemberView primary = member(s, "primary");
    MemberView replica = member(s, "replica");
    assertEquals(address, s.address());
    assertAllThere(address, password, first, duringConvert);
    awaitRows(replica.ip(), password, count(address, password));
    assertThrows(SQLException.class, () -> {
      try (Connection c = connect(replica.ip(), password); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t VALUES (-1, 'replica')");
      }
    }, "a replica refuses writes");

    Writer duringPromote = new Writer(address, password, 2_000_000);
    OperationView promoted = ok(plane.promoteMember(app, "db", replica.name()), 5);
    duringPromote.stop();
    print("promote", promoted);
    s = service();
    assertEquals(replica.name(), member(s, "primary").name());
    assertAllThere(address, password, first, duringConvert, duringPromote);
    System.out.printf("promote: %d commits during it, longest stretch without a commit %d ms%n",
        duringPromote.committed.size(), duringPromote.longestGapMs());

    // kill -9 of the postmaster: systemd brings PostgreSQL back (crash recovery from the WAL) before the
    // watch's grace ends, so there is no failover, and every committed row is there
    MemberView before = member(s, "primary");
    Writer duringCrash = new Writer(address, password, 5_000_000);
    Thread.sleep(300);
    lxc("exec", before.name(), "--", "systemctl", "kill", "--signal=KILL", "--kill-whom=main",
        "postgresql@15-main.service");
    Thread.sleep(5000);
    duringCrash.stop();
    s = service();
    assertEquals(before.name(), member(s, "primary").name(), "no failover when systemd repairs the process in time");
    assertTrue(events.stream().noneMatch(e -> "failover".equals(e.data().get("kind"))), "no failover operation");
    assertAllThere(address, password, duringCrash);
    System.out.printf("kill -9 of the postmaster: longest stretch without a commit %d ms, no failover%n",
        duringCrash.longestGapMs());

    // failover under a writing client: no committed transaction lost (synchronous replication)
    MemberView current = member(s, "primary");
    MemberView standby = member(s, "replica");
    awaitRows(standby.ip(), password, count(address, password));
    Writer duringFailover = new Writer(address, password, 3_000_000);
    Thread.sleep(500);
    long stopped = System.nanoTime();
    duringFailover.watchFrom(stopped);
    lxc("stop", "--force", current.name());
    OperationView failover = awaitOperation("failover", Duration.ofMinutes(2));
    long firstAfter;
    try {
      firstAfter = duringFailover.firstCommitAfter(Duration.ofSeconds(60));
    } catch (AssertionError e) {
      print("failover (no commit after it)", plane.operation(failover.id()));
      System.out.println("app: " + plane.app(app) + "\nwriter's last error: " + duringFailover.lastError);
      for (String[] cmd : new String[][] {{"lxc", "exec", standby.name(), "--", "ip", "-4", "addr", "show", "eth0"},
          {"lxc", "config", "device", "show", standby.name()}, {"ip", "neigh", "show", address},
          {"sh", "-c", "nft list ruleset | grep -n " + address},
          {"lxc", "exec", standby.name(), "--", "sh", "-c", "ss -ltnp; systemctl --no-pager status postgresql@15-main"
              + " | head -20; tail -n 30 /var/log/postgresql/*.log; journalctl -n 30 --no-pager"},
          {"sh", "-c", "PGPASSWORD=" + password + " PGCONNECT_TIMEOUT=3 timeout 10 psql -h " + address
              + " -U app -d app -c 'select 1' </dev/null 2>&1 | head -5"}}) {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        System.out.println("$ " + String.join(" ", cmd) + "\n" + new String(p.getInputStream().readAllBytes()));
        p.waitFor();
      }
      throw e;
    }
    duringFailover.stop();
    print("failover", failover);
    System.out.printf("failover: first commit at the service address %d ms after the primary's stop%n",
        (firstAfter - stopped) / 1_000_000);
    s = service();
    assertEquals(standby.name(), member(s, "primary").name());
    assertAllThere(address, password, first, duringConvert, duringPromote, duringCrash, duringFailover);

    // the old primary returns: a replica of the new one, with every row, refusing writes
    lxc("start", current.name());
    awaitState(current.name(), "running", Duration.ofMinutes(3));
    awaitRows(current.ip(), password, count(address, password));
    assertThrows(SQLException.class, () -> {
      try (Connection c = connect(current.ip(), password); Statement st = c.createStatement()) {
        st.execute("INSERT INTO t VALUES (-2, 'old primary')");
      }
    }, "the old primary never takes writes again as a second primary");

    Writer duringSingle = new Writer(address, password, 4_000_000);
    OperationView toSingle = ok(plane.convertService(app, "db", "single"), 5);
    duringSingle.stop();
    print("convert to single", toSingle);
    assertEquals(1, service().members().size());
    assertAllThere(address, password, first, duringConvert, duringPromote, duringCrash, duringFailover, duringSingle);
    try (Connection c = connect(address, password); Statement st = c.createStatement()) {
      st.execute("INSERT INTO t VALUES (-3, 'single again')");
    }
  }

  private static int psqlWithPassword(String address, String password) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("psql", "-h", address, "-U", "app", "-d", "app", "-tAc", "select 40 + 2");
    pb.environment().put("PGPASSWORD", password);
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    assertEquals("42", out);
    return p.waitFor();
  }

  static Connection connect(String host, String password) throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", "app");
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "2");
    p.setProperty("socketTimeout", "5");
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":5432/app", p);
  }

  static long count(String host, String password) throws SQLException {
    try (Connection c = connect(host, password); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT count(*) FROM t")) {
      r.next();
      return r.getLong(1);
    }
  }

  static void awaitRows(String host, String password, long atLeast) throws Exception {
    long seen = -1;
    for (int i = 0; i < 300; i++) {
      try {
        seen = count(host, password);
      } catch (SQLException e) {
        seen = -1;
      }
      if (seen >= atLeast) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(host + " has " + seen + " rows, expected at least " + atLeast);
  }

  /** Every id a writer was told was committed is in the table. */
  static void assertAllThere(String host, String password, Writer... writers) throws SQLException {
    try (Connection c = connect(host, password);
        PreparedStatement q = c.prepareStatement("SELECT count(*) FROM t WHERE id = ANY(?)")) {
      for (Writer w : writers) {
        Long[] ids = w.committed.toArray(Long[]::new);
        q.setArray(1, c.createArrayOf("bigint", ids));
        try (ResultSet r = q.executeQuery()) {
          r.next();
          assertEquals(ids.length, r.getLong(1), "every committed row of writer " + w.base);
        }
      }
    }
  }

  /** Inserts rows, each its own transaction, on a thread of its own; keeps the ids it was told were committed. */
  static final class Writer {
    final long base;
    final Set<Long> committed = ConcurrentHashMap.newKeySet();
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong lastCommit = new AtomicLong(System.nanoTime());
    final AtomicLong longestGap = new AtomicLong();
    final AtomicLong firstAfter = new AtomicLong(Long.MAX_VALUE);
    volatile long watchFrom = Long.MAX_VALUE;
    volatile String lastError;
    final Thread thread;

    Writer(String address, String password, long base) {
      this.base = base;
      thread = new Thread(() -> {
        long id = base;
        while (running.get()) {
          try (Connection c = connect(address, password);
              PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, 'v')")) {
            while (running.get()) {
              long mine = id++;
              insert.setLong(1, mine);
              insert.executeUpdate(); // autocommit: returns once the commit is acknowledged
              committed.add(mine);
              long now = System.nanoTime();
              long gap = now - lastCommit.getAndSet(now);
              longestGap.accumulateAndGet(gap, Math::max);
              // the first commit after the outage that began at watchFrom (one acknowledged just after
              // that instant, but sent before it, does not end an outage)
              if (now > watchFrom && gap > 300_000_000L) {
                firstAfter.compareAndSet(Long.MAX_VALUE, now);
              }
            }
          } catch (SQLException e) {
            lastError = e.toString();
            try {
              Thread.sleep(20);
            } catch (InterruptedException stop) {
              return;
            }
          }
        }
      }, "pg-writer-" + base);
      thread.setDaemon(true);
      thread.start();
    }

    /** From now on, the first commit after a stall counts (call it before the outage begins). */
    void watchFrom(long from) {
      watchFrom = from;
    }

    /**
     * The time of the first commit after the outage that began at {@link #watchFrom}: the writer may have
     * resumed long before this is called (a failover quicker than the operation's end event).
     */
    long firstCommitAfter(Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (System.nanoTime() < deadline) {
        if (firstAfter.get() != Long.MAX_VALUE) {
          return firstAfter.get();
        }
        Thread.sleep(5);
      }
      throw new AssertionError("no commit within " + limit + " (last error: " + lastError + ")");
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(15_000);
    }

    long longestGapMs() {
      return longestGap.get() / 1_000_000;
    }
  }
}
