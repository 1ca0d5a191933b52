package dev.cadre.manager.roles;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.Names;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.scheduling.Need;
import dev.cadre.manager.scheduling.Placement;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.StepRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.Template;
import dev.cadre.templates.TemplateCatalog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Role changes from request to operation. A request is checked up front (a refusal changes nothing): the
 * service exists, its template declares the topology, no other change of the service runs (409 naming it),
 * the datacenter can hold the new members. Then the service is claimed in the store (compare-and-set of its
 * state, so that two changes never run at once, on one server or several) and the work runs in the
 * background; the service is {@code ready} again when it ends, whatever the outcome.
 */
public final class Roles {
  public static final String PRIMARY = "primary";
  public static final String REPLICA = "replica";

  private final Store store;
  private final TemplateCatalog templates;
  private final Placement placement;
  private final Operations operations;
  private final RoleChanges changes;
  private final Clock clock;

  public Roles(Store store, TemplateCatalog templates, Placement placement, Operations operations, RoleChanges changes,
      Clock clock) {
    this.store = store;
    this.templates = templates;
    this.placement = placement;
    this.operations = operations;
    this.changes = changes;
    this.clock = clock;
  }

  public OperationView convert(String app, String service, String topology, String actor) {
    ServiceRecord s = service(app, service);
    if (topology == null || topology.isBlank()) {
      throw new InvalidInputException(null, "topology is required");
    }
    Template t = templates.require(s.template());
    if (!t.topologies().contains(topology)) {
      throw new ConflictException(null, "template '" + t.name() + "' has no topology '" + topology + "'; it declares: "
          + String.join(", ", t.topologies()));
    }
    if (t.topologies().size() < 2 || !t.roles(topology).contains(PRIMARY)) {
      throw new ConflictException(null, "template '" + t.name() + "' cannot be converted (it has no primary role)");
    }
    if (topology.equals(s.topology())) {
      return noOp(OperationKind.CONVERT_SERVICE, s, actor, "service '" + service + "' is already " + topology);
    }
    boolean growing = t.roles(topology).contains(REPLICA);
    return placement.exclusively(() -> {
      requireIdle(s);
      List<MemberRecord> added = new ArrayList<>();
      OperationRecord op = operations.newOperation(OperationKind.CONVERT_SERVICE, target(s), actor);
      if (growing) {
        List<MemberRecord> members = store.members(app).stream().filter(m -> m.service().equals(service)).toList();
        int have = (int) members.stream().filter(m -> m.state() != MemberState.FAILED).count();
        int missing = Math.max(0, t.defaultCount(topology) - have);
        int ordinal = members.stream().mapToInt(MemberRecord::ordinal).max().orElse(0);
        AppRecord a = store.app(app).orElseThrow();
        List<Need> needs = new ArrayList<>();
        for (int i = 0; i < missing; i++) {
          needs.add(new Need(service, t.cpus(), t.memoryMiB(), t.diskMiB()));
        }
        List<String> hosts = placement.place(a.datacenter(), needs);
        for (int i = 0; i < missing; i++) {
          String name = Names.member(app, service, ordinal + 1 + i);
          if (name.length() > 63) {
            throw new ConflictException(null, "member name " + name + " would pass 63 characters");
          }
          added.add(new MemberRecord(name, app, service, ordinal + 1 + i, REPLICA, hosts.get(i), null,
              MemberState.CREATING, null, t.cpus(), t.memoryMiB(), t.diskMiB(), op.id()));
        }
      }
      return start(op, s, ServiceState.CONVERTING, () -> store.insertMembers(added),
          ctx -> {
            if (growing) {
              changes.toRedundant(ctx, s, topology, added);
            } else {
              changes.toSingle(ctx, s, topology);
            }
          });
    });
  }

