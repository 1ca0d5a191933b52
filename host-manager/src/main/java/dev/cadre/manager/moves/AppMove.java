package dev.cadre.manager.moves;

import dev.cadre.manager.hooks.Dependencies;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.provisioning.AppStates;
import dev.cadre.manager.provisioning.MemberJob;
import dev.cadre.manager.provisioning.MemberMove;
import dev.cadre.manager.roles.RoleChanges;
import dev.cadre.manager.roles.Roles;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.MoveRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.TemplateCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The work of a move whose rows {@link Moves} wrote:
 * <ol>
 *   <li>pre-copy: every member's container is copied to its target host while it serves, then refreshed;</li>
 *   <li>the pause, every member at once: the {@code stop} hook, the data directories summed, the last
 *       refresh (the source container runs on, its service stopped), the copy started with its new address
 *       and its data summed again;</li>
 *   <li>the switch: members, service addresses and the app turn to the target in one transaction;</li>
 *   <li>the copies are configured and started in dependency order (a service's primary first), so every
 *       member and dependent learns the new addresses; each service address goes to its primary;</li>
 *   <li>the end: the source containers go, their addresses are released, the reserved ones become the
 *       members' and services' own.</li>
 * </ol>
 * Until the end every source container is kept (running, its service stopped): a failure or a cancel before it undoes the move (the switch
 * too), and the app serves from the source again with the data it stopped with; no copy has served a write.
 */
public final class AppMove {
  private final Store store;
  private final TemplateCatalog templates;
  private final DriverRegistry drivers;
  private final Ipam ipam;
  private final MemberMove move;
  private final ExecutorService pool;
  private final RoleChanges changes;

  public AppMove(Store store, TemplateCatalog templates, DriverRegistry drivers, Ipam ipam, MemberMove move,
      ExecutorService pool, RoleChanges changes) {
    this.changes = changes;
    this.store = store;
    this.templates = templates;
    this.drivers = drivers;
    this.ipam = ipam;
    this.move = move;
    this.pool = pool;
  }

  /** @param byHooks members that move through their template's hooks (the others' containers are copied) */
  public void run(OperationContext ctx, String app, java.util.Set<String> byHooks) {
    List<MoveRecord> rows = store.moves(app);
    Map<String, MoveRecord> byMember = rows.stream().filter(MoveRecord::member)
        .collect(Collectors.toMap(MoveRecord::holder, Function.identity()));
    Map<String, String> networks = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::network));
    List<MemberRecord> members = store.members(app).stream().filter(m -> byMember.containsKey(m.name()))
        // replicas before primaries: the copy that matters most goes last, with the freshest data
        .sorted(Comparator.comparing((MemberRecord m) -> Roles.PRIMARY.equals(m.role())).thenComparing(MemberRecord::name))
        .toList();
    Map<String, List<MemberRecord>> fresh = fresh(app, ctx.id());
    String to = rows.get(0).toDatacenter();
    boolean paused = false;
    boolean switched = false;
    java.util.Set<String> promoted = new java.util.HashSet<>();
    try {
      // 1. while the app serves: containers pre-copied, and services that replicate get replicas at the target
      List<Runnable> first = new ArrayList<>();
      Map<String, ServiceRecord> before = services(app);
      Map<String, MemberJob> targets = targetJobs(ctx, app, before, byMember, networks, to);
      for (MemberRecord m : members) {
        MoveRecord r = byMember.get(m.name());
        first.add(byHooks.contains(m.name()) ? () -> move.preCreate(ctx, targets.get(m.name()))
            : () -> move.preCopy(ctx, m, new MemberMove.Target(r.toHost(), networks.get(r.toHost()), r.toAddress())));
      }
      fresh.forEach((service, added) -> first.add(() -> {
        ctx.step(service + ": replicas at the target", added.stream().map(m -> m.name() + " on " + m.host() + " "
            + m.ip()).collect(Collectors.joining(", ")));
        changes.addReplicas(ctx, store.service(app, service).orElseThrow(), to, added);
        ctx.step(service + ": replicas caught up", "the primary serves on until the switch");
        preAssign(ctx, app, service, added, rows);
      }));
      all(first, task -> {
        task.run();
        return true;
      });
      ctx.progress(50);
      ctx.checkCancelled();

      // 2. the pause
      paused = true;
      Map<String, ServiceRecord> services = services(app);
      Map<String, MemberJob> sourceJobs = jobs(ctx, app, services, networks);
      all(members, m -> {
        MoveRecord r = byMember.get(m.name());
        MemberJob job = sourceJobs.get(m.name());
        if (byHooks.contains(m.name())) {
          move.quiesce(ctx, job, job.member(), true, false);
          if (!job.template().dataDirs().isEmpty()) {
            move.handOver(ctx, job, targets.get(m.name()));
          }
          return m;
        }
        String sum = move.quiesce(ctx, job, job.member(), true);
        move.finalCopy(ctx, job, job.member(), new MemberMove.Target(r.toHost(), networks.get(r.toHost()), r.toAddress()),
            sum);
        return m;
      });
      ctx.progress(75);
      ctx.checkCancelled();

      // 3. the switch
      store.switchMove(app, true);
      switched = true;
      ctx.step("switch", "app " + app + " is in " + rows.get(0).toDatacenter() + " now (members, addresses)");

      // 4. serve from the target, dependencies first, primaries first
      services = services(app);
      Map<String, MemberJob> targetJobs = jobs(ctx, app, services, networks);
      for (ServiceRecord s : Dependencies.dependenciesFirst(List.copyOf(services.values()))) {
        if (fresh.containsKey(s.name())) {
          // a switchover to a replica at the target: its pause is the promotion's
          MemberRecord next = fresh.get(s.name()).stream().min(Comparator.comparingInt(MemberRecord::ordinal))
              .orElseThrow();
          promoted.add(s.name());
          changes.promote(ctx, s, next.name());
          continue;
        }
        List<MemberJob> jobs = targetJobs.values().stream().filter(j -> j.service().name().equals(s.name()))
            .sorted(Comparator.comparing((MemberJob j) -> !Roles.PRIMARY.equals(j.member().role()))
                .thenComparing(j -> j.member().name()))
            .toList();
        List<MemberJob> primaries = jobs.stream().filter(j -> Roles.PRIMARY.equals(j.member().role())).toList();
        List<MemberJob> others = jobs.stream().filter(j -> !Roles.PRIMARY.equals(j.member().role())).toList();
        all(primaries, j -> move.serve(ctx, j));
        all(others, j -> move.serve(ctx, j));
        if (s.address() != null && !primaries.isEmpty()) {
          MemberRecord p = primaries.get(0).member();
          drivers.driver(p.host()).assignAddress(p.name(), s.address());
          ctx.step(s.name() + ": service address", s.address() + " now reaches " + p.name());
        }
      }
      ctx.progress(90);
      new AppStates(store).follow(app);
    } catch (RuntimeException e) {
      undo(ctx, app, rows, byMember, paused, switched, e);
      undoReplicas(ctx, app, fresh, promoted);
      throw e instanceof OperationCancelledException ? e
          : e instanceof OperationFailedException ? e
          : new OperationFailedException("the move failed and was undone: " + message(e));
    }

    // 5. the end: nothing can undo the move from here on (the copies serve)
    finish(ctx, app, rows);
    dropOld(ctx, app, fresh);
    ctx.step("moved", app + ": " + rows.get(0).fromDatacenter() + " -> " + rows.get(0).toDatacenter());
  }

  /**
   * A move whose server died (kill -9, power loss), from the rows it left: one that had switched and whose
   * members all serve at the target is finished; any other is undone (copies removed, sources started).
   */
  public void resume(OperationContext ctx, String app) {
    List<MoveRecord> rows = store.moves(app);
    try {
      if (rows.isEmpty()) {
        ctx.step("resumed after restart", "the move of " + app + " had left nothing to finish or undo");
        return;
      }
      Map<String, MoveRecord> byMember = rows.stream().filter(MoveRecord::member)
          .collect(Collectors.toMap(MoveRecord::holder, Function.identity()));
      boolean switched = rows.get(0).switched();
      Map<String, List<MemberRecord>> fresh = fresh(app, rows.get(0).operationId());
      java.util.Set<String> promoted = new java.util.HashSet<>();
      for (String service : fresh.keySet()) {
        if (store.members(app).stream().anyMatch(m -> m.service().equals(service) && Roles.PRIMARY.equals(m.role())
            && rows.get(0).operationId().equals(m.operationId()))) {
          promoted.add(service);
        }
      }
      boolean serving = switched && promoted.size() == fresh.size()
          && store.members(app).stream().filter(m -> byMember.containsKey(m.name()))
          .allMatch(m -> m.state() == MemberState.RUNNING && m.host().equals(byMember.get(m.name()).toHost()));
      if (serving) {
        ctx.step("resumed after restart", "every member serves at the target: finishing the move");
        finish(ctx, app, rows);
        dropOld(ctx, app, fresh);
        return;
      }
      OperationFailedException why = new OperationFailedException("the move was interrupted by a restart "
          + (switched ? "after the switch, before every member served at the target" : "before the switch")
          + "; it was undone");
      undo(ctx, app, rows, byMember, true, switched, why);
      undoReplicas(ctx, app, fresh, promoted);
      throw why;
    } finally {
      for (ServiceRecord s : store.services(app)) {
        store.changeServiceState(app, s.name(), dev.cadre.manager.lifecycle.ServiceState.MOVING,
            dev.cadre.manager.lifecycle.ServiceState.READY, null);
      }
    }
  }

  /** The members this move added to services that move by replication (made by its operation), per service. */
  private Map<String, List<MemberRecord>> fresh(String app, String operationId) {
    return store.members(app).stream().filter(m -> operationId.equals(m.operationId()))
        .collect(Collectors.groupingBy(MemberRecord::service, java.util.TreeMap::new, Collectors.toList()));
  }

  /** Services that moved by replication: their members at the source go (the new ones serve). */
  private void dropOld(OperationContext ctx, String app, Map<String, List<MemberRecord>> fresh) {
    fresh.forEach((service, added) -> {
      List<MemberRecord> old = store.members(app).stream().filter(m -> m.service().equals(service)
          && added.stream().noneMatch(a -> a.name().equals(m.name()))).toList();
      try {
        changes.dropMembers(ctx.uncancellable(), store.service(app, service).orElseThrow(), old);
        ctx.step(service + ": members at the source removed", old.stream().map(MemberRecord::name)
            .collect(Collectors.joining(", ")));
        changes.tellDependents(ctx.uncancellable(), store.service(app, service).orElseThrow()); // fewer members now
      } catch (RuntimeException e) {
        ctx.step(service + ": members at the source removed", StepStatus.FAILED, message(e)
            + " (the service serves at the target; delete them by converting or deleting the app)");
      }
    });
  }

  /**
   * The service's address in the target datacenter goes to the replica that the switch will promote, before
   * the pause: nobody is told it before the switch, and from the switch on a client that asks for it reaches
   * that member at once (a refusal until the promotion, then its writes) instead of an address nobody holds
   * yet; the promotion then finds the address in place and only checks it. The replica's removal on an
   * undo takes the address with it.
   */
  private void preAssign(OperationContext ctx, String app, String service, List<MemberRecord> added,
      List<MoveRecord> rows) {
    String address = rows.stream().filter(r -> !r.member() && r.holder().equals(ServiceRecord.holder(app, service)))
        .map(MoveRecord::toAddress).findFirst().orElse(null);
    MemberRecord next = added.stream().min(Comparator.comparingInt(MemberRecord::ordinal)).orElse(null);
    if (address == null || next == null) {
      return;
    }
    try {
      drivers.driver(next.host()).assignAddress(next.name(), address);
      ctx.step(service + ": service address at the target", address + " on " + next.name()
          + " before the switch (a replica until then: it refuses writes)");
    } catch (RuntimeException e) {
      // the promotion assigns it anyway, only later
      ctx.step(service + ": service address at the target", StepStatus.FAILED, message(e) + " (the switch assigns it)");
    }
  }

  /**
   * Services that were moving by replication, undone: a replica at the target that was promoted hands the
   * primary back to a member at the source (which followed it, so it has every write), then the members
   * this move added go.
   */
  private void undoReplicas(OperationContext cancellable, String app, Map<String, List<MemberRecord>> fresh,
      java.util.Set<String> promoted) {
    OperationContext ctx = cancellable.uncancellable();
    fresh.forEach((service, added) -> {
      try {
        ServiceRecord s = store.service(app, service).orElseThrow();
        if (promoted.contains(service)) {
          MemberRecord back = store.members(app).stream().filter(m -> m.service().equals(service)
                  && added.stream().noneMatch(a -> a.name().equals(m.name())) && m.state() == MemberState.RUNNING)
              .min(Comparator.comparingInt(MemberRecord::ordinal))
              .orElseThrow(() -> new OperationFailedException("no member of " + service + " at the source runs"));
          changes.promote(ctx, s, back.name());
        }
        changes.dropMembers(ctx, store.service(app, service).orElseThrow(), added);
        ctx.step(service + ": back at the source", StepStatus.UNDONE, "the replicas at the target are removed");
      } catch (RuntimeException e) {
        ctx.step(service + ": back at the source", StepStatus.FAILED, message(e));
      }
    });
  }

  /** Removes the sources and hands the reserved addresses to their owners; what fails is left to the sweep. */
  void finish(OperationContext ctx, String app, List<MoveRecord> rows) {
    for (MoveRecord r : rows) {
      if (r.member()) {
        try {
          ctx.step(r.holder() + ": source removed", move.remove(r.fromHost(), r.holder()));
        } catch (RuntimeException e) {
          ctx.step(r.holder() + ": source removed", StepStatus.FAILED, message(e) + " (the sweep removes it when "
              + r.fromHost() + " answers)");
        }
      }
      // by address, not by holder: a finish repeated after a crash must not release the new one
      if (r.fromAddress() != null) {
        store.releaseAddress(r.holder(), r.fromAddress());
      }
      store.moveAddress(r.reservedHolder(), r.toAddress(), r.holder(), java.time.Instant.now());
    }
    store.deleteMoves(app);
    ctx.progress(100);
  }

  private void undo(OperationContext ctx, String app, List<MoveRecord> rows, Map<String, MoveRecord> byMember,
      boolean paused, boolean switched, RuntimeException why) {
    ctx.step("undo", StepStatus.FAILED, message(why));
    if (switched) {
      store.switchMove(app, false);
    }
    Map<String, ServiceRecord> services = services(app);
    Map<String, String> networks = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::network));
    Map<String, MemberJob> jobs = paused ? jobs(ctx, app, services, networks) : Map.of();
    List<String> failures = new ArrayList<>();
    for (MoveRecord r : rows) {
      if (!r.member()) {
        continue;
      }
      try {
        String detail = paused ? move.back(ctx, jobs.get(r.holder()), r) : removeCopy(r);
        ctx.step(r.holder() + ": back on " + r.fromHost(), StepStatus.UNDONE, detail);
      } catch (RuntimeException e) {
        failures.add(r.holder() + ": " + message(e));
      }
    }
    for (ServiceRecord s : services.values()) {
      MemberRecord p = store.members(app).stream()
          .filter(m -> m.service().equals(s.name()) && Roles.PRIMARY.equals(m.role())).findFirst().orElse(null);
      if (s.address() != null && p != null && paused && byMember.containsKey(p.name())) {
        try {
          drivers.driver(p.host()).assignAddress(p.name(), s.address()); // again inside the restarted container
        } catch (RuntimeException e) {
          failures.add(s.name() + ": service address " + s.address() + ": " + message(e));
        }
      }
    }
    for (MoveRecord r : rows) {
      ipam.release(r.reservedHolder());
    }
    store.deleteMoves(app);
    new AppStates(store).follow(app);
    if (!failures.isEmpty()) {
      ctx.step("undo incomplete", StepStatus.FAILED, String.join("; ", failures));
    }
  }

  private String removeCopy(MoveRecord r) {
    try {
      return move.remove(r.toHost(), r.holder());
    } catch (RuntimeException e) {
      return "copy on " + r.toHost() + " not removed: " + message(e) + " (the sweep removes it)";
    }
  }

  private Map<String, ServiceRecord> services(String app) {
    return store.services(app).stream().collect(Collectors.toMap(ServiceRecord::name, Function.identity()));
  }

  /** One job per member, with the picture the store holds now (the source's before the switch, the target's after). */
  private Map<String, MemberJob> jobs(OperationContext ctx, String app, Map<String, ServiceRecord> services,
      Map<String, String> networks) {
    AppRecord a = store.app(app).orElseThrow();
    Subnet subnet = Ipam.subnetOf(store.datacenter(a.datacenter()).orElseThrow());
    List<MemberRecord> all = store.members(app);
    Map<String, MemberJob> out = new ConcurrentHashMap<>();
    for (MemberRecord m : all) {
      ServiceRecord s = services.get(m.service());
      List<MemberRecord> peers = all.stream().filter(p -> p.service().equals(m.service())).toList();
      out.put(m.name(), new MemberJob(ctx.id(), m, s, templates.require(s.template()), peers, subnet,
          networks.get(m.host()), a.keepFailed(), a.datacenter()));
    }
    return out;
  }

  /**
   * One job per member that moves, with the picture it will have at the target (its host and address
   * there, its peers' too, the target datacenter's subnet): what a member made afresh there is configured with.
   */
  private Map<String, MemberJob> targetJobs(OperationContext ctx, String app, Map<String, ServiceRecord> services,
      Map<String, MoveRecord> byMember, Map<String, String> networks, String datacenter) {
    AppRecord a = store.app(app).orElseThrow();
    Subnet subnet = Ipam.subnetOf(store.datacenter(datacenter).orElseThrow());
    List<MemberRecord> there = store.members(app).stream().map(m -> {
      MoveRecord r = byMember.get(m.name());
      return r == null ? m : m.withHost(r.toHost()).withIp(r.toAddress());
    }).toList();
    Map<String, MemberJob> out = new ConcurrentHashMap<>();
    for (MemberRecord m : there) {
      if (byMember.containsKey(m.name())) {
        ServiceRecord s = services.get(m.service());
        out.put(m.name(), new MemberJob(ctx.id(), m, s, templates.require(s.template()),
            there.stream().filter(p -> p.service().equals(m.service())).toList(), subnet, networks.get(m.host()),
            a.keepFailed(), datacenter));
      }
    }
    return out;
  }

  /** Runs {@code step} for each item in parallel; the first failure (a cancel first) is thrown once all ended. */
  private <T, R> List<R> all(List<T> items, Function<T, R> step) {
    return dev.cadre.manager.operations.Futures.joinAll(items.stream()
        .map(i -> CompletableFuture.supplyAsync(() -> step.apply(i), pool)).toList());
  }


  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
