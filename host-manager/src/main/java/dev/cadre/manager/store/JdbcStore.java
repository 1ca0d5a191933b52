package dev.cadre.manager.store;

import static dev.cadre.manager.store.Rows.MEMBER_COLUMNS;
import static dev.cadre.manager.store.Sql.clip;
import static dev.cadre.manager.store.Sql.json;
import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.one;
import static dev.cadre.manager.store.Sql.ts;
import static dev.cadre.manager.store.Sql.update;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.UnavailableException;
import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.StepStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * The store on JDBC: an embedded H2 file database by default, PostgreSQL by URL. Schema by Flyway.
 * Plumbing is in {@link Sql}, row mapping in {@link Rows}; addresses, and the servers with their lease,
 * have classes of their own.
 */
public final class JdbcStore implements Store {
  private final HikariDataSource pool;
  private final Sql sql;
  private final AddressRows addresses;
  private final LeaseRows leases;
  private final OperationRows operations;
  private final BackupRows backups;
  private final MoveRows moves;
  private final AccessRows access;
  private final String kind;
  private final String storeId;
  /** The server that joined through this store, if one did: closing the store is that server leaving. */
  private volatile String server;

  private JdbcStore(HikariDataSource pool, String kind) {
    this.pool = pool;
    this.sql = new Sql(pool);
    this.addresses = new AddressRows(sql);
    this.operations = new OperationRows(sql);
    this.leases = new LeaseRows(sql, !"h2".equals(kind));
    this.backups = new BackupRows(sql);
    this.moves = new MoveRows(sql);
    this.access = new AccessRows(sql);
    this.kind = kind;
    this.storeId = loadStoreId();
  }
  /** The embedded database in {@code dataDir} (a file {@code cadre.mv.db}). */
  public static JdbcStore embedded(Path dataDir, int poolSize) {
    // WRITE_DELAY=0: a commit reaches the file at once, so a kill -9 loses no committed row.
    // retry: (H2's FilePathRetryOnInterrupt, the same file as file:) reopens the file when a thread is interrupted
    // in the middle of a read or write; with plain file: that interrupt closes the file channel and H2 closes the
    // whole database, for every thread of the server (a lane's timeout or a close interrupting a store call).
    String url = "jdbc:h2:retry:" + dataDir.toAbsolutePath().resolve("cadre") + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000";
    return open(url, null, null, poolSize);
  }

  /** Any JDBC URL whose driver is on the class path; migrates the schema first. */
  public static JdbcStore open(String jdbcUrl, String user, String password, int poolSize) {
    return open(jdbcUrl, user, password, poolSize, null);
  }

