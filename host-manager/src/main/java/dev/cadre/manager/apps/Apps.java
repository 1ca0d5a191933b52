package dev.cadre.manager.apps;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.AppView;
import dev.cadre.manager.MemberView;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceView;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.provisioning.AppWorkflows;
import dev.cadre.manager.scheduling.Placement;
import dev.cadre.manager.secrets.Secrets;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.AppRows;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.TemplateCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Apps from request to operation: the request is checked and its members placed up front (a request no
 * host can hold is refused with the reason and nothing is stored), then the app, its services, its placed
 * members and the operation are stored in one transaction and the work runs in the background.
 */
public final class Apps {
  private final Store store;
  private final AppPlanner planner;
  private final Placement placement;
  private final Ipam ipam;
  private final Operations operations;
  private final AppWorkflows workflows;
  private final Clock clock;

  public Apps(Store store, TemplateCatalog templates, Secrets secrets, Placement placement, Ipam ipam,
      Operations operations, AppWorkflows workflows, Clock clock) {
    this.store = store;
    this.planner = new AppPlanner(store, templates, secrets);
    this.placement = placement;
    this.ipam = ipam;
    this.operations = operations;
    this.workflows = workflows;
    this.clock = clock;
  }

  public OperationView create(AppRequest r, String actor) {
    AppPlan plan = planner.plan(r);
    OperationRecord created = placement.exclusively(() -> {
      int free = ipam.free(r.datacenter());
      if (free < plan.members().size()) {
        throw new ConflictException(null, "datacenter '" + r.datacenter() + "' has " + free
            + " free addresses, the app needs " + plan.members().size());
      }
      List<String> hosts = placement.place(r.datacenter(), plan.needs());
      OperationRecord op = operations.newOperation(OperationKind.CREATE_APP, "apps/" + r.name(), actor);
      List<MemberRecord> members = new ArrayList<>();
      for (int i = 0; i < plan.members().size(); i++) {
        AppPlan.PlannedMember p = plan.members().get(i);
        members.add(new MemberRecord(AppPlanner.memberName(r.name(), p.service(), p.ordinal()), r.name(), p.service(),
            p.ordinal(), p.role(), hosts.get(i), null, MemberState.CREATING, null, p.need().cpus(),
            p.need().memoryMiB(), p.need().diskMiB(), op.id()));
      }
      AppRecord app = new AppRecord(r.name(), r.datacenter(), AppState.CREATING, r.keepFailed(), clock.instant());
      store.createApp(app, plan.services(), members, op);
      return op;
    });
    // the members' room is reserved once their rows are stored: starting the work needs the lock no longer, and
    // every other placement, on this server or another, waits for this one only as long as it must
    operations.submit(created, ctx -> workflows.create(ctx, r.name()));
    return operations.view(created.id());
  }

  public OperationView delete(String name, String actor) {
    require(name);
    return placement.exclusively(() -> {
      OperationRecord current = running(name);
      String running = current == null ? null : current.id();
      if (current != null && current.kind() == OperationKind.DELETE_APP) {
        throw new ConflictException(null, "app '" + name + "' is already being deleted by operation " + running);
      }
      var moving = store.moves(name);
      if (!moving.isEmpty()) {
        throw new ConflictException(null, "app '" + name + "' is being moved (operation " + moving.get(0).operationId()
            + "); cancel the move first (DELETE /v1/operations/" + moving.get(0).operationId() + ")");
      }
      OperationRecord op = operations.newOperation(OperationKind.DELETE_APP, "apps/" + name, actor);
      store.insertOperation(op);
      operations.submit(op, ctx -> {
        if (running != null) {
          // a create still running, on this server or another: stop it (it rolls back what it made) before
          // removing the rest; the cancel is a flag on its row, read by whichever server runs it
          operations.cancel(running);
          ctx.step("cancel " + running, "waiting for the create operation to stop");
          operations.await(running, Duration.ofMinutes(30));
        }
        workflows.delete(ctx, name);
      });
      return operations.view(op.id());
    });
  }

  /**
   * The delete, else the create, of the app still unfinished, on any server sharing the store (the row is the
   * truth: a delete sent to one server stops a create another server runs), or null.
   */
  private OperationRecord running(String name) {
    String target = "apps/" + name;
    OperationRecord create = null;
    for (OperationRecord o : store.unfinishedOperations()) {
      if (!target.equals(o.target())) {
        continue;
      }
      if (o.kind() == OperationKind.DELETE_APP) {
        return o; // a delete (which may be stopping a create) is what a second delete must meet
      }
      if (o.kind() == OperationKind.CREATE_APP) {
        create = o;
      }
    }
    return create;
  }

  /** Every app: three reads of the store, however many apps there are. */
  public List<AppView> all() {
    return views(store.apps(), store.allServices(), store.allMembers());
  }

  /** Every app's name, sorted. */
  public List<String> names() {
    return store.appNames().stream().sorted().toList();
  }

  /** The apps of {@code names} that exist, in that order, read at once. */
  public List<AppView> some(List<String> names) {
    AppRows rows = store.apps(new java.util.LinkedHashSet<>(names));
    Map<String, AppView> byName = new java.util.HashMap<>();
    views(rows.apps(), rows.services(), rows.members()).forEach(v -> byName.put(v.name(), v));
    return names.stream().map(byName::get).filter(java.util.Objects::nonNull).distinct().toList();
  }

  /** Views of {@code apps} from their services and members, read before (ordered as the one-app reads order them). */
  private static List<AppView> views(List<AppRecord> apps, List<ServiceRecord> services, List<MemberRecord> members) {
    Map<String, List<ServiceRecord>> servicesOf = new java.util.HashMap<>();
    services.forEach(s -> servicesOf.computeIfAbsent(s.app(), k -> new ArrayList<>()).add(s));
    Map<String, List<MemberRecord>> membersOf = new java.util.HashMap<>();
    members.forEach(m -> membersOf.computeIfAbsent(m.app(), k -> new ArrayList<>()).add(m));
    return apps.stream().map(a -> view(a, servicesOf.getOrDefault(a.name(), List.of()),
        membersOf.getOrDefault(a.name(), List.of()))).toList();
  }

  public AppView one(String name) {
    return view(require(name));
  }

  private static com.fasterxml.jackson.databind.JsonNode plan(String json) {
    if (json == null) {
      return null;
    }
    try {
      return PLAN_READER.readTree(json);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper PLAN_READER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private AppRecord require(String name) {
    return store.app(name).orElseThrow(() -> new NotFoundException(null, "app '" + name + "' not found"));
  }

  private AppView view(AppRecord a) {
    return view(a, store.services(a.name()), store.members(a.name()));
  }

  private static AppView view(AppRecord a, List<ServiceRecord> services, List<MemberRecord> all) {
    Map<String, List<MemberView>> members = new LinkedHashMap<>();
    for (MemberRecord m : all) {
      members.computeIfAbsent(m.service(), k -> new ArrayList<>())
          .add(new MemberView(m.name(), m.role(), m.host(), m.ip(), m.state().wire(), m.error()));
    }
    List<ServiceView> views = services.stream()
        .map(s -> new ServiceView(s.name(), s.template(), s.topology(), s.config(), s.secrets(),
            members.getOrDefault(s.name(), List.of()), s.address(), s.state().wire(), s.operationId(), plan(s.plan()),
            s.dependsOn()))
        .toList();
    return new AppView(a.name(), a.datacenter(), a.state().wire(), views, a.created());
  }
}
