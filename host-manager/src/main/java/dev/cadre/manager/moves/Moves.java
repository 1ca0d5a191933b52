package dev.cadre.manager.moves;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.MovePlan;
import dev.cadre.manager.Names;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.provisioning.AppWorkflows;
import dev.cadre.manager.provisioning.MemberMove;
import dev.cadre.manager.roles.Roles;
import dev.cadre.manager.scheduling.Need;
import dev.cadre.manager.scheduling.Placement;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.MoveRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.TemplateCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Moving an app to another datacenter, from request to operation. The plan is made the same way for a dry
 * run and for the move: every service idle, every member running, the target datacenter's hosts can hold
 * every member (placed up front) and its pool has an address for each member and service address, the hosts
 * on both sides are of one kind. A refusal changes nothing. The move then reserves the room and the addresses
 * (rows in {@code moves}, addresses held by {@link MoveRecord#reservedHolder()}) and claims every service
 * ({@code moving}: no conversion, promotion or failover meanwhile) before {@link AppMove} runs.
 */
public final class Moves {
  /** What a pause costs besides the data: stop and start hooks, container stop and start, address, health. */
  static final long PAUSE_BASE_MS = 6_000;
  /** How fast both sides sum data (each reads it once), and a refresh sends what changed, per ms. */
  static final long BYTES_PER_MS = 100_000;

  private final Store store;
  private final TemplateCatalog templates;
  private final Placement placement;
  private final Ipam ipam;
  private final DriverRegistry drivers;
  private final Operations operations;
  private final AppWorkflows workflows;
  private final MemberMove memberMove;
  private final AppMove appMove;

  public Moves(Store store, TemplateCatalog templates, Placement placement, Ipam ipam, DriverRegistry drivers,
      Operations operations, AppWorkflows workflows, MemberMove memberMove, AppMove appMove) {
    this.store = store;
    this.templates = templates;
    this.placement = placement;
    this.ipam = ipam;
    this.drivers = drivers;
    this.operations = operations;
    this.workflows = workflows;
    this.memberMove = memberMove;
    this.appMove = appMove;
  }

  /** How a move takes a service's data: {@link #COPY} or {@link #REPLICATE}. */
  public static final String COPY = "copy";
  /**
   * Replicas made at the target catch up while the service serves, then a switchover: for a template with a
   * primary and replicas; its pause is a promotion's.
   */
  public static final String REPLICATE = "replicate";
  /**
   * Through the template's data hooks: a new member at the target, {@code export-final} at the source and
   * {@code import-clean} at the target during the pause; also what a move between hosts of different kinds
   * uses (no container copy crosses them).
   */
  public static final String HOOKS = "hooks";
  /** The hooks the hook path needs of a template that keeps data. */
  static final List<String> DATA_HOOKS = List.of(MemberMove.EXPORT_FINAL, MemberMove.IMPORT_PREP, MemberMove.IMPORT_CLEAN);
  /** The pause of a switchover, for a plan (bench/README.md has the measured figures). */
  static final long PROMOTION_MS = 2_000;

  public MovePlan plan(String app, String datacenter, String method) {
    return placement.exclusively(() -> draft(app, datacenter, method, true).plan());
  }

  public OperationView move(String app, String datacenter, String method, String actor) {
    return placement.exclusively(() -> {
      Draft d = draft(app, datacenter, method, false);
      OperationRecord op = operations.newOperation(OperationKind.MOVE_APP, "apps/" + app, actor);
      List<ServiceRecord> claimed = new ArrayList<>();
      List<String> reserved = new ArrayList<>();
      try {
        for (ServiceRecord s : d.services()) {
          if (!store.changeServiceState(app, s.name(), ServiceState.READY, ServiceState.MOVING, op.id())) {
            throw busy(store.service(app, s.name()).orElse(s));
          }
          claimed.add(s);
        }
        Set<String> avoid = workflows.foreignAddresses(datacenter);
        List<MoveRecord> rows = new ArrayList<>();
        List<MemberRecord> added = new ArrayList<>();
        for (MovePlan.Member m : d.plan().members()) {
          if (REPLICATE.equals(m.method())) {
            // a new member of the service at the target: a replica until the switchover
            MemberRecord old = store.member(m.name()).orElseThrow();
            int ordinal = store.members(app).stream().filter(x -> x.service().equals(m.service()))
                .mapToInt(MemberRecord::ordinal).max().orElse(0) + 1 + (int) added.stream()
                .filter(x -> x.service().equals(m.service())).count();
            String name = Names.member(app, m.service(), ordinal);
            if (name.length() > 63) {
              throw new ConflictException(null, "member name " + name + " would pass 63 characters");
            }
            String ip = ipam.allocate(datacenter, name, avoid);
            reserved.add(name);
            added.add(new MemberRecord(name, app, m.service(), ordinal, Roles.REPLICA, m.toHost(), ip,
                MemberState.CREATING, null, old.cpus(), old.memoryMiB(), old.diskMiB(), op.id()));
            continue;
          }
          String ip = ipam.allocate(datacenter, MoveRecord.reservedHolder(m.name()), avoid);
          reserved.add(MoveRecord.reservedHolder(m.name()));
          rows.add(new MoveRecord(m.name(), app, op.id(), d.from(), datacenter, m.fromHost(), m.fromIp(), m.toHost(),
              ip, false));
        }
        for (MovePlan.Service s : d.plan().services()) {
          String holder = ServiceRecord.holder(app, s.name());
          String address = ipam.allocate(datacenter, MoveRecord.reservedHolder(holder), avoid);
          reserved.add(MoveRecord.reservedHolder(holder));
          rows.add(new MoveRecord(holder, app, op.id(), d.from(), datacenter, null, s.fromAddress(), null, address,
              false));
        }
        store.insertMoves(rows);
        store.insertMembers(added);
        store.insertOperation(op);
      } catch (RuntimeException e) {
        store.deleteMoves(app);
        store.members(app).stream().filter(m -> op.id().equals(m.operationId()))
            .forEach(m -> store.deleteMember(m.name()));
        reserved.forEach(ipam::release);
        for (ServiceRecord s : claimed) {
          store.changeServiceState(app, s.name(), ServiceState.MOVING, ServiceState.READY, null);
        }
        throw e;
      }
      operations.submit(op, ctx -> {
        try {
          ctx.step("plan", describe(d.plan()));
          appMove.run(ctx, app, d.plan().members().stream().filter(m -> HOOKS.equals(m.method()))
              .map(MovePlan.Member::name).collect(Collectors.toSet()));
        } finally {
          for (ServiceRecord s : d.services()) {
            store.changeServiceState(app, s.name(), ServiceState.MOVING, ServiceState.READY, null);
          }
        }
      });
      return operations.view(op.id());
    });
  }

  private record Draft(String from, List<ServiceRecord> services, MovePlan plan) {}

  private Draft draft(String app, String datacenter, String method, boolean measure) {
    Names.require("app", app);
    Names.require("datacenter", datacenter);
    String how = method == null ? COPY : method;
    if (!how.equals(COPY) && !how.equals(REPLICATE) && !how.equals(HOOKS)) {
      throw new dev.cadre.driver.InvalidInputException(null, "method must be copy, replicate or hooks, not '" + method
          + "'");
    }
    AppRecord a = store.app(app).orElseThrow(() -> new NotFoundException(null, "app '" + app + "' not found"));
    if (store.datacenter(datacenter).isEmpty()) {
      throw new NotFoundException(null, "datacenter '" + datacenter + "' not found");
    }
    if (a.datacenter().equals(datacenter)) {
      throw new ConflictException(null, "app '" + app + "' is in datacenter '" + datacenter + "' already");
    }
    List<MoveRecord> moving = store.moves(app);
    if (!moving.isEmpty()) {
      throw new ConflictException(null, "app '" + app + "' is being moved already (operation "
          + moving.get(0).operationId() + ")");
    }
    List<ServiceRecord> services = store.services(app);
    for (ServiceRecord s : services) {
      if (s.state() != ServiceState.READY) {
        throw busy(s);
      }
    }
    List<MemberRecord> members = store.members(app).stream()
        .sorted(Comparator.comparing(MemberRecord::service).thenComparingInt(MemberRecord::ordinal)).toList();
    if (members.isEmpty()) {
      throw new ConflictException(null, "app '" + app + "' has no members to move");
    }
    for (MemberRecord m : members) {
      if (m.state() != MemberState.RUNNING && m.state() != MemberState.UNHEALTHY) {
        throw new ConflictException(null, "member " + m.name() + " is " + m.state().wire()
            + "; a move takes running members only (wait for it, or delete the app)");
      }
    }
    Map<String, HostRecord> hosts = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, h -> h));
    List<String> targets = placement.place(datacenter,
        members.stream().map(m -> new Need(m.app() + "/" + m.service(), m.cpus(), m.memoryMiB(), m.diskMiB())).toList());
    Map<String, String> methods = new java.util.HashMap<>();
    for (ServiceRecord s : services) {
      boolean replicates = how.equals(REPLICATE)
          && dev.cadre.manager.roles.ServiceAddresses.hasPrimary(templates.require(s.template()));
      methods.put(s.name(), replicates ? REPLICATE : how.equals(HOOKS) ? HOOKS : COPY);
    }
    for (int i = 0; i < members.size(); i++) {
      String service = members.get(i).service();
      String fromKind = hosts.get(members.get(i).host()).driver();
      String toKind = hosts.get(targets.get(i)).driver();
      if (methods.get(service).equals(COPY) && !fromKind.equals(toKind)) {
        methods.put(service, HOOKS); // no container copy crosses kinds of hosts: the data goes through the template
      }
      if (methods.get(service).equals(HOOKS)) {
        requireDataHooks(services.stream().filter(x -> x.name().equals(service)).findFirst().orElseThrow(),
            fromKind.equals(toKind) ? null : "member " + members.get(i).name() + " goes from a " + fromKind
                + " host to a " + toKind + " host (" + targets.get(i) + "), which no container copy crosses");
      }
    }
    List<ServiceRecord> withAddress = services.stream().filter(s -> s.address() != null).toList();
    int needed = members.size() + withAddress.size();
    List<String> free = ipam.peek(datacenter, needed, measure ? workflows.foreignAddresses(datacenter) : Set.of());
    if (free.size() < needed) {
      throw new ConflictException(null, "datacenter '" + datacenter + "' has " + free.size()
          + " free addresses, the move needs " + needed);
    }
    List<MovePlan.Member> planned = new ArrayList<>();
    long total = 0;
    long pause = 0;
    for (int i = 0; i < members.size(); i++) {
      MemberRecord m = members.get(i);
      ServiceRecord s = services.stream().filter(x -> x.name().equals(m.service())).findFirst().orElseThrow();
      long bytes = measure ? memberMove.dataBytes(m, templates.require(s.template()).dataDirs()) : -1;
      String way = methods.get(s.name());
      // a copy sums the data on both sides; the hook path exports, sends and imports it
      long downtime = way.equals(REPLICATE) ? PROMOTION_MS
          : PAUSE_BASE_MS + (way.equals(HOOKS) ? 3 : 2) * Math.max(0, bytes) / BYTES_PER_MS;
      total += Math.max(0, bytes);
      pause = Math.max(pause, downtime);
      planned.add(new MovePlan.Member(m.name(), m.service(), m.role(), m.host(), m.ip(), targets.get(i), free.get(i),
          bytes, way, downtime));
    }
    List<MovePlan.Service> addresses = new ArrayList<>();
    for (int i = 0; i < withAddress.size(); i++) {
      addresses.add(new MovePlan.Service(withAddress.get(i).name(), withAddress.get(i).address(),
          free.get(members.size() + i)));
    }
    return new Draft(a.datacenter(), services, new MovePlan(app, a.datacenter(), datacenter, how, total, pause,
        planned, addresses));
  }

  /**
   * A service that moves through its template's hooks: one whose template keeps data (declares data
   * directories) must declare the three data hooks; one that keeps none is made afresh at the target.
   */
  private void requireDataHooks(ServiceRecord s, String why) {
    dev.cadre.templates.Template t = templates.require(s.template());
    List<String> missing = DATA_HOOKS.stream().filter(h -> !t.implementsHook(h)).toList();
    if (!t.dataDirs().isEmpty() && !missing.isEmpty()) {
      throw new ConflictException(null, (why == null ? "service '" + s.name() + "' would move through its template's"
          + " hooks" : why) + ", but template '" + t.name() + "' keeps data and does not declare " + String.join(", ",
          missing) + (why == null ? "; move it with method copy" : ""));
    }
  }

  static String describe(MovePlan p) {
    return p.from() + " -> " + p.to() + ": " + p.members().stream()
        .map(m -> m.name() + " " + m.fromHost() + "/" + m.fromIp() + " -> " + m.toHost() + "/" + m.toIp())
        .collect(Collectors.joining(", "))
        + (p.services().isEmpty() ? "" : "; service addresses " + p.services().stream()
            .map(s -> s.name() + " " + s.fromAddress() + " -> " + s.toAddress()).collect(Collectors.joining(", ")));
  }

  private static ConflictException busy(ServiceRecord s) {
    return new ConflictException(null, "service '" + s.name() + "' is " + s.state().wire() + " (operation "
        + s.operationId() + "); try again when it ends");
  }
}