  /**
   * As {@link #open(String, String, String, int)}, naming the connections {@code applicationName} on
   * PostgreSQL (unless the URL names them itself), so that an operator sees in {@code pg_stat_activity}
   * which server holds which backends, and can cut one server off the database alone.
   */
  public static JdbcStore open(String jdbcUrl, String user, String password, int poolSize, String applicationName) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    if (applicationName != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
      // a driver property: a parameter ApplicationName in the URL still wins
      config.addDataSourceProperty("ApplicationName", applicationName);
    }
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
    return sql.tx(c -> {
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
    return sql.tx(c -> one(c, "SELECT * FROM datacenters WHERE name = ?", Rows::datacenterRow, name));
  }

  @Override
  public List<DatacenterRecord> datacenters() {
    return sql.tx(c -> list(c, "SELECT * FROM datacenters ORDER BY name", Rows::datacenterRow));
  }

  @Override
  public void registerHost(DatacenterRecord dc, HostRecord host, OperationRecord operation) {
    sql.txVoid(c -> {
      Optional<DatacenterRecord> existing = one(c, "SELECT * FROM datacenters WHERE name = ?", Rows::datacenterRow,
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
      operations.insertOperation(c, operation);
    });
  }

  @Override
  public Optional<HostRecord> host(String name) {
    return sql.tx(c -> one(c, "SELECT * FROM hosts WHERE name = ?", Rows::hostRow, name));
  }

  @Override
  public List<HostRecord> hosts() {
    return sql.tx(c -> list(c, "SELECT * FROM hosts ORDER BY name", Rows::hostRow));
  }

  @Override
  public void updateHost(HostRecord h) {
    sql.txVoid(c -> update(c, "UPDATE hosts SET state = ?, cpus = ?, memory_bytes = ?, memory_used_bytes = ?,"
            + " disk_bytes = ?, disk_used_bytes = ?, last_error = ?, updated = ? WHERE name = ?",
        h.state(), h.cpus(), h.memoryBytes(), h.memoryUsedBytes(), h.diskBytes(), h.diskUsedBytes(),
        clip(h.lastError(), 4096), ts(h.updated()), h.name()));
  }

  @Override
  public boolean updateHost(HostRecord h, HostState expected) {
    return sql.tx(c -> update(c, "UPDATE hosts SET state = ?, cpus = ?, memory_bytes = ?, memory_used_bytes = ?,"
            + " disk_bytes = ?, disk_used_bytes = ?, last_error = ?, updated = ? WHERE name = ? AND state = ?",
        h.state(), h.cpus(), h.memoryBytes(), h.memoryUsedBytes(), h.diskBytes(), h.diskUsedBytes(),
        clip(h.lastError(), 4096), ts(h.updated()), h.name(), expected) > 0);
  }

  @Override
  public void deleteHost(String name) {
    sql.txVoid(c -> update(c, "DELETE FROM hosts WHERE name = ?", name));
  }

  @Override
  public Optional<String> hostFingerprint(String host) {
    return sql.tx(c -> one(c, "SELECT fingerprint FROM hosts WHERE name = ? AND fingerprint IS NOT NULL",
        r -> r.getString(1), host));
  }

  @Override
  public Map<String, String> hostFingerprints() {
    Map<String, String> pins = new java.util.TreeMap<>();
    sql.tx(c -> list(c, "SELECT name, fingerprint FROM hosts WHERE fingerprint IS NOT NULL",
        r -> new String[] {r.getString(1), r.getString(2)})).forEach(p -> pins.put(p[0], p[1]));
    return pins;
  }

  @Override
  public void pinHost(String host, String fingerprint) {
    sql.txVoid(c -> {
      if (update(c, "UPDATE hosts SET fingerprint = ? WHERE name = ?", fingerprint, host) == 0) {
        throw new dev.cadre.driver.NotFoundException(null, "host '" + host + "' not found");
      }
    });
  }

  // ---- apps

  @Override
  public void createApp(AppRecord app, List<ServiceRecord> services, List<MemberRecord> members, OperationRecord op) {
    sql.txVoid(c -> {
      try {
        update(c, "INSERT INTO apps (name, datacenter, state, keep_failed, created) VALUES (?,?,?,?,?)",
            app.name(), app.datacenter(), app.state(), app.keepFailed(), ts(app.created()));
      } catch (ConflictException e) {
        throw new ConflictException(null, "app '" + app.name() + "' already exists");
      }
      for (ServiceRecord s : services) {
        update(c, "INSERT INTO services (app, name, template, topology, config, secrets, state, address, operation_id, plan,"
                + " depends_on) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            s.app(), s.name(), s.template(), s.topology(), json(s.config()), json(s.secrets()), s.state(), s.address(),
            s.operationId(), s.plan(), Sql.jsonList(s.dependsOn()));
      }
      operations.insertOperation(c, op);
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
    return sql.tx(c -> one(c, "SELECT * FROM apps WHERE name = ?", Rows::appRow, name));
  }

  @Override
  public List<AppRecord> apps() {
    return sql.tx(c -> list(c, "SELECT * FROM apps ORDER BY name", Rows::appRow));
  }

  @Override
  public List<String> appNames() {
    return sql.tx(c -> list(c, "SELECT name FROM apps", r -> r.getString(1)));
  }

  @Override
  public AppRows apps(java.util.Collection<String> names) {
    if (names.isEmpty()) {
      return new AppRows(List.of(), List.of(), List.of());
    }
    Object[] args = names.toArray();
    String in = " IN (" + String.join(", ", java.util.Collections.nCopies(args.length, "?")) + ")";
    // one transaction: an app, its services and its members as they were together
    return sql.tx(c -> new AppRows(
        list(c, "SELECT * FROM apps WHERE name" + in + " ORDER BY name", Rows::appRow, args),
        list(c, "SELECT * FROM services WHERE app" + in + " ORDER BY app, name", Rows::serviceRow, args),
        list(c, "SELECT " + MEMBER_COLUMNS + " FROM members WHERE app" + in + " ORDER BY app, service, ordinal",
            Rows::memberRow, args)));
  }

  @Override
  public boolean changeAppState(String name, AppState expected, AppState state) {
    expected.to(state);
    return sql.tx(c -> update(c, "UPDATE apps SET state = ? WHERE name = ? AND state = ?", state, name, expected)) == 1;
  }

  @Override
  public void deleteApp(String name) {
    sql.txVoid(c -> {
      update(c, "DELETE FROM members WHERE app = ?", name);
      update(c, "DELETE FROM services WHERE app = ?", name);
      update(c, "DELETE FROM apps WHERE name = ?", name);
    });
  }

  @Override
  public List<ServiceRecord> services(String app) {
    return sql.tx(c -> list(c, "SELECT * FROM services WHERE app = ? ORDER BY name", Rows::serviceRow, app));
  }

  @Override
  public List<ServiceRecord> allServices() {
    return sql.tx(c -> list(c, "SELECT * FROM services ORDER BY app, name", Rows::serviceRow));
  }

  @Override
  public Optional<ServiceRecord> service(String app, String name) {
    return sql.tx(c -> one(c, "SELECT * FROM services WHERE app = ? AND name = ?", Rows::serviceRow, app, name));
  }

  @Override
  public List<ServiceRecord> servicesWithAddress() {
    return sql.tx(c -> list(c, "SELECT * FROM services WHERE address IS NOT NULL ORDER BY app, name", Rows::serviceRow));
  }

  @Override
  public void updateService(ServiceRecord s) {
    sql.txVoid(c -> update(c, "UPDATE services SET topology = ?, address = ? WHERE app = ? AND name = ?",
        s.topology(), s.address(), s.app(), s.name()));
  }

  @Override
  public void setServicePlan(String app, String name, String plan) {
    sql.txVoid(c -> update(c, "UPDATE services SET plan = ? WHERE app = ? AND name = ?", plan, app, name));
  }

  @Override
  public boolean changeServiceState(String app, String name, ServiceState expected, ServiceState state,
      String operationId) {
    expected.to(state);
    return sql.tx(c -> update(c, "UPDATE services SET state = ?, operation_id = ? WHERE app = ? AND name = ? AND state = ?",
        state, operationId, app, name, expected)) == 1;
  }

  @Override
  public void insertMembers(List<MemberRecord> members) {
    sql.txVoid(c -> {
      for (MemberRecord m : members) {
        try {
          insertMember(c, m);
        } catch (ConflictException e) {
          throw new ConflictException(null, "member name '" + m.name() + "' is taken");
        }
      }
    });
  }

  @Override
  public void setMemberRole(String name, String role) {
    sql.txVoid(c -> update(c, "UPDATE members SET role = ? WHERE name = ?", role, name));
  }

  @Override
  public List<MemberRecord> members(String app) {
    return sql.tx(c -> list(c, "SELECT " + MEMBER_COLUMNS + " FROM members WHERE app = ? ORDER BY service, ordinal", Rows::memberRow, app));
  }

  @Override
  public List<MemberRecord> allMembers() {
    return sql.tx(c -> list(c, "SELECT " + MEMBER_COLUMNS + " FROM members ORDER BY app, service, ordinal", Rows::memberRow));
  }

  @Override
  public List<HostUse> placedUse() {
    return sql.tx(c -> list(c, "SELECT host, SUM(cpus), SUM(memory_mib), SUM(disk_mib) FROM members WHERE state <> ?"
        + " GROUP BY host", r -> new HostUse(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4)),
        MemberState.FAILED.wire()));
  }

  @Override
  public Optional<MemberRecord> member(String name) {
    return sql.tx(c -> one(c, "SELECT " + MEMBER_COLUMNS + " FROM members WHERE name = ?", Rows::memberRow, name));
  }

  @Override
  public void updateMember(MemberRecord m) {
    sql.txVoid(c -> update(c, "UPDATE members SET state = ?, error = ?, ip = ? WHERE name = ?",
        m.state(), clip(m.error(), 8192), m.ip(), m.name()));
  }

  @Override
  public boolean changeMemberState(String name, MemberState expected, MemberState state, String error) {
    expected.to(state);
    return sql.tx(c -> update(c, "UPDATE members SET state = ?, error = ? WHERE name = ? AND state = ?",
        state, clip(error, 8192), name, expected)) == 1;
  }

  @Override
  public void setMemberHost(String name, String host) {
    sql.txVoid(c -> update(c, "UPDATE members SET host = ? WHERE name = ?", host, name));
  }

  @Override
  public void deleteMember(String name) {
    sql.txVoid(c -> update(c, "DELETE FROM members WHERE name = ?", name));
  }

  // ---- addresses

  @Override
  public boolean tryAllocate(String datacenter, String address, String member, Instant at) {
    return addresses.tryAllocate(datacenter, address, member, at);
  }

  @Override
  public Set<String> allocatedAddresses(String datacenter) {
    return addresses.allocated(datacenter);
  }


  @Override
  public int releaseAddresses(String member) {
    return addresses.release(member);
  }

  @Override
  public int releaseAddress(String member, String address) {
    return addresses.releaseOne(member, address);
  }

  @Override
  public void moveAddress(String member, String address, String holder, Instant at) {
    addresses.move(member, address, holder, at);
  }

  @Override
  public int releaseAddressesOf(String holder, Instant before) {
    return addresses.releaseOf(holder, before);
  }

  @Override
  public Map<String, Integer> addressesInUse() {
    return addresses.inUse();
  }

  @Override
  public int releaseUnownedAddresses() {
    return addresses.releaseUnowned();
  }

  // ---- moves (in MoveRows)

  @Override
  public void insertMoves(List<MoveRecord> rows) {
    moves.insert(rows);
  }

  @Override
  public List<MoveRecord> moves(String app) {
    return moves.of(app);
  }

  @Override
  public List<MoveRecord> allMoves() {
    return moves.all();
  }

  @Override
  public void deleteMoves(String app) {
    moves.delete(app);
  }

  @Override
  public void switchMove(String app, boolean toTarget) {
    moves.flip(app, toTarget);
  }

  // ---- operations and events (in OperationRows)

  @Override
  public void insertOperation(OperationRecord op) {
    operations.insertOperation(op);
  }

  @Override
  public boolean changeOperationStatus(String id, OperationStatus expected, OperationStatus status, int progress,
      String error, Instant at) {
    return operations.changeOperationStatus(id, expected, status, progress, error, at);
  }

  @Override
  public void setOperationProgress(String id, int progress, Instant at) {
    operations.setOperationProgress(id, progress, at);
  }

  @Override
  public Optional<OperationRecord> operation(String id) {
    return operations.operation(id);
  }

  @Override
  public List<OperationRecord> unfinishedOperations() {
    return operations.unfinishedOperations();
  }

  @Override
  public int countOperations(OperationStatus status) {
    return operations.countOperations(status);
  }

  @Override
  public boolean requestCancel(String id) {
    return operations.requestCancel(id);
  }

  @Override
  public boolean cancelRequested(String id) {
    return operations.cancelRequested(id);
  }

  @Override
  public void setOperationOwner(String id, String server) {
    operations.setOperationOwner(id, server);
  }

  @Override
  public boolean claimOperation(String id, String expected, String server) {
    return operations.claimOperation(id, expected, server);
  }

  @Override
  public String operationOwner(String id) {
    return operations.operationOwner(id);
  }

  @Override
  public long addStep(String operationId, StepRecord s) {
    return operations.addStep(operationId, s);
  }

  @Override
  public boolean updateStep(String operationId, long stepId, StepStatus status, String detail, Instant at) {
    return operations.updateStep(operationId, stepId, status, detail, at);
  }

  @Override
  public int endRunningSteps(String operationId, StepStatus status, Instant at) {
    return operations.endRunningSteps(operationId, status, at);
  }

  @Override
  public List<StepRecord> steps(String operationId) {
    return operations.steps(operationId);
  }

  @Override
  public long addEvent(String type, String subject, String data, Instant at) {
    return operations.addEvent(type, subject, data, at);
  }

  @Override
  public List<EventRecord> eventsAfter(long id, int limit) {
    return operations.eventsAfter(id, limit);
  }

  @Override
  public long lastEventId() {
    return operations.lastEventId();
  }

  @Override
  public int pruneEvents(Instant before, int batch) {
    return operations.pruneEvents(before, batch);
  }

  @Override
  public int pruneOperations(Instant before, int batch) {
    return operations.pruneOperations(before, batch);
  }

  @Override
  public void join(String server, String name) {
    leases.join(server, name);
    this.server = server;
    operations.owner(server);
  }

  @Override
  public void beat(String server, String name) {
    leases.beat(server, name);
  }

  @Override
  public boolean serverAlive(String server) {
    return leases.alive(server, EXPIRY);
  }

  @Override
  public long claimLease(String server, long held) {
    return leases.claim(server, held, EXPIRY);
  }

  @Override
  public boolean holdsLease(String server, long epoch) {
    return leases.holds(server, epoch);
  }

  @Override
  public void leave(String server) {
    leases.leave(server);
  }

  @Override
  public List<ServerRecord> servers() {
    return leases.servers(EXPIRY);
  }

  @Override
  public int forgetServers(java.time.Duration after) {
    return leases.forget(after);
  }

  @Override
  public <T> T placementLocked(java.util.function.Supplier<T> work) {
    // the row stays locked until this transaction ends, after the work's own writes have committed on
    // connections of their own: the next holder, on any server, reads them
    return sql.tx(c -> {
      one(c, "SELECT id FROM placement_lock WHERE id = 1 FOR UPDATE", r -> r.getInt(1));
      return work.get();
    });
  }

  @Override
  public void insertBackup(BackupRecord backup) {
    backups.insert(backup);
  }

  @Override
  public List<BackupRecord> backups(String app, String service) {
    return backups.of(app, service);
  }

  @Override
  public Optional<BackupRecord> backup(String id) {
    return backups.one(id);
  }

  @Override
  public void insertToken(TokenRecord token) {
    access.insertToken(token);
  }

  @Override
  public Optional<TokenRecord> tokenByHash(String hash) {
    return access.tokenByHash(hash);
  }

  @Override
  public Optional<TokenRecord> token(String id) {
    return access.token(id);
  }

  @Override
  public List<TokenRecord> tokens() {
    return access.tokens();
  }

  @Override
  public boolean deleteToken(String id) {
    return access.deleteToken(id);
  }

  @Override
  public long addAudit(AuditRecord entry) {
    return access.addAudit(entry);
  }

  @Override
  public List<AuditRecord> auditAfter(long after, int limit) {
    return access.auditAfter(after, limit);
  }

  @Override
  public void close() {
    String joined = server;
    if (joined != null) {
      try {
        leases.leave(joined); // the others see it gone at once, not when its heartbeat is stale
      } catch (RuntimeException e) {
        // the store is unreachable: its heartbeat goes stale and its lease expires all the same
      }
    }
    pool.close();
  }

}
