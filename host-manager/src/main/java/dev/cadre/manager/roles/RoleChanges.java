package dev.cadre.manager.roles;

import dev.cadre.manager.Tuning;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.provisioning.AppWorkflows;
import dev.cadre.manager.provisioning.MemberEvents;
import dev.cadre.manager.provisioning.MemberJob;
import dev.cadre.manager.provisioning.MemberProvisioner;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookResult;
import dev.cadre.templates.Template;
import dev.cadre.templates.TemplateCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The work of role changes. cadre says what each member is to be and in which order; the template's hooks
 * know how. Every change keeps one rule: a member stops taking writes (its service address taken away
 * first, then its {@code role} hook makes it a replica) before another starts taking them.
 *
 * <ul>
 *   <li><b>convert to redundant</b>: the primary admits the new members ({@code configure}), they are made
 *       and started as replicas, cadre waits until each has caught up with the primary's position, then
 *       the primary is configured again (a synchronous template now waits for them). Writes are never
 *       refused.
 *   <li><b>convert to single</b>: the primary is configured alone first (it stops waiting for replicas),
 *       then the replicas are removed. Writes are never refused.
 *   <li><b>promote</b>: fence the old primary (address, then {@code role replica}), wait until the new one
 *       has its last position, {@code role primary}, address to the new one, everyone reconfigured.
 *   <li><b>failover</b>: the primary is dead: the replica with the highest position is promoted; the old
 *       one is {@code demoted} and rejoins as a replica when it answers again ({@link #rejoin}).
 * </ul>
 */
public final class RoleChanges {
  private final Store store;
  private final TemplateCatalog templates;
  private final RoleHooks hooks;
  private final ServiceAddresses addresses;
  private final MemberEvents memberEvents;
  private final MemberProvisioner provisioner;
  private final AppWorkflows workflows;
  private final Ipam ipam;
  private final ExecutorService memberPool;
  private final Tuning tuning;
  private final Clock clock;
  private final AtomicLong asks = new AtomicLong();

  public RoleChanges(Store store, TemplateCatalog templates, dev.cadre.manager.hosts.DriverRegistry drivers,
      dev.cadre.manager.hooks.HookRunner hookRunner, ServiceAddresses addresses, MemberEvents memberEvents,
      MemberProvisioner provisioner, AppWorkflows workflows, Ipam ipam, ExecutorService memberPool, Tuning tuning,
      Clock clock, dev.cadre.manager.hooks.Dependencies dependencies) {
    this.store = store;
    this.templates = templates;
    this.hooks = new RoleHooks(store, drivers, hookRunner, tuning, dependencies);
    this.addresses = addresses;
    this.memberEvents = memberEvents;
    this.provisioner = provisioner;
    this.workflows = workflows;
    this.ipam = ipam;
    this.memberPool = memberPool;
    this.tuning = tuning;
    this.clock = clock;
  }

  // ---- convert

  /** Single to redundant: {@code added} are the new members' rows (placed, no address yet). */
  public void toRedundant(OperationContext ctx, ServiceRecord s, String topology, List<MemberRecord> added) {
    MemberRecord primary = runningPrimary(s);
    AppRecord app = store.app(s.app()).orElseThrow();
    Subnet subnet = Ipam.subnetOf(store.datacenter(app.datacenter()).orElseThrow());
    List<MemberRecord> fresh = new ArrayList<>();
    for (MemberRecord m : added) {
      MemberRecord now = store.member(m.name()).orElseThrow();
      if (now.ip() == null) {
        now = now.withIp(ipam.allocate(app.datacenter(), now.name()));
        store.updateMember(now);
        memberEvents.announce(now);
      }
      fresh.add(now);
    }
    ctx.step("allocate addresses", fresh.stream().map(m -> m.name() + "=" + m.ip()).collect(Collectors.joining(" ")));
    ctx.progress(10);

    ServiceRecord target = s.withTopology(topology);
    List<MemberRecord> picture = new ArrayList<>(live(s));
    try {
      hooks.require(ctx, "admit", target, primary, picture, "configure");
      ctx.progress(20);
      List<MemberRecord> started = provision(ctx, target, app, app.datacenter(), subnet, fresh, picture, primary);
      ctx.progress(70);
      for (MemberRecord r : started) {
        awaitPosition(ctx, target, r, picture, primaryPosition(ctx, target, primary, picture), tuning.hookTimeout(),
            true);
      }
      ctx.progress(90);
      hooks.require(ctx, "sync", target, primary, picture, "configure");
    } catch (RuntimeException e) {
      undoAdded(ctx, s, primary, fresh, e);
      throw e;
    }
    store.updateService(store.service(s.app(), s.name()).orElseThrow().withTopology(topology));
    ctx.step("topology", s.topology() + " -> " + topology + ": primary " + primary.name() + ", replicas "
        + fresh.stream().map(MemberRecord::name).collect(Collectors.joining(", ")));
    tellDependents(ctx, store.service(s.app(), s.name()).orElseThrow());
  }

  // ---- a move by replication

  /**
   * The first half of moving a service with replicas to another datacenter: {@code fresh} (rows stored with
   * their addresses, on hosts of {@code datacenter}) become replicas of the running primary, and each has
   * caught up with it when this returns; the service serves throughout. On failure they go and the primary
   * is configured as it was.
   */
  public void addReplicas(OperationContext ctx, ServiceRecord s, String datacenter, List<MemberRecord> fresh) {
    MemberRecord primary = runningPrimary(s);
    AppRecord app = store.app(s.app()).orElseThrow();
    Subnet subnet = Ipam.subnetOf(store.datacenter(datacenter).orElseThrow());
    List<MemberRecord> picture = new ArrayList<>(live(s));
    try {
      hooks.require(ctx, "admit", s, primary, picture, "configure");
      List<MemberRecord> started = provision(ctx, s, app, datacenter, subnet, fresh, picture, primary);
      for (MemberRecord r : started) {
        awaitPosition(ctx, s, r, picture, primaryPosition(ctx, s, primary, picture), tuning.hookTimeout(), true);
      }
    } catch (RuntimeException e) {
      undoAdded(ctx.uncancellable(), s, primary, fresh, e);
      throw e;
    }
  }

  /**
   * Removes {@code gone} from the service: the primary (and every other member left) is configured without
   * them first, so that a synchronous primary stops waiting for them, then their containers and addresses go.
   */
  public void dropMembers(OperationContext ctx, ServiceRecord s, List<MemberRecord> gone) {
    MemberRecord primary = runningPrimary(s);
    List<MemberRecord> keep = live(s).stream().filter(m -> gone.stream().noneMatch(g -> g.name().equals(m.name())))
        .toList();
    hooks.require(ctx, "shrink", s, primary, keep, "configure");
    for (MemberRecord m : keep) {
      if (!m.name().equals(primary.name()) && answers(m)) {
        try {
          hooks.require(ctx, "shrink", s, m, keep, "configure");
        } catch (OperationFailedException e) {
          ctx.step(m.name() + ": shrink", StepStatus.FAILED, e.getMessage());
        }
      }
    }
    for (MemberRecord m : gone) {
      store.member(m.name()).ifPresent(now -> {
        addresses.takeFrom(ctx, s, now);
        workflows.removeMember(ctx, now);
      });
    }
  }

  /** Redundant to single: the primary stays with its data; every replica goes. */
  public void toSingle(OperationContext ctx, ServiceRecord s, String topology) {
    MemberRecord primary = runningPrimary(s);
    ServiceRecord target = s.withTopology(topology);
    // alone first: a synchronous primary must stop waiting for replicas before they go
    hooks.require(ctx, "alone", target, primary, List.of(primary), "configure");
    store.updateService(store.service(s.app(), s.name()).orElseThrow().withTopology(topology));
    ctx.progress(30);
    List<MemberRecord> replicas = live(s).stream().filter(m -> !m.name().equals(primary.name())).toList();
    int done = 0;
    for (MemberRecord r : replicas) {
      addresses.takeFrom(ctx, s, r);
      workflows.removeMember(ctx, r);
      ctx.progress(30 + 70 * ++done / Math.max(1, replicas.size()));
    }
    ctx.step("topology", s.topology() + " -> " + topology + ": " + primary.name() + " kept with its data");
    tellDependents(ctx, store.service(s.app(), s.name()).orElseThrow());
  }

  /**
   * Creates and starts {@code fresh} as members of {@code s}. A new member whose address was held elsewhere
   * gets another one while it is prepared: {@code picture} is updated, and the primary, which admitted the
   * old address, admits the new one before any new member is configured.
   */
  private List<MemberRecord> provision(OperationContext ctx, ServiceRecord s, AppRecord app, String datacenter,
      Subnet subnet, List<MemberRecord> fresh, List<MemberRecord> picture, MemberRecord primary) {
    Template t = templates.require(s.template());
    Map<String, String> networks = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::network));
    List<MemberJob> jobs = new ArrayList<>();
    for (MemberRecord m : fresh) {
      if (m.state() == MemberState.CREATING) {
        jobs.add(new MemberJob(ctx.id(), m, s, t, picture, subnet, networks.get(m.host()), false, datacenter));
      }
    }
    List<MemberRecord> prepared = joinAll(jobs.stream()
        .map(j -> CompletableFuture.supplyAsync(() -> provisioner.prepare(ctx, j, () -> { }), memberPool)).toList());
    List<MemberRecord> all = new ArrayList<>(picture.stream().filter(p -> fresh.stream().noneMatch(f -> f.name().equals(p.name()))).toList());
    all.addAll(prepared);
    boolean readdressed = false;
    for (MemberRecord p : prepared) {
      for (int i = 0; i < picture.size(); i++) {
        if (picture.get(i).name().equals(p.name()) && !Objects.equals(picture.get(i).ip(), p.ip())) {
          picture.set(i, p);
          readdressed = true;
        }
      }
    }
    if (readdressed) {
      hooks.require(ctx, "admit", s, primary, picture, "configure");
    }
    List<CompletableFuture<MemberRecord>> completing = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      MemberJob next = jobs.get(i).with(prepared.get(i), all);
      completing.add(CompletableFuture.supplyAsync(() -> provisioner.complete(ctx, next, () -> { }), memberPool));
    }
    return joinAll(completing);
  }

  private static List<MemberRecord> joinAll(List<CompletableFuture<MemberRecord>> futures) {
    return dev.cadre.manager.operations.Futures.joinAll(futures);
  }


  /** A conversion that failed: the new members go, the primary is configured as it was. */
  private void undoAdded(OperationContext ctx, ServiceRecord s, MemberRecord primary, List<MemberRecord> fresh,
      RuntimeException why) {
    for (MemberRecord m : fresh) {
      store.member(m.name()).ifPresent(now -> {
        try {
          workflows.removeMember(ctx, now);
        } catch (RuntimeException e) {
          ctx.step(m.name() + ": rollback", StepStatus.FAILED, e.getMessage());
        }
      });
    }
    try {
      hooks.require(ctx, "restore", s, primary, live(s), "configure");
    } catch (RuntimeException e) {
      ctx.step(primary.name() + ": restore", StepStatus.FAILED, e.getMessage());
    }
    ctx.step("rollback", StepStatus.UNDONE, "the service is " + s.topology() + " as before: " + why.getMessage());
  }

  // ---- promote

  /** Makes {@code name} the primary: see the class comment for the order. */
  public void promote(OperationContext ctx, ServiceRecord s, String name) {
    List<MemberRecord> members = live(s);
    MemberRecord next = members.stream().filter(m -> m.name().equals(name)).findFirst()
        .orElseThrow(() -> new OperationFailedException("member " + name + " is gone"));
    if (next.state() != MemberState.RUNNING) {
      throw new OperationFailedException("member " + name + " is " + next.state().wire() + ", not running");
    }
    MemberRecord old = primaryOf(members);
    List<MemberRecord> picture = withPrimary(members, name);
    Instant fenced = clock.instant();
    boolean taken = false;
    boolean promoting = false;
    if (old != null && !old.name().equals(name)) {
      // the fence and the demotion at once: each takes the old primary's writes away on its own
      CompletableFuture<Boolean> fence = CompletableFuture.supplyAsync(() -> addresses.takeFrom(ctx, s, old), SIDE);
      try {
        HookResult demoted;
        try {
          demoted = hooks.require(ctx, "demote", s, old, picture, "role");
        } finally {
          fence.join();
        }
        ctx.progress(25);
        // a role hook may say where the old primary stopped (its last line); else status is asked
        OptionalLong last = RoleHooks.positionIn(demoted.output());
        if (last.isEmpty()) {
          last = hooks.position(ask(ctx, "last"), s, old, picture, Duration.ofSeconds(10));
        }
        if (last.isEmpty()) {
          throw new OperationFailedException("the old primary " + old.name() + " does not tell its position");
        }
        if (templates.require(s.template()).behaves(CATCHES_UP)) {
          // the promote hook itself waits for the position before it takes writes: no status round trips
          promoting = true;
          // the address goes to it while it catches up: it refuses writes until its hook promotes it (and
          // takes nothing when it cannot), so clients reach the new primary the moment it takes writes
          CompletableFuture<Void> address = s.address() == null ? CompletableFuture.completedFuture(null)
              : CompletableFuture.runAsync(() -> addresses.give(s, next), SIDE);
          try {
            hooks.require(ctx, "promote", s, next, picture, "role",
                Map.of(CATCH_UP_TO, Long.toString(last.getAsLong())));
          } finally {
            try {
              address.join();
            } catch (CompletionException e) {
              // moveTo below assigns it again and says why it cannot
            }
          }
          taken = true;
        } else {
          awaitPosition(ctx, s, next, picture, last.getAsLong(), Duration.ofSeconds(60));
        }
      } catch (RuntimeException e) {
        // the old primary takes its place back: nothing else changed yet
        List<MemberRecord> before = withPrimary(members, old.name());
        try {
          hooks.require(ctx, "undo", s, old, before, "role");
          if (promoting) {
            // whatever its promote hook got to, the member follows the old primary again
            hooks.require(ctx, "refollow", s, next, before, "role");
          }
          addresses.moveTo(ctx, s, old, before);
          ctx.step("rollback", StepStatus.UNDONE, old.name() + " is the primary again");
        } catch (RuntimeException undo) {
          ctx.step("rollback", StepStatus.FAILED, undo.getMessage());
        }
        throw e;
      }
    }
    ctx.progress(50);
    becomePrimary(ctx, s, next, picture, fenced, taken);
  }

  /**
   * A template behavior: its {@code role primary} hook, given {@link #CATCH_UP_TO}, waits until the member's
   * position reaches it before it takes writes, and fails (taking nothing) when it cannot in time.
   */
  public static final String CATCHES_UP = "promote-catches-up";
  /** Runs the address changes beside a switchover's hooks: a few short calls, never on the members' pool. */
  private static final ExecutorService SIDE = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cadre-role-side");
    t.setDaemon(true);
    return t;
  });
  /** The old primary's last position, for the promote hook of a template that {@link #CATCHES_UP}. */
  public static final String CATCH_UP_TO = "CADRE_CATCH_UP_TO";

  /** The new primary takes writes: its role (unless {@code taken}), the store, the address, then everyone reconfigured. */
  private void becomePrimary(OperationContext ctx, ServiceRecord s, MemberRecord next, List<MemberRecord> picture,
      Instant fenced, boolean taken) {
    if (!taken) {
      hooks.require(ctx, "promote", s, next, picture, "role");
    }
    for (MemberRecord m : picture) {
      store.setMemberRole(m.name(), m.role());
    }
    MemberRecord primary = picture.stream().filter(m -> m.name().equals(next.name())).findFirst().orElseThrow();
    addresses.moveTo(ctx, s, primary, picture);
    ctx.step("writes refused", Duration.between(fenced, clock.instant()).toMillis() + " ms, from the fence of the old"
        + " primary to " + primary.name() + " holding the service address");
    ctx.progress(75);
    reconfigure(ctx, s, primary, picture);
    tellDependents(ctx, s);
  }

  private void reconfigure(OperationContext ctx, ServiceRecord s, MemberRecord primary, List<MemberRecord> picture) {
    List<String> failed = new ArrayList<>();
    for (MemberRecord m : picture) {
      if (m.name().equals(primary.name()) || !answers(m)) {
        continue;
      }
      try {
        hooks.require(ctx, "follow", s, m, picture, "configure");
      } catch (OperationFailedException e) {
        failed.add(e.getMessage()); // a replica that cannot follow does not undo the promotion
        ctx.step(m.name() + ": follow", StepStatus.FAILED, e.getMessage());
      }
    }
    hooks.require(ctx, "follow", s, primary, picture, "configure");
    if (!failed.isEmpty()) {
      throw new OperationFailedException(primary.name() + " is the primary, but " + failed.size()
          + " replicas could not follow it: " + String.join("; ", failed));
    }
  }

  // ---- failover and rejoin

  /** The primary {@code dead} is lost ({@code why}): the most current replica takes over. */
  public void failover(OperationContext ctx, ServiceRecord s, String dead, String why) {
    List<MemberRecord> members = live(s);
    MemberRecord lost = members.stream().filter(m -> m.name().equals(dead)).findFirst()
        .orElseThrow(() -> new OperationFailedException("member " + dead + " is gone"));
    ctx.step("primary lost", dead + ": " + why);
    Instant fenced = clock.instant();
    String best = null;
    long bestPosition = -1;
    StringBuilder seen = new StringBuilder();
    for (MemberRecord r : members) {
      if (r.name().equals(dead) || r.state() != MemberState.RUNNING && r.state() != MemberState.UNHEALTHY || !answers(r)) {
        continue;
      }
      OptionalLong p = hooks.position(ask(ctx, "elect"), s, r, members, Duration.ofSeconds(5));
      seen.append(seen.length() == 0 ? "" : ", ").append(r.name()).append('=')
          .append(p.isPresent() ? Long.toString(p.getAsLong()) : "no answer");
      if (p.isPresent() && p.getAsLong() > bestPosition) {
        best = r.name();
        bestPosition = p.getAsLong();
      }
    }
    if (best == null) {
      throw new OperationFailedException("no replica answers with its position (" + seen + "); " + dead
          + " stays the primary until one does");
    }
    ctx.step("elect", best + " is the most current replica (" + seen + ")");
    // the lost primary is fenced first (its NIC refuses the address, and it cannot start with it): a
    // container still stopping is waited for; a host that does not answer cannot be fenced now, and the
    // watch fences the member when it answers again, before it may rejoin
    addresses.takeFrom(ctx, s, lost);
    MemberRecord demoted = lost;
    if (lost.state() != MemberState.DEMOTED || !Roles.REPLICA.equals(lost.role())) {
      demoted = memberEvents.change(lost.withRole(Roles.REPLICA), MemberState.DEMOTED,
          "was the primary until a failover (" + why + "); rejoins as a replica when it answers again");
      store.setMemberRole(dead, Roles.REPLICA);
    } // else demoted by a failover cut short (its server died): this one finishes it
    MemberRecord wasPrimary = demoted;
    List<MemberRecord> picture = withPrimary(members, best).stream()
        .map(m -> m.name().equals(dead) ? wasPrimary : m).toList();
    new dev.cadre.manager.provisioning.AppStates(store).followHealth(s.app()); // a demoted member: degraded
    String chosen = best;
    MemberRecord next = picture.stream().filter(m -> m.name().equals(chosen)).findFirst().orElseThrow();
    becomePrimary(ctx, s, next, picture, fenced, false);
  }

  /** An old primary that answers again: it becomes a replica of the current primary, then runs again. */
  public void rejoin(OperationContext ctx, ServiceRecord s, String name) {
    List<MemberRecord> members = live(s);
    MemberRecord m = members.stream().filter(x -> x.name().equals(name)).findFirst()
        .orElseThrow(() -> new OperationFailedException("member " + name + " is gone"));
    MemberRecord primary = runningPrimary(s);
    List<MemberRecord> picture = withPrimary(members, primary.name());
    if (!addresses.takeFrom(ctx, s, m)) {
      throw new OperationFailedException("could not fence " + name + "; it stays demoted");
    }
    hooks.require(ctx, "rejoin", s, m, picture, "role");
    hooks.require(ctx, "rejoin", s, m, picture, "configure");
    awaitPosition(ctx, s, m, picture, primaryPosition(ctx, s, primary, picture), tuning.hookTimeout());
    hooks.require(ctx, "rejoin", s, primary, picture, "configure");
    memberEvents.change(store.member(name).orElseThrow(), MemberState.RUNNING, null);
    new dev.cadre.manager.provisioning.AppStates(store).followHealth(s.app());
    ctx.step(name + ": rejoined", "a replica of " + primary.name());
  }

  // ---- dependents

  /**
   * Runs {@code configure} again in every running member of the services that depend on {@code s} (their
   * hooks see its addresses), in dependency order (a dependent that others among them depend on goes
   * first). A member that cannot follow is recorded and does not undo the change.
   */
  public void tellDependents(OperationContext ctx, ServiceRecord s) {
    List<ServiceRecord> dependents = dev.cadre.manager.hooks.Dependencies.dependenciesFirst(
        store.services(s.app()).stream().filter(t -> t.dependsOn().contains(s.name())).toList());
    for (ServiceRecord t : dependents) {
      List<MemberRecord> members = live(t);
      for (MemberRecord m : members) {
        if (m.state() != MemberState.RUNNING && m.state() != MemberState.UNHEALTHY || !answers(m)) {
          continue;
        }
        try {
          hooks.require(ctx, "dependency " + s.name(), t, m, members, "configure");
        } catch (OperationFailedException e) {
          ctx.step(m.name() + ": configure (dependency " + s.name() + ")", StepStatus.FAILED, e.getMessage());
        }
      }
    }
  }

  // ---- positions and pictures

  private long primaryPosition(OperationContext ctx, ServiceRecord s, MemberRecord primary, List<MemberRecord> picture) {
    OptionalLong p = hooks.position(ask(ctx, "primary"), s, primary, picture, Duration.ofSeconds(10));
    if (p.isEmpty()) {
      throw new OperationFailedException("the primary " + primary.name() + " does not tell its position (status hook)");
    }
    return p.getAsLong();
  }

  /** Waits until {@code m}'s position reaches {@code position}. */
  private void awaitPosition(OperationContext ctx, ServiceRecord s, MemberRecord m, List<MemberRecord> picture,
      long position, Duration limit) {
    awaitPosition(ctx, s, m, picture, position, limit, false);
  }

  /** With {@code linked}: a new replica has caught up only once its link to the primary is up (see RoleHooks). */
  private void awaitPosition(OperationContext ctx, ServiceRecord s, MemberRecord m, List<MemberRecord> picture,
      long position, Duration limit, boolean linked) {
    Instant deadline = clock.instant().plus(limit);
    OptionalLong seen = OptionalLong.empty();
    while (true) {
      ctx.checkCancelled();
      seen = hooks.position(ask(ctx, "catch-up"), s, m, picture, Duration.ofSeconds(10), linked);
      if (seen.isPresent() && seen.getAsLong() >= position) {
        ctx.step(m.name() + ": caught up", "position " + seen.getAsLong() + " >= " + position);
        return;
      }
      if (clock.instant().isAfter(deadline)) {
        throw new OperationFailedException(m.name() + " did not reach position " + position + " within "
            + limit.toSeconds() + " s (it is at " + (seen.isPresent() ? seen.getAsLong() : "unknown") + ")");
      }
      RoleHooks.sleep(Duration.ofMillis(100));
    }
  }

  private String ask(OperationContext ctx, String what) {
    return ctx.id() + "/" + what + "-" + asks.incrementAndGet();
  }

  /** Members that count: neither failed nor on their way out. */
  private List<MemberRecord> live(ServiceRecord s) {
    return store.members(s.app()).stream()
        .filter(m -> m.service().equals(s.name()) && m.state() != MemberState.FAILED && m.state() != MemberState.DELETING)
        .toList();
  }

  private MemberRecord runningPrimary(ServiceRecord s) {
    MemberRecord p = primaryOf(live(s));
    if (p == null || p.state() != MemberState.RUNNING && p.state() != MemberState.UNHEALTHY) {
      throw new OperationFailedException("service '" + s.name() + "' has no running primary"
          + (p == null ? "" : " (" + p.name() + " is " + p.state().wire() + ")"));
    }
    return p;
  }

  static MemberRecord primaryOf(List<MemberRecord> members) {
    return members.stream().filter(m -> Roles.PRIMARY.equals(m.role()))
        .min(Comparator.comparingInt(MemberRecord::ordinal)).orElse(null);
  }

  static List<MemberRecord> withPrimary(List<MemberRecord> members, String primary) {
    return members.stream().map(m -> m.withRole(m.name().equals(primary) ? Roles.PRIMARY : Roles.REPLICA)).toList();
  }

  /** A member on a host that answers (a member of an unreachable host cannot run hooks). */
  private boolean answers(MemberRecord m) {
    return store.host(m.host()).map(h -> h.state() == HostState.READY).orElse(false)
        && m.state() != MemberState.DEMOTED;
  }
}
