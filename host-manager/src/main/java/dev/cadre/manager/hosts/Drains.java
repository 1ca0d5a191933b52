package dev.cadre.manager.hosts;

import dev.cadre.driver.ConflictException;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.provisioning.AppWorkflows;
import dev.cadre.manager.scheduling.Need;
import dev.cadre.manager.scheduling.Placement;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Emptying a host: it turns {@code draining} (no new members), every running member is placed on another
 * host of its datacenter up front (or the drain is refused with the reason), then moved keeping its address;
 * when none is left the host is {@code drained}. Either takes no new members until {@link #resume}.
 *
 * <p>A resume is refused while a drain of the host is unfinished (on any server of the store): the operator
 * cancels the drain first ({@code DELETE /v1/operations/ID}; members it had not moved yet stay where they are)
 * rather than have a resume and a drain pull the host both ways. A drain that fails, is cancelled or is cut
 * short by a restart (its moves rolled back by the recovery) leaves the host draining.
 */
public final class Drains {
  private final Store store;
  private final HostRegistry hosts;
  private final Placement placement;
  private final Operations operations;
  private final AppWorkflows workflows;
  private final Clock clock;
  /** Host name -> the id of the drain working on it. */
  private final Map<String, String> active = new ConcurrentHashMap<>();

  public Drains(Store store, HostRegistry hosts, Placement placement, Operations operations, AppWorkflows workflows,
      Clock clock) {
    this.store = store;
    this.hosts = hosts;
    this.placement = placement;
    this.operations = operations;
    this.workflows = workflows;
    this.clock = clock;
  }

  public OperationView drain(String name, String actor) {
    HostRecord h = hosts.require(name);
    return placement.exclusively(() -> {
      String running = active.get(name);
      if (running != null) {
        throw new ConflictException(null, "host '" + name + "' is already being drained by operation " + running);
      }
      if (!h.state().canBecome(HostState.DRAINING)) {
        throw new ConflictException(null, "host '" + name + "' is " + h.state().wire()
            + "; only a host that answers can be drained");
      }
      List<MemberRecord> on = store.allMembers().stream().filter(m -> m.host().equals(name)).toList();
      for (MemberRecord m : on) {
        if (!m.state().watched()) {
          throw new ConflictException(null, "member " + m.name() + " on '" + name + "' is " + m.state().wire()
              + "; drain moves running members only (delete or wait for its app first)");
        }
      }
      HostRecord draining = h.withState(HostState.DRAINING, null, clock.instant());
      if (!store.updateHost(draining, h.state())) {
        throw new ConflictException(null, "host '" + name + "' changed state meanwhile; try again");
      }
      Map<String, String> targets = new LinkedHashMap<>();
      try {
        // an empty host needs no room elsewhere (the only host of its datacenter can be drained too)
        List<String> placed = on.isEmpty() ? List.of() : placement.place(h.datacenter(),
            on.stream().map(m -> new Need(m.app() + "/" + m.service(), m.cpus(), m.memoryMiB(), m.diskMiB())).toList());
        for (int i = 0; i < on.size(); i++) {
          targets.put(on.get(i).name(), placed.get(i));
        }
      } catch (RuntimeException e) {
        store.updateHost(draining.withState(h.state(), h.lastError(), clock.instant()), HostState.DRAINING);
        throw e;
      }
      if (h.state() != HostState.DRAINING) {
        hosts.publish(name, HostState.DRAINING.wire(), h.state().wire(), null);
      }
      OperationRecord op = operations.newOperation(OperationKind.DRAIN_HOST, "hosts/" + name, actor);
      store.insertOperation(op);
      active.put(name, op.id());
      operations.submit(op, ctx -> {
        try {
          ctx.step("plan", targets.isEmpty() ? "no members on " + name
              : targets.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue()).collect(Collectors.joining(", ")));
          workflows.drain(ctx, name, targets);
          drained(ctx, name);
        } finally {
          active.remove(name, op.id());
        }
      });
      return operations.view(op.id());
    });
  }

  /** After every move succeeded: the host is drained if nothing is left on it (and nobody resumed it meanwhile). */
  private void drained(OperationContext ctx, String name) {
    placement.exclusively(() -> {
      HostRecord h = store.host(name).orElse(null);
      long left = store.allMembers().stream().filter(m -> m.host().equals(name)).count();
      if (h == null || h.state() != HostState.DRAINING) {
        ctx.step("host state", name + " is " + (h == null ? "removed" : h.state().wire()) + "; left as it is");
      } else if (left > 0) {
        ctx.step("host state", name + " still holds " + left + " members (created while the drain was planned);"
            + " it stays draining: drain it again");
      } else if (store.updateHost(h.withState(HostState.DRAINED, null, clock.instant()), HostState.DRAINING)) {
        hosts.publish(name, HostState.DRAINED.wire(), HostState.DRAINING.wire(), null);
        ctx.step("host state", name + " is drained: no member left, none placed until it is resumed");
      }
      return null;
    });
  }

  /** A draining or drained host takes members again (a finished operation); 409 otherwise or while a drain runs. */
  public OperationView resume(String name, String actor) {
    hosts.require(name);
    return placement.exclusively(() -> {
      HostRecord h = hosts.require(name);
      if (!h.state().drainedOrDraining()) {
        throw new ConflictException(null, "host '" + name + "' is " + h.state().wire()
            + "; only a draining or drained host can be resumed");
      }
      String drain = active.get(name);
      if (drain == null) {
        drain = store.unfinishedOperations().stream()
            .filter(op -> op.kind() == OperationKind.DRAIN_HOST && op.target().equals("hosts/" + name))
            .map(OperationRecord::id).findFirst().orElse(null);
      }
      if (drain != null) {
        throw new ConflictException(null, "host '" + name + "' is being drained by operation " + drain
            + "; cancel it first (DELETE /v1/operations/" + drain + "), then resume");
      }
      if (!store.updateHost(h.withState(HostState.READY, null, clock.instant()), h.state())) {
        throw new ConflictException(null, "host '" + name + "' changed state meanwhile; try again");
      }
      OperationRecord op = operations.finishedOperation(OperationKind.RESUME_HOST, "hosts/" + name, actor);
      store.insertOperation(op);
      hosts.publish(name, HostState.READY.wire(), h.state().wire(), null);
      return operations.view(op.id());
    });
  }
}
