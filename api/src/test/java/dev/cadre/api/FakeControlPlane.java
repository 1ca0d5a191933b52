package dev.cadre.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.AppView;
import dev.cadre.manager.BackupView;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.EventView;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.HostView;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.RestoreRequest;
import dev.cadre.manager.ServerView;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.ServiceView;
import dev.cadre.manager.StepView;
import dev.cadre.manager.Summary;
import dev.cadre.manager.TemplateView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory control plane for the API's fast tests: it keeps what it is told, answers operations
 * that finish at once (or are held running until {@link #finish}), and refuses like the real one
 * (Conflict for taken names and no capacity, InvalidInput for unknown templates, NotFound for unknown names).
 */
final class FakeControlPlane implements ControlPlane {
  static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  final Map<String, HostView> hosts = new ConcurrentHashMap<>();
  final Map<String, AppView> apps = new ConcurrentHashMap<>();
  final Map<String, OperationView> operations = new ConcurrentHashMap<>();
  final List<Consumer<EventView>> listeners = new CopyOnWriteArrayList<>();
  final List<EventView> emitted = new CopyOnWriteArrayList<>();
  final List<Object> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  volatile boolean holdOperations;
  private dev.cadre.manager.store.JdbcStore store;
  volatile int capacity = 10;
  volatile RuntimeException failNext;
  /** Off: convert, promote and move are refused as the real plane refuses them today (not supported). */
  volatile boolean topologyVerbs;
  static final String BACKUP_ID = "bk-0123456789abcdef0123";
  /** Backups by app/service, kept when the app goes (as the real plane keeps them). */
  final Map<String, List<BackupView>> backups = new ConcurrentHashMap<>();

  @Override
  public OperationView registerHost(HostRequest request, String actor) {
    maybeFail();
    requests.add(request);
    if (hosts.containsKey(request.name())) {
      throw new ConflictException(null, "host '" + request.name() + "' is already registered");
    }
    hosts.put(request.name(), new HostView(request.name(), request.driver(), request.endpoint(), request.datacenter(),
        request.network(), "ready", 4, 8L << 30, 1L << 30, 100L << 30, 0, 0, null, T0, null));
    return operation("register-host", "hosts/" + request.name(), actor);
  }

  @Override
  public List<HostView> hosts() {
    maybeFail();
    return List.copyOf(hosts.values());
  }

  @Override
  public HostView host(String name) {
    maybeFail();
    HostView h = hosts.get(name);
    if (h == null) {
      throw new NotFoundException(null, "no host '" + name + "'");
    }
    return h;
  }

  @Override
  public OperationView removeHost(String name, String actor) {
    maybeFail();
    host(name);
    hosts.remove(name);
    return operation("remove-host", "hosts/" + name, actor);
  }

  @Override
  public OperationView drainHost(String name, String actor) {
    maybeFail();
    host(name);
    return operation("drain-host", "hosts/" + name, actor);
  }

  @Override
  public OperationView trustHost(String name, String fingerprint, String trust, String actor) {
    maybeFail();
    host(name);
    return operation("trust-host", "hosts/" + name, actor);
  }

  @Override
  public OperationView resumeHost(String name, String actor) {
    maybeFail();
    host(name);
    return operation("resume-host", "hosts/" + name, actor);
  }

  @Override
  public List<TemplateView> templates() {
    maybeFail();
    ObjectNode plan = JsonNodeFactory.instance.objectNode();
    plan.putArray("topologies").add("single");
    plan.putArray("behaviors");
    return List.of(new TemplateView("busybox", "a tiny httpd", plan));
  }

  @Override
  public OperationView createApp(AppRequest request, String actor) {
    maybeFail();
    requests.add(request);
    if (apps.containsKey(request.name())) {
      throw new ConflictException(null, "app '" + request.name() + "' exists");
    }
    int wanted = 0;
    List<ServiceView> services = new ArrayList<>();
    for (ServiceRequest s : request.services()) {
      if (!s.template().equals("busybox")) {
        throw new InvalidInputException(null, "unknown template '" + s.template() + "'");
      }
      int count = s.count() == null ? 1 : s.count();
      wanted += count;
      List<MemberView> members = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        members.add(new MemberView(s.name() + "-" + i, "primary", "h1", "10.77.0." + (127 + i), "running", null));
      }
      services.add(new ServiceView(s.name(), s.template(), "single", s.config(), Map.of("password", "pw"), members));
    }
    if (wanted > capacity) {
      throw new ConflictException(null, "no capacity: " + wanted + " members wanted, room for " + capacity);
    }
    apps.put(request.name(), new AppView(request.name(), request.datacenter(), "running", services, T0));
    return operation("create-app", "apps/" + request.name(), actor);
  }

  @Override
  public List<AppView> apps() {
    maybeFail();
    return List.copyOf(apps.values());
  }

  @Override
  public AppView app(String name) {
    maybeFail();
    AppView a = apps.get(name);
    if (a == null) {
      throw new NotFoundException(null, "no app '" + name + "'");
    }
    return a;
  }

  @Override
  public OperationView deleteApp(String name, String actor) {
    maybeFail();
    app(name);
    apps.remove(name);
    return operation("delete-app", "apps/" + name, actor);
  }

  @Override
  public OperationView convertService(String app, String service, String topology, String actor) {
    if (!topologyVerbs) {
      return ControlPlane.super.convertService(app, service, topology, actor);
    }
    app(app);
    return operation("convert-service", "apps/" + app + "/" + service, actor);
  }

  @Override
  public OperationView promoteMember(String app, String service, String member, String actor) {
    if (!topologyVerbs) {
      return ControlPlane.super.promoteMember(app, service, member, actor);
    }
    app(app);
    return operation("promote-member", "apps/" + app + "/" + service + "/" + member, actor);
  }

  @Override
  public dev.cadre.manager.MovePlan planMove(String app, String datacenter, String method) {
    if (!topologyVerbs) {
      return ControlPlane.super.planMove(app, datacenter, method);
    }
    app(app);
    return new dev.cadre.manager.MovePlan(app, "dc1", datacenter, "copy", 0, 6000, java.util.List.of(), java.util.List.of());
  }

  @Override
  public OperationView moveApp(String app, String datacenter, String method, String actor) {
    if (!topologyVerbs) {
      return ControlPlane.super.moveApp(app, datacenter, method, actor);
    }
    app(app);
    return operation("move-app", "apps/" + app, actor);
  }

  @Override
  public OperationView backupService(String app, String service, String actor) {
    maybeFail();
    app(app);
    BackupView b = new BackupView(BACKUP_ID, app, service, "busybox", "single", T0, 1234, "ab".repeat(32));
    backups.computeIfAbsent(app + "/" + service, k -> new CopyOnWriteArrayList<>()).add(b);
    return operation("backup_service", "apps/" + app + "/services/" + service + "/backups/" + b.id(), actor);
  }

  @Override
  public List<BackupView> backups(String app, String service) {
    maybeFail();
    List<BackupView> kept = backups.get(app + "/" + service);
    if (kept == null) {
      app(app);
      return List.of();
    }
    return List.copyOf(kept);
  }

  @Override
  public OperationView restoreBackup(String app, String service, String id, RestoreRequest to, String actor) {
    maybeFail();
    requests.add(to);
    backups.getOrDefault(app + "/" + service, List.of()).stream().filter(b -> b.id().equals(id)).findFirst()
        .orElseThrow(() -> new NotFoundException(null, "service '" + service + "' of app '" + app + "' has no backup '"
            + id + "'"));
    if (apps.containsKey(to.app())) {
      throw new ConflictException(null, "app '" + to.app() + "' exists");
    }
    return operation("restore_service", "apps/" + to.app() + "/services/" + to.service(), actor);
  }

  @Override
  public OperationView operation(String id) {
    maybeFail();
    OperationView op = operations.get(id);
    if (op == null) {
      throw new NotFoundException(null, "no operation '" + id + "'");
    }
    return op;
  }

  @Override
  public OperationView await(String id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    OperationView op = operation(id);
    while (!op.done() && System.nanoTime() < deadline) {
      Thread.sleep(10);
      op = operation(id);
    }
    return op;
  }

  @Override
  public OperationView cancel(String id) {
    maybeFail();
    OperationView op = operation(id);
    if (op.done()) {
      throw new ConflictException(null, "operation " + id + " is already " + op.status());
    }
    return finish(id, "cancelled", "cancelled by request");
  }

  @Override
  public AutoCloseable subscribe(Consumer<EventView> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public synchronized AutoCloseable subscribe(long after, Consumer<EventView> listener) {
    emitted.stream().filter(e -> e.id() > after).forEach(listener);
    return subscribe(listener);
  }

  @Override
  public Summary summary() {
    maybeFail();
    int members = apps.values().stream().mapToInt(a -> a.services().stream().mapToInt(s -> s.members().size()).sum()).sum();
    return new Summary("test", "fake", 1, hosts.size(), apps.size(), members,
        (int) operations.values().stream().filter(o -> !o.done()).count());
  }

  @Override
  public List<ServerView> servers() {
    maybeFail();
    return List.of(new ServerView("fake-server", "1@fake", T0, T0, true, true, 1, true));
  }

  @Override
  public Map<String, Integer> addressesInUse() {
    maybeFail();
    return Map.of("dc1", apps.values().stream().mapToInt(a -> a.services().stream().mapToInt(s -> s.members().size()).sum()).sum());
  }

  @Override
  public synchronized dev.cadre.manager.store.AccessStore access() {
    maybeFail();
    if (store == null) {
      // tokens and the audit log live in the real store: an embedded database in memory, gone with the pool
      store = dev.cadre.manager.store.JdbcStore.open("jdbc:h2:mem:fake-" + java.util.UUID.randomUUID(), null, null, 2);
    }
    return store;
  }

  @Override
  public synchronized void close() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  /** Hands the event to the listeners and keeps it for those that resume after an earlier id. */
  synchronized void emit(EventView event) {
    emitted.add(event);
    listeners.forEach(l -> l.accept(event));
  }

  OperationView finish(String id, String status, String error) {
    OperationView op = operation(id);
    OperationView done = new OperationView(id, op.kind(), op.target(), op.actor(), status, 100, error, op.steps(),
        op.created(), T0);
    operations.put(id, done);
    return done;
  }

  private OperationView operation(String kind, String target, String actor) {
    String id = "op-" + ids.incrementAndGet();
    OperationView op = new OperationView(id, kind, target, actor, holdOperations ? "running" : "success", holdOperations ? 10 : 100,
        null, List.of(new StepView("validate", "done", null, T0)), T0, T0);
    operations.put(id, op);
    return op;
  }

  private void maybeFail() {
    RuntimeException e = failNext;
    if (e != null) {
      failNext = null;
      throw e;
    }
  }
}