  public OperationView promote(String app, String service, String member, String actor) {
    ServiceRecord s = service(app, service);
    Names.require("member", member);
    MemberRecord m = store.member(member).filter(x -> x.app().equals(app) && x.service().equals(service))
        .orElseThrow(() -> new NotFoundException(null, "service '" + service + "' of app '" + app + "' has no member '"
            + member + "'"));
    if (PRIMARY.equals(m.role())) {
      return noOp(OperationKind.PROMOTE_MEMBER, s, actor, member + " is already the primary");
    }
    if (!REPLICA.equals(m.role())) {
      throw new ConflictException(null, "member '" + member + "' is a " + m.role() + ", not a replica");
    }
    if (m.state() != MemberState.RUNNING) {
      throw new ConflictException(null, "member '" + member + "' is " + m.state().wire() + "; only a running replica"
          + " can become the primary");
    }
    return placement.exclusively(() -> {
      requireIdle(s);
      OperationRecord op = operations.newOperation(OperationKind.PROMOTE_MEMBER, target(s) + "/" + member, actor);
      return start(op, s, ServiceState.PROMOTING, () -> { }, ctx -> changes.promote(ctx, s, member));
    });
  }

  /** Started by the watch: answers null when another change of the service runs (it looks again later). */
  OperationView failover(ServiceRecord s, String primary, String why) {
    OperationRecord op = operations.newOperation(OperationKind.FAILOVER, target(s) + "/" + primary, null);
    return startIfIdle(op, s, ServiceState.FAILING_OVER, ctx -> changes.failover(ctx, s, primary, why));
  }

  OperationView rejoin(ServiceRecord s, String member) {
    OperationRecord op = operations.newOperation(OperationKind.REJOIN_MEMBER, target(s) + "/" + member, null);
    return startIfIdle(op, s, ServiceState.REJOINING, ctx -> changes.rejoin(ctx, s, member));
  }

  private OperationView startIfIdle(OperationRecord op, ServiceRecord s, ServiceState state, Operations.Work work) {
    try {
      return start(op, s, state, () -> { }, work);
    } catch (ConflictException busy) {
      return null;
    }
  }

  /**
   * Claims the service (nothing is stored when another change holds it), stores the rows and the operation,
   * and runs the work; the service is ready again when the work ends.
   */
  private OperationView start(OperationRecord op, ServiceRecord s, ServiceState state, Runnable rows,
      Operations.Work work) {
    if (!store.changeServiceState(s.app(), s.name(), ServiceState.READY, state, op.id())) {
      throw busy(store.service(s.app(), s.name()).orElse(s));
    }
    try {
      rows.run();
      store.insertOperation(op);
    } catch (RuntimeException e) {
      store.changeServiceState(s.app(), s.name(), state, ServiceState.READY, null);
      throw e;
    }
    operations.submit(op, ctx -> {
      try {
        work.run(ctx);
      } finally {
        store.changeServiceState(s.app(), s.name(), state, ServiceState.READY, null);
      }
    });
    return operations.view(op.id());
  }

  private void requireIdle(ServiceRecord s) {
    ServiceRecord now = store.service(s.app(), s.name()).orElseThrow();
    if (now.state() != ServiceState.READY) {
      throw busy(now);
    }
  }

  private static ConflictException busy(ServiceRecord s) {
    return new ConflictException(null, "service '" + s.name() + "' is " + s.state().wire() + " (operation "
        + s.operationId() + "); try again when it ends");
  }

  private OperationView noOp(OperationKind kind, ServiceRecord s, String actor, String why) {
    OperationRecord op = operations.finishedOperation(kind, target(s), actor);
    store.insertOperation(op);
    store.addStep(op.id(), new StepRecord("nothing to do", StepStatus.DONE, why, clock.instant()));
    return operations.view(op.id());
  }

  private ServiceRecord service(String app, String service) {
    Names.require("app", app);
    Names.require("service", service);
    AppRecord a = store.app(app).orElseThrow(() -> new NotFoundException(null, "app '" + app + "' not found"));
    return store.service(a.name(), service)
        .orElseThrow(() -> new NotFoundException(null, "app '" + app + "' has no service '" + service + "'"));
  }

  private static String target(ServiceRecord s) {
    return "apps/" + s.app() + "/services/" + s.name();
  }
}
