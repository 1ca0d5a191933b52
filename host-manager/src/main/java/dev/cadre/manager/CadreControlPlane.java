package dev.cadre.manager;

import dev.cadre.manager.apps.Apps;
import dev.cadre.manager.backups.BackupWork;
import dev.cadre.manager.backups.Backups;
import dev.cadre.manager.background.BackgroundWork;
import dev.cadre.manager.background.Leadership;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.hooks.Dependencies;
import dev.cadre.manager.hosts.Drains;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.hosts.HostProber;
import dev.cadre.manager.hosts.HostRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.provisioning.AppWorkflows;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.manager.provisioning.HealthMonitor;
import dev.cadre.manager.provisioning.HostImages;
import dev.cadre.manager.provisioning.MemberEvents;
import dev.cadre.manager.provisioning.MemberProvisioner;
import dev.cadre.manager.provisioning.Recovery;
import dev.cadre.manager.roles.FailoverWatch;
import dev.cadre.manager.roles.RoleChanges;
import dev.cadre.manager.roles.Roles;
import dev.cadre.manager.roles.ServiceAddresses;
import dev.cadre.manager.scheduling.Placement;
import dev.cadre.manager.secrets.Secrets;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The control plane's facade: it wires the parts and delegates to them (hosts to {@link HostRegistry} and
 * {@link Drains}, apps to {@link Apps}, operations to {@link Operations}). {@link #open} recovers what an
 * earlier run left unfinished before it answers.
 */
public final class CadreControlPlane implements ControlPlane {
  public static final String VERSION = "0.1.0";
  /** How long {@code GET /v1} still lists a server that stopped beating, before its row is removed. */
  static final Duration FORGET_SERVERS_AFTER = Duration.ofMinutes(10);

  private enum Lifecycle { STARTED, CLOSED }

  private final ControlPlaneConfig config;
  private final Store store;
  private final TemplateCatalog templates;
  private final EventBus events;
  private final DriverRegistry drivers;
  private final Operations operations;
  private final Ipam ipam;
  private final HostRegistry hostRegistry;
  private final Drains drains;
  private final Apps apps;
  private final Backups backups;
  private final HostProber prober;
  private final HealthMonitor health;
  private final Recovery recovery;
  private final Roles roles;
  private final dev.cadre.manager.moves.Moves moves;
  private final FailoverWatch watch;
  private final BackgroundWork work;
  private final Leadership leadership;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.STARTED);

  /** Wires the parts along the data path: request -> operation -> workflow -> driver -> agent. */
  private CadreControlPlane(ControlPlaneConfig config, Store store, String server) {
    this.config = config;
    this.store = store;
    Clock clock = config.clock();
    this.templates = config.templates();
    this.events = new EventBus(store, clock);
    this.drivers = new DriverRegistry(config.factories(), store, config.dataDir().resolve("drivers"));
    this.work = new BackgroundWork(BackgroundWork.Limits.of(config.tuning()));
    // taking the lease starts the background rounds at once (they run only on the server that leads)
    this.leadership = new Leadership(store, server, java.lang.management.ManagementFactory.getRuntimeMXBean().getName(),
        work::runNow);
    this.operations = new Operations(store, events, clock, work.operations(), server);
    this.ipam = new Ipam(store, clock);
    HostImages hostImages = new HostImages(config.images());
    MemberEvents memberEvents = new MemberEvents(store, events);
    Containers containers = new Containers(drivers, store.storeId());
    Dependencies dependencies = new Dependencies(store, templates);
    MemberProvisioner provisioner = new MemberProvisioner(drivers, hostImages, config.hooks(), memberEvents, containers,
        ipam, config.tuning(), clock, dependencies);
    ServiceAddresses serviceAddresses = new ServiceAddresses(store, ipam, drivers);
    AppWorkflows workflows = new AppWorkflows(store, ipam, templates, provisioner, memberEvents, containers, work.members(),
        serviceAddresses);
    Placement placement = new Placement(store, config.tuning().cpuOvercommit());
    RoleChanges roleChanges = new RoleChanges(store, templates, drivers, config.hooks(), serviceAddresses, memberEvents,
        provisioner, workflows, ipam, work.members(), config.tuning(), clock, dependencies);
    this.roles = new Roles(store, templates, placement, operations, roleChanges, clock);
    this.watch = new FailoverWatch(store, drivers, config.hooks(), roles, work.watch(), config.tuning(), clock);
    this.hostRegistry = new HostRegistry(store, drivers, operations, events, placement, hostImages::forget, clock,
        config.endpoints());
    this.drains = new Drains(store, hostRegistry, placement, operations, workflows, clock);
    dev.cadre.manager.moves.AppMove appMove = new dev.cadre.manager.moves.AppMove(store, templates, drivers, ipam,
        provisioner.move(), work.members(), roleChanges);
    this.moves = new dev.cadre.manager.moves.Moves(store, templates, placement, ipam, drivers, operations, workflows,
        provisioner.move(), appMove);
    this.apps = new Apps(store, templates, new Secrets(), placement, ipam, operations, workflows, clock);
    // a failed restore deletes the app it made: the plane's own undo, so no actor
    this.backups = new Backups(store, templates, operations, apps, new BackupWork(store, drivers, config.hooks(),
        dependencies, config.backupDir(), operations, app -> apps.delete(app, null), clock));
    this.prober = new HostProber(store, drivers, events, clock, work.probes(), config.tuning().probeTimeout());
    this.health = new HealthMonitor(store, drivers, config.hooks(), memberEvents, config.tuning(), clock, work.health());
    this.recovery = new Recovery(store, drivers, containers, ipam, memberEvents, operations, workflows, clock,
        appMove::resume);
    leadership.start();
    try {
      // what earlier runs left is the leader's to recover: a server that starts beside a live leader leaves
      // it to that leader's rounds (and never takes a live server's operations: see Recovery)
      if (leadership.leads()) {
        recovery.run(true, leadership::holds);
      }
    } catch (RuntimeException e) {
      leadership.close(); // the caller closes the store: nothing is left beating
      throw e;
    }
  }

  /**
   * Opens the store (migrating its schema), recovers what an earlier run left unfinished, and starts
   * probing hosts. The caller closes it.
   */
  public static CadreControlPlane open(ControlPlaneConfig config) {
    try {
      Files.createDirectories(config.dataDir().resolve("drivers"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + config.dataDir(), e);
    }
    String server = java.util.UUID.randomUUID().toString();
    // on PostgreSQL this server's backends carry its id (pg_stat_activity.application_name)
    Store store = config.jdbcUrl() == null
        ? JdbcStore.embedded(config.dataDir(), config.tuning().storePoolSize())
        : JdbcStore.open(config.jdbcUrl(), null, null, config.tuning().storePoolSize(), "cadre-" + server);
    try {
      CadreControlPlane plane = new CadreControlPlane(config, store, server);
      plane.startProbing();
      return plane;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * The background rounds, on every server; each does its work only while this server holds the lease of
   * background work, and checks it again before each action (see {@link Leadership}).
   */
  private void startProbing() {
    Duration every = config.tuning().probeInterval();
    work.every("probe", every, () -> prober.probeAll(leadership::holds));
    work.every("health", every, () -> health.checkAll(leadership::holds));
    work.every("watch", config.tuning().watchInterval(), () -> watch.round(leadership::holds));
    // off the request threads, at start and then hourly
    var retention = new dev.cadre.manager.operations.Retention(store, config.clock(), config.tuning().retention());
    work.every("retention", dev.cadre.manager.operations.Retention.EVERY, () -> {
      if (leadership.holds()) {
        retention.run();
      }
    });
    work.every("upkeep", every, () -> {
      recovery.run(false, leadership::holds);
      recovery.sweepContainers(leadership::holds);
      if (leadership.holds()) {
        ipam.releaseQuarantined();
        store.forgetServers(FORGET_SERVERS_AFTER);
      }
    });
  }

  // ---- hosts

  @Override
  public OperationView registerHost(HostRequest r, String actor) {
    requireOpen();
    return hostRegistry.register(r, actor);
  }

  @Override
  public List<HostView> hosts() {
    return hostRegistry.all();
  }

  @Override
  public HostView host(String name) {
    return hostRegistry.one(name);
  }

  @Override
  public OperationView removeHost(String name, String actor) {
    requireOpen();
    return hostRegistry.remove(name, actor);
  }

  @Override
  public OperationView drainHost(String name, String actor) {
    requireOpen();
    return drains.drain(name, actor);
  }

  @Override
  public OperationView trustHost(String name, String fingerprint, String trust, String actor) {
    requireOpen();
    return hostRegistry.trust(name, fingerprint, trust, actor);
  }

  @Override
  public OperationView resumeHost(String name, String actor) {
    requireOpen();
    return drains.resume(name, actor);
  }

  // ---- templates

  @Override
  public List<TemplateView> templates() {
    return templates.all().stream().map(t -> new TemplateView(t.name(), t.description(), t.plan())).toList();
  }

  // ---- apps

  @Override
  public OperationView createApp(AppRequest r, String actor) {
    requireOpen();
    return apps.create(r, actor);
  }

  @Override
  public List<AppView> apps() {
    return apps.all();
  }

  @Override
  public List<String> appNames() {
    return apps.names();
  }

  @Override
  public List<AppView> apps(List<String> names) {
    return apps.some(names);
  }

  @Override
  public AppView app(String name) {
    return apps.one(name);
  }

  @Override
  public OperationView deleteApp(String name, String actor) {
    requireOpen();
    return apps.delete(name, actor);
  }

  // ---- backups

  @Override
  public OperationView backupService(String app, String service, String actor) {
    requireOpen();
    return backups.backup(app, service, actor);
  }

  @Override
  public List<BackupView> backups(String app, String service) {
    return backups.list(app, service);
  }

  @Override
  public OperationView restoreBackup(String app, String service, String id, RestoreRequest to, String actor) {
    requireOpen();
    return backups.restore(app, service, id, to, actor);
  }

  // ---- roles

  @Override
  public OperationView convertService(String app, String service, String topology, String actor) {
    requireOpen();
    return roles.convert(app, service, topology, actor);
  }

  @Override
  public OperationView promoteMember(String app, String service, String member, String actor) {
    requireOpen();
    return roles.promote(app, service, member, actor);
  }

  // ---- moves

  @Override
  public MovePlan planMove(String app, String datacenter, String method) {
    requireOpen();
    return moves.plan(app, datacenter, method);
  }

  @Override
  public OperationView moveApp(String app, String datacenter, String method, String actor) {
    requireOpen();
    return moves.move(app, datacenter, method, actor);
  }

  /** Looks at every redundant service's primary now (the watch does it every {@link Tuning#watchInterval()}). */
  public void watchPrimaries() {
    watch.round();
  }

  // ---- operations and events

  @Override
  public OperationView operation(String id) {
    return operations.view(id);
  }

  @Override
  public OperationView await(String id, Duration timeout) throws InterruptedException {
    return operations.await(id, timeout == null ? Duration.ZERO : timeout);
  }

  @Override
  public OperationView cancel(String id) {
    return operations.cancel(id);
  }

  @Override
  public AutoCloseable subscribe(java.util.function.Consumer<EventView> listener) {
    return events.subscribe(listener);
  }

  @Override
  public AutoCloseable subscribe(long after, java.util.function.Consumer<EventView> listener) {
    return events.subscribe(after, listener);
  }

  @Override
  public dev.cadre.manager.store.AccessStore access() {
    return store;
  }

  @Override
  public Summary summary() {
    return new Summary(VERSION, store.kind(), store.datacenters().size(), store.hosts().size(), store.apps().size(),
        store.allMembers().size(), store.countOperations(OperationStatus.RUNNING) + store.countOperations(OperationStatus.PENDING));
  }

  @Override
  public List<ServerView> servers() {
    return store.servers().stream().map(s -> new ServerView(s.id(), s.name(), s.started(), s.heartbeat(), s.alive(),
        s.leader(), s.epoch(), s.id().equals(leadership.server()))).toList();
  }

  /** Which server leads background work, as this server sees it (tests and drills suspend it here). */
  public Leadership leadership() {
    return leadership;
  }

  @Override
  public Map<String, Integer> addressesInUse() {
    return store.addressesInUse();
  }

  /**
   * Rolls back the unfinished operations of servers that are gone (servers sharing a PostgreSQL store), now,
   * whether or not this server leads; the leader's background round does it every
   * {@link Tuning#probeInterval()}. Answers how many.
   */
  public int recoverDeadServers() {
    return recovery.run(false);
  }

  /** Runs the health hook of every running member now; answers how many changed state. */
  public int checkHealth() {
    return health.checkAll();
  }

  /** Probes every host now (the background prober does it every {@link Tuning#probeInterval()}). */
  public void probeHosts() {
    prober.probeAll();
  }

  /** The store underneath, for tests and the server's health check. */
  public Store store() {
    return store;
  }

  private void requireOpen() {
    if (lifecycle.get() != Lifecycle.STARTED) {
      throw new dev.cadre.driver.UnavailableException(null, "the control plane is closed");
    }
  }

  @Override
  public void close() {
    if (!lifecycle.compareAndSet(Lifecycle.STARTED, Lifecycle.CLOSED)) {
      return;
    }
    leadership.close();
    work.stopBackground(Duration.ofSeconds(2));
    operations.shutdown(Duration.ofSeconds(5));
    work.close();
    events.close();
    drivers.close();
    store.close();
  }
}
