package dev.cadre.manager;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostInfo;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NetworkInfo;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.Validation;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.hosts.HostProber;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.provisioning.AppWorkflows;
import dev.cadre.manager.provisioning.Containers;
import dev.cadre.manager.provisioning.HealthMonitor;
import dev.cadre.manager.provisioning.HostImages;
import dev.cadre.manager.provisioning.MemberEvents;
import dev.cadre.manager.provisioning.MemberProvisioner;
import dev.cadre.manager.provisioning.Recovery;
import dev.cadre.manager.scheduling.HostCapacity;
import dev.cadre.manager.scheduling.Need;
import dev.cadre.manager.scheduling.Scheduler;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.DatacenterRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.JdbcStore;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.Template;
import dev.cadre.templates.TemplateCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane: validates requests, places members, stores the desired state with a durable
 * operation, and runs the work in the background. {@link #open} recovers what an earlier run left
 * unfinished before it answers.
 */
public final class CadreControlPlane implements ControlPlane {
  private static final Logger LOG = LoggerFactory.getLogger(CadreControlPlane.class);
  public static final String VERSION = "0.1.0";
  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private enum Lifecycle { STARTED, CLOSED }

  private final ControlPlaneConfig config;
  private final Store store;
  private final Clock clock;
  private final TemplateCatalog templates;
  private final EventBus events;
  private final DriverRegistry drivers;
  private final Operations operations;
  private final Ipam ipam;
  private final HostImages hostImages;
  private final AppWorkflows workflows;
  private final HostProber prober;
  private final HealthMonitor health;
  private final Recovery recovery;
  private final ExecutorService memberPool;
  private final ScheduledExecutorService background;
  private final Object placement = new Object();
  /** App name -> the id of the operation working on it, so that a delete can stop a create first. */
  private final Map<String, String> activeApps = new java.util.concurrent.ConcurrentHashMap<>();
  /** Host name -> the id of the drain working on it. */
  private final Map<String, String> activeHosts = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.STARTED);
  private final SecureRandom random = new SecureRandom();

  private CadreControlPlane(ControlPlaneConfig config, Store store) {
    this.config = config;
    this.store = store;
    this.clock = config.clock();
    this.templates = config.templates();
    this.events = new EventBus(store, clock);
    this.drivers = new DriverRegistry(config.factories(), store, config.dataDir().resolve("drivers"));
    String server = java.util.UUID.randomUUID().toString();
    store.holdServerLock(server);
    this.operations = new Operations(store, events, clock, Executors.newCachedThreadPool(threads("cadre-op")), server);
    this.ipam = new Ipam(store, clock);
    this.hostImages = new HostImages(config.images());
    this.memberPool = Executors.newFixedThreadPool(config.tuning().provisionThreads(), threads("cadre-member"));
    MemberEvents memberEvents = new MemberEvents(store, events);
    Containers containers = new Containers(drivers, store.storeId());
    MemberProvisioner provisioner = new MemberProvisioner(drivers, hostImages, config.hooks(), memberEvents, containers,
        ipam, config.tuning(), clock);
    this.workflows = new AppWorkflows(store, ipam, templates, provisioner, memberEvents, containers, memberPool);
    this.prober = new HostProber(store, drivers, events, clock);
    this.background = Executors.newSingleThreadScheduledExecutor(threads("cadre-prober"));
    this.health = new HealthMonitor(store, drivers, config.hooks(), memberEvents, config.tuning(), clock, memberPool);
    this.recovery = new Recovery(store, drivers, containers, ipam, memberEvents, operations, workflows, clock);
    recovery.run();
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
    Store store = config.jdbcUrl() == null
        ? JdbcStore.embedded(config.dataDir(), config.tuning().storePoolSize())
        : JdbcStore.open(config.jdbcUrl(), null, null, config.tuning().storePoolSize());
    try {
      CadreControlPlane plane = new CadreControlPlane(config, store);
      plane.startProbing();
      return plane;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private void startProbing() {
    long every = Math.max(1, config.tuning().probeInterval().toMillis());
    background.scheduleWithFixedDelay(() -> {
      try {
        prober.probeAll();
        recovery.run(false);
        recovery.sweepContainers();
        ipam.releaseQuarantined();
        health.checkAll();
      } catch (RuntimeException e) {
        LOG.warn("background round failed: {}", e.toString());
      }
    }, 0, every, TimeUnit.MILLISECONDS);
  }

  // ---- hosts

  @Override
  public OperationView registerHost(HostRequest r) {
    requireOpen();
    if (r == null) {
      throw new InvalidInputException(null, "a host request is required");
    }
    Names.require("host", r.name());
    drivers.factory(r.driver());
    if (r.endpoint() == null || r.endpoint().isBlank() || r.endpoint().length() > 512) {
      throw new InvalidInputException(null, "endpoint is required (at most 512 characters), e.g. unix:///var/lib/lxd/unix.socket");
    }
    Names.require("datacenter", r.datacenter());
    Validation.requireNetworkName(r.network());
    if (r.trust() != null && r.trust().length() > 1024) {
      throw new InvalidInputException(null, "trust must be at most 1024 characters");
    }
    if (store.host(r.name()).isPresent()) {
      throw new ConflictException(null, "host '" + r.name() + "' is already registered");
    }
    for (HostRecord h : store.hosts()) {
      if (h.endpoint().equals(r.endpoint())) {
        throw new ConflictException(null, "endpoint " + r.endpoint() + " is already registered as host '" + h.name() + "'");
      }
    }
    HostDriver driver = drivers.openNew(r.name(), r.driver(), r.endpoint(), r.trust());
    try {
      HostInfo info = driver.probe();
      NetworkInfo net = info.networks().stream().filter(n -> n.name().equals(r.network())).findFirst()
          .orElseThrow(() -> new InvalidInputException(r.name(), "host has no network '" + r.network() + "'; it has: "
              + info.networks().stream().map(NetworkInfo::name).collect(Collectors.joining(", "))));
      if (net.ipv4Cidr() == null || net.ipv4Cidr().isBlank()) {
        throw new InvalidInputException(r.name(), "network '" + r.network() + "' has no IPv4 address; cadre needs a"
            + " managed network with an explicit subnet");
      }
      DatacenterRecord dc = Ipam.datacenterFor(r.datacenter(), net.ipv4Cidr(), clock);
      HostRecord host = new HostRecord(r.name(), r.driver(), r.endpoint(), r.datacenter(), r.network(), "ready",
          info.cpus(), info.memoryBytes(), info.memoryUsedBytes(), info.diskBytes(), info.diskUsedBytes(), null,
          clock.instant());
      OperationRecord op = operations.finishedOperation("register_host", "hosts/" + r.name());
      store.registerHost(dc, host, op);
      drivers.adopt(r.name(), driver);
      store.addStep(op.id(), new dev.cadre.manager.store.StepRecord("probe", "done",
          info.driver() + " " + info.version() + ", " + info.cpus() + " cpus, network " + net.ipv4Cidr(), clock.instant()));
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("host", r.name());
      data.put("state", "ready");
      data.put("datacenter", r.datacenter());
      events.publish("host", "hosts/" + r.name(), data);
      return operations.view(op.id());
    } catch (RuntimeException e) {
      driver.close();
      throw e;
    }
  }

  @Override
  public List<HostView> hosts() {
    Map<String, Integer> counts = memberCounts();
    return store.hosts().stream().map(h -> hostView(h, counts)).toList();
  }

  @Override
  public HostView host(String name) {
    HostRecord h = store.host(name).orElseThrow(() -> new NotFoundException(null, "host '" + name + "' not found"));
    return hostView(h, memberCounts());
  }

  private Map<String, Integer> memberCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    store.allMembers().forEach(m -> counts.merge(m.host(), 1, Integer::sum));
    return counts;
  }

  private static HostView hostView(HostRecord h, Map<String, Integer> counts) {
    return new HostView(h.name(), h.driver(), h.endpoint(), h.datacenter(), h.network(), h.state(), h.cpus(),
        h.memoryBytes(), h.memoryUsedBytes(), h.diskBytes(), h.diskUsedBytes(), counts.getOrDefault(h.name(), 0),
        h.lastError(), h.updated());
  }

  @Override
  public OperationView removeHost(String name) {
    requireOpen();
    store.host(name).orElseThrow(() -> new NotFoundException(null, "host '" + name + "' not found"));
    synchronized (placement) {
      long on = store.allMembers().stream().filter(m -> m.host().equals(name)).count();
      if (on > 0) {
        throw new ConflictException(null, "host '" + name + "' still has " + on + " members; delete or move them first");
      }
      OperationRecord op = operations.finishedOperation("remove_host", "hosts/" + name);
      store.insertOperation(op);
      store.deleteHost(name);
      drivers.forget(name);
      hostImages.forget(name);
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("host", name);
      data.put("state", "removed");
      events.publish("host", "hosts/" + name, data);
      return operations.view(op.id());
    }
  }

  @Override
  public OperationView drainHost(String name) {
    requireOpen();
    HostRecord h = store.host(name).orElseThrow(() -> new NotFoundException(null, "host '" + name + "' not found"));
    synchronized (placement) {
      String running = activeHosts.get(name);
      if (running != null) {
        throw new ConflictException(null, "host '" + name + "' is already being drained by operation " + running);
      }
      if (!"ready".equals(h.state()) && !"draining".equals(h.state())) {
        throw new ConflictException(null, "host '" + name + "' is " + h.state() + "; only a host that answers can be drained");
      }
      List<MemberRecord> on = store.allMembers().stream().filter(m -> m.host().equals(name)).toList();
      for (MemberRecord m : on) {
        if (!"running".equals(m.state()) && !"unhealthy".equals(m.state())) {
          throw new ConflictException(null, "member " + m.name() + " on '" + name + "' is " + m.state()
              + "; drain moves running members only (delete or wait for its app first)");
        }
      }
      HostRecord draining = h.withState("draining", null, clock.instant());
      store.updateHost(draining);
      Map<String, String> targets = new LinkedHashMap<>();
      try {
        List<String> placed = Scheduler.place(h.datacenter(), capacities(h.datacenter()),
            on.stream().map(m -> new Need(m.app() + "/" + m.service(), m.cpus(), m.memoryMiB(), m.diskMiB())).toList());
        for (int i = 0; i < on.size(); i++) {
          targets.put(on.get(i).name(), placed.get(i));
        }
      } catch (RuntimeException e) {
        store.updateHost(h);
        throw e;
      }
      if (!"draining".equals(h.state())) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("host", name);
        data.put("state", "draining");
        data.put("previous", h.state());
        events.publish("host", "hosts/" + name, data);
      }
      OperationRecord op = operations.newOperation("drain_host", "hosts/" + name);
      store.insertOperation(op);
      activeHosts.put(name, op.id());
      operations.submit(op, ctx -> {
        try {
          ctx.step("plan", targets.isEmpty() ? "no members on " + name
              : targets.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).collect(Collectors.joining(", ")));
          workflows.drain(ctx, name, targets);
        } finally {
          activeHosts.remove(name, op.id());
        }
      });
      return operations.view(op.id());
    }
  }

  // ---- templates

  @Override
  public List<TemplateView> templates() {
    return templates.all().stream().map(t -> new TemplateView(t.name(), t.description(), t.plan())).toList();
  }

  // ---- apps

  @Override
  public OperationView createApp(AppRequest r) {
    requireOpen();
    if (r == null) {
      throw new InvalidInputException(null, "an app request is required");
    }
    Names.require("app", r.name());
    if (r.datacenter() == null) {
      throw new InvalidInputException(null, "datacenter is required");
    }
    Names.require("datacenter", r.datacenter());
    if (store.datacenter(r.datacenter()).isEmpty()) {
      throw new InvalidInputException(null, "unknown datacenter '" + r.datacenter() + "'; known: "
          + store.datacenters().stream().map(DatacenterRecord::name).collect(Collectors.joining(", ")));
    }
    if (r.services().isEmpty() || r.services().size() > Names.MAX_SERVICES) {
      throw new InvalidInputException(null, "an app needs 1 to " + Names.MAX_SERVICES + " services");
    }
    Set<String> seen = new HashSet<>();
    List<ServiceRecord> services = new ArrayList<>();
    List<PlannedMember> planned = new ArrayList<>();
    for (ServiceRequest s : r.services()) {
      if (s == null) {
        throw new InvalidInputException(null, "a service must not be null");
      }
      Names.require("service", s.name());
      if (!seen.add(s.name())) {
        throw new InvalidInputException(null, "service '" + s.name() + "' is listed twice");
      }
      if (s.template() == null) {
        throw new InvalidInputException(null, "service '" + s.name() + "': template is required");
      }
      Template t = templates.find(s.template()).orElseThrow(() -> new InvalidInputException(null, "service '"
          + s.name() + "': unknown template '" + s.template() + "'; known: "
          + templates.all().stream().map(Template::name).collect(Collectors.joining(", "))));
      String topology = s.topology() == null ? t.topologies().get(0) : s.topology();
      if (!t.topologies().contains(topology)) {
        throw new InvalidInputException(null, "service '" + s.name() + "': template '" + t.name()
            + "' has no topology '" + topology + "'; it has: " + String.join(", ", t.topologies()));
      }
      int count = s.count() == null ? 1 : s.count();
      if (count < 1 || count > Names.MAX_COUNT) {
        throw new InvalidInputException(null, "service '" + s.name() + "': count must be 1 to " + Names.MAX_COUNT
            + ", got " + count);
      }
      s.config().forEach((k, v) -> Names.requireConfig(s.name(), k, v));
      String longest = memberName(r.name(), s.name(), count);
      if (longest.length() > 63) {
        throw new InvalidInputException(null, "app '" + r.name() + "' and service '" + s.name()
            + "' are too long together: container names " + longest + " would pass 63 characters");
      }
      Map<String, String> secrets = new TreeMap<>();
      t.secrets().forEach(name -> secrets.put(name, secret()));
      services.add(new ServiceRecord(r.name(), s.name(), t.name(), topology, s.config(), secrets));
      List<String> roles = t.roles(topology);
      for (int i = 1; i <= count; i++) {
        String role = roles.get(Math.min(i - 1, roles.size() - 1));
        planned.add(new PlannedMember(s.name(), i, role, new Need(s.name(), t.cpus(), t.memoryMiB(), t.diskMiB())));
      }
    }
    if (store.app(r.name()).isPresent()) {
      throw new ConflictException(null, "app '" + r.name() + "' already exists");
    }
    synchronized (placement) {
      if (ipam.free(r.datacenter()) < planned.size()) {
        throw new ConflictException(null, "datacenter '" + r.datacenter() + "' has " + ipam.free(r.datacenter())
            + " free addresses, the app needs " + planned.size());
      }
      List<String> hosts = Scheduler.place(r.datacenter(), capacities(r.datacenter()),
          planned.stream().map(PlannedMember::need).toList());
      OperationRecord op = operations.newOperation("create_app", "apps/" + r.name());
      List<MemberRecord> members = new ArrayList<>();
      for (int i = 0; i < planned.size(); i++) {
        PlannedMember p = planned.get(i);
        members.add(new MemberRecord(memberName(r.name(), p.service(), p.ordinal()), r.name(), p.service(),
            p.ordinal(), p.role(), hosts.get(i), null, "creating", null, p.need().cpus(), p.need().memoryMiB(),
            p.need().diskMiB(), op.id()));
      }
      AppRecord app = new AppRecord(r.name(), r.datacenter(), "creating", r.keepFailed(), clock.instant());
      store.createApp(app, services, members, op);
      activeApps.put(r.name(), op.id());
      operations.submit(op, ctx -> {
        try {
          workflows.create(ctx, r.name());
        } finally {
          activeApps.remove(r.name(), op.id());
        }
      });
      return operations.view(op.id());
    }
  }

  private record PlannedMember(String service, int ordinal, String role, Need need) {}

  static String memberName(String app, String service, int ordinal) {
    return app + "-" + service + "-" + ordinal;
  }

  private List<HostCapacity> capacities(String datacenter) {
    Map<String, int[]> cpus = new TreeMap<>();
    Map<String, long[]> mem = new TreeMap<>();
    Map<String, long[]> disk = new TreeMap<>();
    for (MemberRecord m : store.allMembers()) {
      if ("failed".equals(m.state())) {
        continue;
      }
      cpus.computeIfAbsent(m.host(), k -> new int[1])[0] += m.cpus();
      mem.computeIfAbsent(m.host(), k -> new long[1])[0] += m.memoryMiB();
      disk.computeIfAbsent(m.host(), k -> new long[1])[0] += m.diskMiB();
    }
    int overcommit = config.tuning().cpuOvercommit();
    return store.hosts().stream().filter(h -> h.datacenter().equals(datacenter))
        .map(h -> new HostCapacity(h.name(), h.state(), h.cpus() * overcommit, h.memoryBytes() >> 20,
            h.diskBytes() >> 20, cpus.getOrDefault(h.name(), new int[1])[0],
            mem.getOrDefault(h.name(), new long[1])[0], disk.getOrDefault(h.name(), new long[1])[0]))
        .toList();
  }

  private String secret() {
    StringBuilder b = new StringBuilder(24);
    for (int i = 0; i < 24; i++) {
      b.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
    }
    return b.toString();
  }

  @Override
  public List<AppView> apps() {
    return store.apps().stream().map(this::appView).toList();
  }

  @Override
  public AppView app(String name) {
    return appView(store.app(name).orElseThrow(() -> new NotFoundException(null, "app '" + name + "' not found")));
  }

  private AppView appView(AppRecord a) {
    Map<String, List<MemberView>> members = new LinkedHashMap<>();
    for (MemberRecord m : store.members(a.name())) {
      members.computeIfAbsent(m.service(), k -> new ArrayList<>())
          .add(new MemberView(m.name(), m.role(), m.host(), m.ip(), m.state(), m.error()));
    }
    List<ServiceView> services = store.services(a.name()).stream()
        .map(s -> new ServiceView(s.name(), s.template(), s.topology(), s.config(), s.secrets(),
            members.getOrDefault(s.name(), List.of())))
        .toList();
    return new AppView(a.name(), a.datacenter(), a.state(), services, a.created());
  }

  @Override
  public OperationView deleteApp(String name) {
    requireOpen();
    store.app(name).orElseThrow(() -> new NotFoundException(null, "app '" + name + "' not found"));
    OperationRecord op;
    synchronized (placement) {
      String running = activeApps.get(name);
      if (running != null && operations.view(running).kind().equals("delete_app")) {
        throw new ConflictException(null, "app '" + name + "' is already being deleted by operation " + running);
      }
      op = operations.newOperation("delete_app", "apps/" + name);
      store.insertOperation(op);
      activeApps.put(name, op.id());
      String before = running;
      operations.submit(op, ctx -> {
        try {
          if (before != null) {
            // a create still running: stop it (it rolls back what it made) before removing the rest
            operations.cancel(before);
            ctx.step("cancel " + before, "waiting for the create operation to stop");
            operations.await(before, Duration.ofMinutes(30));
          }
          workflows.delete(ctx, name);
        } finally {
          activeApps.remove(name, op.id());
        }
      });
    }
    return operations.view(op.id());
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
  public Summary summary() {
    return new Summary(VERSION, store.kind(), store.datacenters().size(), store.hosts().size(), store.apps().size(),
        store.allMembers().size(), store.countOperations("running") + store.countOperations("pending"));
  }

  @Override
  public Map<String, Integer> addressesInUse() {
    return store.addressesInUse();
  }

  /**
   * Rolls back the unfinished operations of servers that are gone (servers sharing a PostgreSQL store);
   * the background round does it every {@link Tuning#probeInterval()}. Answers how many.
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
    background.shutdownNow();
    try {
      background.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    operations.shutdown(Duration.ofSeconds(5));
    memberPool.shutdownNow();
    events.close();
    drivers.close();
    store.close();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
