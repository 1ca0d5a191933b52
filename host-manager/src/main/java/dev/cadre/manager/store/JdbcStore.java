package dev.cadre.manager.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/** The store on JDBC: an embedded H2 file database by default, PostgreSQL by URL. Schema by Flyway. */
public final class JdbcStore implements Store {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DUPLICATE = "23505";

  private final HikariDataSource pool;
  private final String kind;
  private final String storeId;
  /** PostgreSQL: the connection that holds this server's advisory lock while the store is open. */
  private Connection serverLock;

  private JdbcStore(HikariDataSource pool, String kind) {
    this.pool = pool;
    this.kind = kind;
    this.storeId = loadStoreId();
  }

  /** The embedded database in {@code dataDir} (a file {@code cadre.mv.db}). */
  public static JdbcStore embedded(Path dataDir, int poolSize) {
    // WRITE_DELAY=0: a commit reaches the file at once, so a kill -9 loses no committed row
    String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("cadre") + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000";
    return open(url, null, null, poolSize);
  }

  /** Any JDBC URL whose driver is on the class path; migrates the schema first. */
  public static JdbcStore open(String jdbcUrl, String user, String password, int poolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (user != null) {
      config.setUsername(user);
      config.setPassword(password);
    }
    config.setMaximumPoolSize(Math.max(2, poolSize));
    config.setPoolName("cadre-store");
    config.setConnectionTimeout(10_000);
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new UnavailableException(null, "cannot open the store " + redact(jdbcUrl) + ": " + e.getMessage(), e);
    }
    try {
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new UnavailableException(null, "cannot migrate the store " + redact(jdbcUrl) + ": " + e.getMessage(), e);
    }
    return new JdbcStore(ds, jdbcUrl.startsWith("jdbc:postgresql:") ? "postgresql" : jdbcUrl.startsWith("jdbc:h2:") ? "h2" : "jdbc");
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)password=[^;&]*", "password=***");
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String storeId() {
    return storeId;
  }

  private String loadStoreId() {
    return tx(c -> {
      Optional<String> id = one(c, "SELECT meta_value FROM cadre_meta WHERE meta_key = 'store_id'", r -> r.getString(1));
      if (id.isPresent()) {
        return id.get();
      }
      String made = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      try {
        update(c, "INSERT INTO cadre_meta (meta_key, meta_value) VALUES ('store_id', ?)", made);
      } catch (ConflictException raced) {
        // another server made it first; PostgreSQL refuses further reads in this failed transaction
        c.rollback();
        return one(c, "SELECT meta_value FROM cadre_meta WHERE meta_key = 'store_id'", r -> r.getString(1)).orElseThrow();
      }
      return made;
    });
  }

  // ---- datacenters and hosts

  @Override
  public Optional<DatacenterRecord> datacenter(String name) {
    return tx(c -> one(c, "SELECT * FROM datacenters WHERE name = ?", JdbcStore::datacenterRow, name));
  }

  @Override
  public List<DatacenterRecord> datacenters() {
    return tx(c -> list(c, "SELECT * FROM datacenters ORDER BY name", JdbcStore::datacenterRow));
  }

  @Override
  public void registerHost(DatacenterRecord dc, HostRecord host, OperationRecord operation) {
    txVoid(c -> {
      Optional<DatacenterRecord> existing = one(c, "SELECT * FROM datacenters WHERE name = ?", JdbcStore::datacenterRow,
          dc.name());
      if (existing.isEmpty()) {
        update(c, "INSERT INTO datacenters (name, subnet, gateway, pool_start, pool_end, created) VALUES (?,?,?,?,?,?)",
            dc.name(), dc.subnet(), dc.gateway(), dc.poolStart(), dc.poolEnd(), ts(dc.created()));
      } else if (!existing.get().subnet().equals(dc.subnet()) || !existing.get().gateway().equals(dc.gateway())) {
        throw new ConflictException(host.name(), "network '" + host.network() + "' is " + dc.gateway() + " in "
            + dc.subnet() + " but datacenter '" + dc.name() + "' uses " + existing.get().gateway() + " in "
            + existing.get().subnet() + "; every host of a datacenter must share one network");
      }
      try {
        update(c, "INSERT INTO hosts (name, driver, endpoint, datacenter, network, state, cpus, memory_bytes,"
                + " memory_used_bytes, disk_bytes, disk_used_bytes, last_error, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            host.name(), host.driver(), host.endpoint(), host.datacenter(), host.network(), host.state(), host.cpus(),
            host.memoryBytes(), host.memoryUsedBytes(), host.diskBytes(), host.diskUsedBytes(), host.lastError(),
            ts(host.updated()));
      } catch (ConflictException e) {
        throw new ConflictException(null, "host '" + host.name() + "' is already registered");
      }
      insertOperation(c, operation);
    });
  }

  @Override
  public Optional<HostRecord> host(String name) {
    return tx(c -> one(c, "SELECT * FROM hosts WHERE name = ?", JdbcStore::hostRow, name));
  }

  @Override
  public List<HostRecord> hosts() {
    return tx(c -> list(c, "SELECT * FROM hosts ORDER BY name", JdbcStore::hostRow));
  }

  @Override
  public void updateHost(HostRecord h) {
    txVoid(c -> update(c, "UPDATE hosts SET state = ?, cpus = ?, memory_bytes = ?, memory_used_bytes = ?,"
            + " disk_bytes = ?, disk_used_bytes = ?, last_error = ?, updated = ? WHERE name = ?",
        h.state(), h.cpus(), h.memoryBytes(), h.memoryUsedBytes(), h.diskBytes(), h.diskUsedBytes(),
        clip(h.lastError(), 4096), ts(h.updated()), h.name()));
  }

  @Override
  public void deleteHost(String name) {
    txVoid(c -> update(c, "DELETE FROM hosts WHERE name = ?", name));
  }

  // ---- apps

  @Override
  public void createApp(AppRecord app, List<ServiceRecord> services, List<MemberRecord> members, OperationRecord op) {
    txVoid(c -> {
      try {
        update(c, "INSERT INTO apps (name, datacenter, state, keep_failed, created) VALUES (?,?,?,?,?)",
            app.name(), app.datacenter(), app.state(), app.keepFailed(), ts(app.created()));
      } catch (ConflictException e) {
        throw new ConflictException(null, "app '" + app.name() + "' already exists");
      }
      for (ServiceRecord s : services) {
        update(c, "INSERT INTO services (app, name, template, topology, config, secrets) VALUES (?,?,?,?,?,?)",
            s.app(), s.name(), s.template(), s.topology(), json(s.config()), json(s.secrets()));
      }
      insertOperation(c, op);
      for (MemberRecord m : members) {
        try {
          insertMember(c, m);
        } catch (ConflictException e) {
          throw new ConflictException(null, "member name '" + m.name() + "' is taken by another app;"
              + " choose other app or service names");
        }
      }
    });
  }

  private static void insertMember(Connection c, MemberRecord m) {
    update(c, "INSERT INTO members (name, app, service, ordinal, role, host, ip, state, error, cpus, memory_mib,"
            + " disk_mib, operation_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        m.name(), m.app(), m.service(), m.ordinal(), m.role(), m.host(), m.ip(), m.state(), clip(m.error(), 8192),
        m.cpus(), m.memoryMiB(), m.diskMiB(), m.operationId());
  }

  @Override
  public Optional<AppRecord> app(String name) {
    return tx(c -> one(c, "SELECT * FROM apps WHERE name = ?", JdbcStore::appRow, name));
  }

  @Override
  public List<AppRecord> apps() {
    return tx(c -> list(c, "SELECT * FROM apps ORDER BY name", JdbcStore::appRow));
  }

  @Override
  public void setAppState(String name, String state) {
    txVoid(c -> update(c, "UPDATE apps SET state = ? WHERE name = ?", state, name));
  }

  @Override
  public void deleteApp(String name) {
    txVoid(c -> {
      update(c, "DELETE FROM members WHERE app = ?", name);
      update(c, "DELETE FROM services WHERE app = ?", name);
      update(c, "DELETE FROM apps WHERE name = ?", name);
    });
  }

  @Override
  public List<ServiceRecord> services(String app) {
    return tx(c -> list(c, "SELECT * FROM services WHERE app = ? ORDER BY name", JdbcStore::serviceRow, app));
  }

  @Override
  public List<MemberRecord> members(String app) {
    return tx(c -> list(c, "SELECT " + MEMBER_COLUMNS + " FROM members WHERE app = ? ORDER BY service, ordinal", JdbcStore::memberRow, app));
  }

  @Override
  public List<MemberRecord> allMembers() {
    return tx(c -> list(c, "SELECT " + MEMBER_COLUMNS + " FROM members ORDER BY app, service, ordinal", JdbcStore::memberRow));
  }

  @Override
  public Optional<MemberRecord> member(String name) {
    return tx(c -> one(c, "SELECT " + MEMBER_COLUMNS + " FROM members WHERE name = ?", JdbcStore::memberRow, name));
  }

  @Override
  public void updateMember(MemberRecord m) {
    txVoid(c -> update(c, "UPDATE members SET state = ?, error = ?, ip = ? WHERE name = ?",
        m.state(), clip(m.error(), 8192), m.ip(), m.name()));
  }

  @Override
  public boolean changeMemberState(String name, String expected, String state, String error) {
    return tx(c -> update(c, "UPDATE members SET state = ?, error = ? WHERE name = ? AND state = ?",
        state, clip(error, 8192), name, expected)) == 1;
  }

  @Override
  public void setMemberHost(String name, String host) {
    txVoid(c -> update(c, "UPDATE members SET host = ? WHERE name = ?", host, name));
  }

  @Override
  public void deleteMember(String name) {
    txVoid(c -> update(c, "DELETE FROM members WHERE name = ?", name));
  }

  // ---- addresses

  @Override
  public boolean tryAllocate(String datacenter, String address, String member, Instant at) {
    try {
      txVoid(c -> update(c, "INSERT INTO ip_allocations (datacenter, address, member, allocated) VALUES (?,?,?,?)",
          datacenter, address, member, ts(at)));
      return true;
    } catch (ConflictException taken) {
      return false;
    }
  }

  @Override
  public Set<String> allocatedAddresses(String datacenter) {
    return tx(c -> new HashSet<>(list(c, "SELECT address FROM ip_allocations WHERE datacenter = ?",
        r -> r.getString(1), datacenter)));
  }

  @Override
  public Set<String> addressesOf(String member) {
    return tx(c -> new HashSet<>(list(c, "SELECT address FROM ip_allocations WHERE member = ?",
        r -> r.getString(1), member)));
  }

  @Override
  public int releaseAddresses(String member) {
    return tx(c -> update(c, "DELETE FROM ip_allocations WHERE member = ?", member));
  }

  @Override
  public void moveAddress(String member, String address, String holder, Instant at) {
    txVoid(c -> update(c, "UPDATE ip_allocations SET member = ?, allocated = ? WHERE member = ? AND address = ?",
        holder, ts(at), member, address));
  }

  @Override
  public int releaseAddressesOf(String holder, Instant before) {
    return tx(c -> update(c, "DELETE FROM ip_allocations WHERE member = ? AND allocated < ?", holder, ts(before)));
  }

  @Override
  public Map<String, Integer> addressesInUse() {
    return tx(c -> {
      Map<String, Integer> out = new TreeMap<>();
      list(c, "SELECT name FROM datacenters", r -> r.getString(1)).forEach(dc -> out.put(dc, 0));
      list(c, "SELECT datacenter, COUNT(*) FROM ip_allocations WHERE member NOT LIKE '~%' GROUP BY datacenter",
          r -> Map.entry(r.getString(1), r.getInt(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    });
  }

  @Override
  public int releaseUnownedAddresses() {
    // quarantined addresses ('~' holders) are not owned by a member on purpose
    return tx(c -> update(c,
        "DELETE FROM ip_allocations WHERE member NOT LIKE '~%' AND member NOT IN (SELECT name FROM members)"));
  }

  // ---- operations

  @Override
  public void insertOperation(OperationRecord op) {
    txVoid(c -> insertOperation(c, op));
  }

  private static void insertOperation(Connection c, OperationRecord op) {
    update(c, "INSERT INTO operations (id, kind, target, status, progress, error, created, updated) VALUES (?,?,?,?,?,?,?,?)",
        op.id(), op.kind(), op.target(), op.status(), op.progress(), clip(op.error(), 16384), ts(op.created()),
        ts(op.updated()));
  }

  @Override
  public void updateOperation(String id, String status, int progress, String error, Instant at) {
    txVoid(c -> update(c, "UPDATE operations SET status = ?, progress = ?, error = ?, updated = ? WHERE id = ?",
        status, progress, clip(error, 16384), ts(at), id));
  }

  @Override
  public Optional<OperationRecord> operation(String id) {
    return tx(c -> one(c, "SELECT * FROM operations WHERE id = ?", JdbcStore::operationRow, id));
  }

  @Override
  public List<OperationRecord> unfinishedOperations() {
    return tx(c -> list(c, "SELECT * FROM operations WHERE status IN ('pending', 'running') ORDER BY created",
        JdbcStore::operationRow));
  }

  @Override
  public int countOperations(String status) {
    return tx(c -> one(c, "SELECT COUNT(*) FROM operations WHERE status = ?", r -> r.getInt(1), status).orElse(0));
  }

  @Override
  public void setOperationOwner(String id, String server) {
    txVoid(c -> update(c, "UPDATE operations SET owner = ? WHERE id = ?", server, id));
  }

  @Override
  public String operationOwner(String id) {
    return tx(c -> {
      // the owner may be NULL, which Optional cannot carry
      List<String[]> rows = list(c, "SELECT owner FROM operations WHERE id = ?", r -> new String[] {r.getString(1)}, id);
      return rows.isEmpty() ? null : rows.get(0)[0];
    });
  }

  @Override
  public synchronized void holdServerLock(String server) {
    if (!"postgresql".equals(kind) || serverLock != null) {
      return;
    }
    try {
      Connection c = java.sql.DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
        ps.setString(1, "cadre-server:" + server);
        ps.execute();
      }
      serverLock = c;
    } catch (SQLException e) {
      throw new UnavailableException(null, "store: cannot take this server's lock: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean serverAlive(String server) {
    if (!"postgresql".equals(kind)) {
      return false; // the embedded database has one server: whoever ran before is gone
    }
    return tx(c -> {
      boolean got = one(c, "SELECT pg_try_advisory_lock(hashtext(?))", r -> r.getBoolean(1), "cadre-server:" + server)
          .orElse(false);
      if (got) {
        one(c, "SELECT pg_advisory_unlock(hashtext(?))", r -> r.getBoolean(1), "cadre-server:" + server);
      }
      return !got;
    });
  }

  @Override
  public void addStep(String operationId, StepRecord s) {
    txVoid(c -> update(c, "INSERT INTO operation_steps (operation_id, name, status, detail, at) VALUES (?,?,?,?,?)",
        operationId, clip(s.name(), 256), s.status(), clip(s.detail(), 16384), ts(s.at())));
  }

  @Override
  public List<StepRecord> steps(String operationId) {
    return tx(c -> list(c, "SELECT * FROM operation_steps WHERE operation_id = ? ORDER BY id",
        r -> new StepRecord(r.getString("name"), r.getString("status"), r.getString("detail"), instant(r, "at")),
        operationId));
  }

  // ---- events

  @Override
  public long addEvent(String type, String subject, String data, Instant at) {
    return tx(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (type, subject, data, at) VALUES (?,?,?,?)",
          Statement.RETURN_GENERATED_KEYS)) {
        bind(ps, type, clip(subject, 256), data, ts(at));
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          return keys.getLong(1);
        }
      }
    });
  }

  @Override
  public List<EventRecord> eventsAfter(long id, int limit) {
    return tx(c -> list(c, "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT " + Math.max(1, limit),
        r -> new EventRecord(r.getLong("id"), r.getString("type"), r.getString("subject"), r.getString("data"),
            instant(r, "at")), id));
  }

  @Override
  public synchronized void close() {
    if (serverLock != null) {
      try {
        serverLock.close();
      } catch (SQLException ignored) {
        // the lock goes with the session
      }
      serverLock = null;
    }
    pool.close();
  }

  // ---- rows

  private static DatacenterRecord datacenterRow(ResultSet r) throws SQLException {
    return new DatacenterRecord(r.getString("name"), r.getString("subnet"), r.getString("gateway"),
        r.getString("pool_start"), r.getString("pool_end"), instant(r, "created"));
  }

  private static HostRecord hostRow(ResultSet r) throws SQLException {
    return new HostRecord(r.getString("name"), r.getString("driver"), r.getString("endpoint"), r.getString("datacenter"),
        r.getString("network"), r.getString("state"), r.getInt("cpus"), r.getLong("memory_bytes"),
        r.getLong("memory_used_bytes"), r.getLong("disk_bytes"), r.getLong("disk_used_bytes"), r.getString("last_error"),
        instant(r, "updated"));
  }

  private static AppRecord appRow(ResultSet r) throws SQLException {
    return new AppRecord(r.getString("name"), r.getString("datacenter"), r.getString("state"),
        r.getBoolean("keep_failed"), instant(r, "created"));
  }

  private static ServiceRecord serviceRow(ResultSet r) throws SQLException {
    return new ServiceRecord(r.getString("app"), r.getString("name"), r.getString("template"), r.getString("topology"),
        map(r.getString("config")), map(r.getString("secrets")));
  }

  /** Members are read by position: looking columns up by label per row was most of a large app's read time. */
  private static final String MEMBER_COLUMNS =
      "name, app, service, ordinal, role, host, ip, state, error, cpus, memory_mib, disk_mib, operation_id";

  private static MemberRecord memberRow(ResultSet r) throws SQLException {
    return new MemberRecord(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getString(5),
        r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getInt(10), r.getLong(11), r.getLong(12),
        r.getString(13));
  }

  private static OperationRecord operationRow(ResultSet r) throws SQLException {
    return new OperationRecord(r.getString("id"), r.getString("kind"), r.getString("target"), r.getString("status"),
        r.getInt("progress"), r.getString("error"), instant(r, "created"), instant(r, "updated"));
  }

  // ---- plumbing

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface VoidWork {
    void run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface Row<T> {
    T map(ResultSet r) throws SQLException;
  }

  private <T> T tx(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (DUPLICATE.equals(e.getSQLState())) {
        throw new ConflictException(null, "already exists: " + e.getMessage(), e);
      }
      throw new UnavailableException(null, "store: " + e.getMessage(), e);
    }
  }

  private void txVoid(VoidWork work) {
    tx(c -> {
      work.run(c);
      return null;
    });
  }

  private static int update(Connection c, String sql, Object... args) {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    } catch (SQLException e) {
      if (DUPLICATE.equals(e.getSQLState())) {
        throw new ConflictException(null, "already exists", e);
      }
      throw new UnavailableException(null, "store: " + e.getMessage(), e);
    }
  }

  private static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    List<T> all = list(c, sql, row, args);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  private static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet r = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (r.next()) {
          out.add(row.map(r));
        }
        return out;
      }
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }

  private static Timestamp ts(Instant at) {
    return Timestamp.from(at == null ? Instant.now() : at);
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    Timestamp t = r.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  private static String json(Map<String, String> map) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(map));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> map(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
