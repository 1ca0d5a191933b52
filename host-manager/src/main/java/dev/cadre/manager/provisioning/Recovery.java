package dev.cadre.manager.provisioning;

import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.driver.Instance;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.StepRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start does about a previous run that ended without warning (kill -9, power loss): every
 * unfinished operation is rolled back or resumed, and what no row accounts for any more — containers
 * marked with this store's id, allocated addresses — is removed. After it no member is stuck in a
 * transient state, no address is held by nobody, no container of ours is unknown.
 */
public final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  static final String INTERRUPTED = "interrupted by restart";

  private final Store store;
  private final DriverRegistry drivers;
  private final Containers containers;
  private final Ipam ipam;
  private final MemberEvents members;
  private final Operations operations;
  private final AppWorkflows workflows;
  private final Clock clock;
  private final AppStates appStates;
  private final java.util.function.BiConsumer<dev.cadre.manager.operations.OperationContext, String> moves;

  /** {@code moves}: finishes or undoes the move of an app whose server died (it runs as that move's operation). */
  public Recovery(Store store, DriverRegistry drivers, Containers containers, Ipam ipam, MemberEvents members,
      Operations operations, AppWorkflows workflows, Clock clock,
      java.util.function.BiConsumer<dev.cadre.manager.operations.OperationContext, String> moves) {
    this.moves = moves;
    this.store = store;
    this.drivers = drivers;
    this.containers = containers;
    this.ipam = ipam;
    this.members = members;
    this.operations = operations;
    this.workflows = workflows;
    this.clock = clock;
    this.appStates = new AppStates(store);
  }

  /** At start: every unfinished operation of a server that is gone. Answers how many it handled. */
  public int run() {
    return run(true);
  }

  /**
   * Rolls back or resumes the unfinished operations of servers that are gone. At start every operation
   * without a live owner counts; in the background rounds only those whose owner is known and gone
   * (another server of a shared PostgreSQL store that died), never this server's own. Only one run at a
   * time in this server: two would both take the same operation.
   */
  public int run(boolean atStart) {
    return run(atStart, () -> true);
  }

  /**
   * {@link #run(boolean)} as background work: each operation is taken only while {@code fence} says this
   * server still leads, so that a server that lost the lease never rolls back what the new leader resumed.
   * The owner of an operation is written with its row, and a server counts as alive while its heartbeat is
   * recent: a live server's operations are never taken, also not by a server that has just started.
   */
  public synchronized int run(boolean atStart, BooleanSupplier fence) {
    if (!atStart && "h2".equals(store.kind())) {
      // the embedded store has one server: whatever another one left was taken at start, and an operation of
      // another owner now is a live plane's (a test that opens a second plane on the same file)
      return 0;
    }
    List<OperationRecord> unfinished = store.unfinishedOperations();
    int handled = 0;
    for (OperationRecord op : unfinished) {
      if (!fence.getAsBoolean()) {
        return handled;
      }
      String owner = store.operationOwner(op.id());
      if (operations.server().equals(owner)) {
        continue;
      }
      if (owner == null ? !atStart : store.serverAlive(owner)) {
        continue;
      }
      if (!store.claimOperation(op.id(), owner, operations.server())) {
        continue; // another server took it first (the check above and this claim are apart in time)
      }
      handled++;
      try {
        switch (op.kind()) {
          case CREATE_APP -> rollBackCreate(op);
          case DRAIN_HOST -> {
            rollBackMoves(op);
            // the host keeps its state: draining takes no new members, and the operator decides (drain again, resume)
            String host = op.target().substring(op.target().indexOf('/') + 1);
            store.host(host).ifPresent(h -> step(op, "host state", host + " stays " + h.state().wire()
                + (h.state() == HostState.DRAINING ? ": drain it again or resume it" : "")));
            operations.finish(op.id(), OperationStatus.FAILURE, INTERRUPTED);
          }
          case DELETE_APP -> {
            String app = appName(op);
            step(op, "resumed after restart", "deleting app " + app + " again");
            operations.submit(op, ctx -> workflows.delete(ctx, app));
          }
          case MOVE_APP -> {
            String app = appName(op);
            step(op, "resumed after restart", "finishing or undoing the move of " + app);
            operations.submit(op, ctx -> moves.accept(ctx, app));
          }
          case CONVERT_SERVICE, PROMOTE_MEMBER, FAILOVER, REJOIN_MEMBER -> {
            rollBackRoleChange(op);
            operations.finish(op.id(), OperationStatus.FAILURE, INTERRUPTED);
          }
          default -> operations.finish(op.id(), OperationStatus.FAILURE, INTERRUPTED);
        }
      } catch (RuntimeException e) {
        LOG.warn("recovering operation {} failed: {}", op.id(), e.toString());
        operations.finish(op.id(), OperationStatus.FAILURE, INTERRUPTED + "; recovery incomplete: " + e.getMessage());
      }
    }
    if (!atStart) {
      return handled;
    }
    // members stuck in a transient state without an unfinished operation (should not happen, but a
    // store written by an older version might have them)
    for (MemberRecord m : store.allMembers()) {
      if (m.state().provisioning()
          && unfinished.stream().noneMatch(op -> op.id().equals(m.operationId()))) {
        rollBack(null, m, false);
      }
    }
    int released = store.releaseUnownedAddresses();
    if (released > 0) {
      LOG.info("released {} addresses that no member held", released);
    }
    sweepContainers();
    return handled;
  }

  /**
   * Members caught in a move: the row's host is where the member lives (it is switched only once the
   * copy is healthy); a copy elsewhere goes, and the member is started where it lives.
   */
  private void rollBackMoves(OperationRecord op) {
    for (MemberRecord m : store.allMembers()) {
      if (m.state() != MemberState.MOVING) {
        continue;
      }
      String detail;
      MemberState state = MemberState.RUNNING;
      try {
        String dc = store.host(m.host()).orElseThrow().datacenter();
        for (HostRecord other : store.hosts()) {
          if (!other.name().equals(m.host()) && other.datacenter().equals(dc)) {
            try {
              drivers.driver(other.name()).find(m.name()).filter(containers::ours)
                  .ifPresent(i -> containers.remove(other.name(), m.name()));
            } catch (RuntimeException e) {
              LOG.warn("could not check {} for a copy of {}: {}", other.name(), m.name(), e.toString());
            }
          }
        }
        var here = drivers.driver(m.host()).find(m.name());
        if (here.isEmpty()) {
          state = MemberState.FAILED;
          detail = "its container is gone from " + m.host();
        } else {
          if (!here.get().running()) {
            drivers.driver(m.host()).start(m.name());
          }
          detail = "started again on " + m.host() + "; the health monitor watches it";
        }
      } catch (RuntimeException e) {
        state = MemberState.FAILED;
        detail = "could not restart it on " + m.host() + ": " + e.getMessage();
      }
      step(op, m.name() + ": move rolled back", detail);
      members.change(m, state, state == MemberState.FAILED ? INTERRUPTED + "; " + detail : null);
    }
  }

  /**
   * A role change cut short: members it was still making go (container, address, row), and the service is
   * released so that the next change (or the failover watch) can run. Roles it already changed stay as the
   * store says; the watch fails over a primary that does not answer, and a service
   * left without a primary (a failover cut short after the demotion) to its most current replica.
   */
  private void rollBackRoleChange(OperationRecord op) {
    for (MemberRecord m : store.allMembers()) {
      if (op.id().equals(m.operationId()) && m.state().provisioning()) {
        rollBack(op, m, false);
        store.deleteMember(m.name());
      }
    }
    String[] parts = op.target().split("/");
    if (parts.length >= 4 && parts[0].equals("apps") && parts[2].equals("services")) {
      store.service(parts[1], parts[3]).filter(s -> op.id().equals(s.operationId()))
          .ifPresent(s -> store.changeServiceState(s.app(), s.name(), s.state(),
              dev.cadre.manager.lifecycle.ServiceState.READY, null));
    }
  }

  private void rollBackCreate(OperationRecord op) {
    String appName = appName(op);
    AppRecord app = store.app(appName).orElse(null);
    if (app == null) {
      operations.finish(op.id(), OperationStatus.FAILURE, INTERRUPTED);
      return;
    }
    for (MemberRecord m : store.members(appName)) {
      if (!op.id().equals(m.operationId()) || m.state() == MemberState.RUNNING || m.state() == MemberState.DELETING) {
        continue;
      }
      rollBack(op, m, app.keepFailed() && m.state() == MemberState.FAILED);
    }
    appStates.follow(appName);
    operations.finish(op.id(), OperationStatus.FAILURE, INTERRUPTED);
  }

  private void rollBack(OperationRecord op, MemberRecord m, boolean keep) {
    String detail;
    if (keep) {
      detail = "failed member kept (keep_failed)";
    } else {
      try {
        detail = containers.remove(m.host(), m.name());
        ipam.release(m.name());
        detail += "; address released";
      } catch (RuntimeException e) {
        detail = "host " + m.host() + " did not answer (" + e.getMessage()
            + "); the container may remain, its address stays allocated until the app is deleted";
      }
    }
    if (op != null) {
      step(op, m.name() + ": rollback", detail);
    }
    String error = m.state() == MemberState.FAILED && m.error() != null ? m.error() : INTERRUPTED;
    members.change(m, MemberState.FAILED, error);
  }

  /**
   * Removes containers marked with this store's id that no member row names (a create still in flight at
   * the host when cadre died, a delete cut short). Safe at any time: a member's row is written before its
   * container is created and removed after it is deleted. Hosts the prober found unreachable are left for
   * a later sweep (one that hangs would hold the sweep of every other host).
   */
  public void sweepContainers() {
    sweepContainers(() -> true);
  }

  /** {@link #sweepContainers()} as background work: a container is removed only while {@code fence} says yes. */
  public void sweepContainers(BooleanSupplier fence) {
    List<MemberRecord> all = store.allMembers();
    Set<String> known = all.stream().map(MemberRecord::name).collect(Collectors.toSet());
    // a copy left on another host than its member's (a move or drain whose undo could not reach that host)
    // goes too, unless a move or a relocation still works on the member
    Set<String> moving = store.allMoves().stream().map(dev.cadre.manager.store.MoveRecord::holder)
        .collect(Collectors.toSet());
    // (only while no operation runs: a drain's pre-copy is a copy on another host too, with no move row)
    boolean idle = store.countOperations(OperationStatus.RUNNING) + store.countOperations(OperationStatus.PENDING) == 0;
    java.util.Map<String, String> settled = all.stream()
        .filter(m -> idle && m.state() != MemberState.MOVING && !moving.contains(m.name()))
        .collect(Collectors.toMap(MemberRecord::name, MemberRecord::host));
    for (HostRecord h : store.hosts()) {
      if (h.state() == HostState.UNREACHABLE) {
        continue;
      }
      if (!fence.getAsBoolean()) {
        return;
      }
      try {
        for (Instance i : drivers.driver(h.name()).list()) {
          if (containers.ours(i) && !known.contains(i.name())) {
            LOG.info("removing container {} on {}: no member of this cadre has it", i.name(), h.name());
            containers.remove(h.name(), i.name());
          } else if (containers.ours(i) && settled.containsKey(i.name()) && !settled.get(i.name()).equals(h.name())) {
            LOG.info("removing container {} on {}: a copy left behind (its member lives on {})", i.name(), h.name(),
                settled.get(i.name()));
            containers.remove(h.name(), i.name());
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("could not sweep host {}: {}", h.name(), e.toString());
      }
    }
  }

  private void step(OperationRecord op, String name, String detail) {
    store.addStep(op.id(), new StepRecord(name, StepStatus.UNDONE, detail, clock.instant()));
  }

  static String appName(OperationRecord op) {
    return op.target().startsWith("apps/") ? op.target().substring("apps/".length()) : op.target();
  }
}
