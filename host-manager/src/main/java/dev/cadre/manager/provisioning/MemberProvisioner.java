package dev.cadre.manager.provisioning;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.manager.Tuning;
import dev.cadre.manager.hooks.CommandIds;
import dev.cadre.manager.hooks.HookPayload;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.templates.HookExit;
import dev.cadre.templates.HookResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions one member: create -> start -> wait for its address -> push the agent -> plan ->
 * configure -> start -> health until healthy -> running. On any failure the member is failed, its
 * container removed (unless the app keeps failed members) and its address released.
 */
public final class MemberProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(MemberProvisioner.class);
  /** Steps recorded per member; progress counts them. */
  public static final int STEPS = 9;
  private static final int RETRY_LATER_ATTEMPTS = 5;
  private static final int MAX_RESTARTS = 1;
  private static final int MAX_READDRESS = 5;
  private static final Duration WRONG_ADDRESS_GRACE = Duration.ofSeconds(2);

  private final DriverRegistry drivers;
  private final HostImages images;
  private final HookRunner hooks;
  private final MemberEvents members;
  private final Containers containers;
  private final Ipam ipam;
  private final Tuning tuning;
  private final Clock clock;

  public MemberProvisioner(DriverRegistry drivers, HostImages images, HookRunner hooks, MemberEvents members,
      Containers containers, Ipam ipam, Tuning tuning, Clock clock) {
    this.drivers = drivers;
    this.images = images;
    this.hooks = hooks;
    this.members = members;
    this.containers = containers;
    this.ipam = ipam;
    this.tuning = tuning;
    this.clock = clock;
  }

  /** Listens to each finished step (for the operation's progress). */
  public interface StepListener {
    void stepDone();
  }

  /**
   * Phase one for a member: image, create, start, its address held, agent pushed. Answers the member
   * (whose address may have changed: one that another holder keeps — a stale DHCP lease, a container
   * cadre does not know — is quarantined and replaced). On failure the member is rolled back.
   */
  public MemberRecord prepare(OperationContext ctx, MemberJob job, StepListener progress) {
    MemberRecord m = job.member();
    String name = m.name();
    boolean created = false;
    String step = "image";
    try {
      HostDriver d = drivers.driver(m.host());
      ctx.checkCancelled();
      String alias = images.ensure(d, job.template());
      record(ctx, progress, name, "image", "image " + alias + " on " + m.host());
      for (int attempt = 0; ; attempt++) {
        step = "create";
        ctx.checkCancelled();
        create(d, job, m, alias);
        created = true;
        record(ctx, progress, name, "create", "container on " + m.host() + " with " + m.ip());

        step = "start";
        ctx.checkCancelled();
        boolean held;
        try {
          d.start(name);
          record(ctx, progress, name, "start", null);
          step = "address";
          held = waitForAddress(ctx, d, name, m.ip());
        } catch (DriverException e) {
          if (!addressTaken(e)) {
            throw e;
          }
          // another tenant of the network (a container cadre does not know) holds the address
          ctx.step(name + ": start", "failed", message(e));
          held = false;
        }
        if (held) {
          break;
        }
        if (attempt == MAX_READDRESS) {
          throw new MemberFailedException("member " + name + ": never got an address of its own (last tried "
              + m.ip() + "; each was held elsewhere on the network)", null);
        }
        containers.remove(m.host(), name);
        created = false;
        String old = m.ip();
        ipam.quarantine(name, old);
        m = m.withIp(ipam.allocate(job.datacenter(), name, Set.of(old)));
        members.store().updateMember(m);
        members.announce(m);
        ctx.step(name + ": new address", "done", old + " is held elsewhere (a stale DHCP lease?); quarantined for an hour;"
            + " trying " + m.ip());
      }
      record(ctx, progress, name, "address", m.ip());

      step = "agent";
      hooks.install(d, name);
      m = members.change(m, "configuring", null);
      record(ctx, progress, name, "agent", null);
      return m;
    } catch (OperationCancelledException e) {
      undo(ctx, job, m, created, true, "cancelled");
      throw e;
    } catch (RuntimeException e) {
      throw fail(ctx, job, m, created, step, e);
    }
  }

  /**
   * Phase two, once every member of the app holds its address: plan, configure (seeing all peers),
   * start, health until healthy, running. On failure the member is rolled back.
   */
  public MemberRecord complete(OperationContext ctx, MemberJob job, StepListener progress) {
    MemberRecord m = job.member();
    String name = m.name();
    String step = "plan";
    try {
      HostDriver d = drivers.driver(m.host());
      hook(ctx, d, job, m, "plan", 1);
      record(ctx, progress, name, "plan", null);

      step = "configure";
      hook(ctx, d, job, m, "configure", RETRY_LATER_ATTEMPTS);
      record(ctx, progress, name, "configure", null);

      step = "start hook";
      m = members.change(m, "starting", null);
      hook(ctx, d, job, m, "start", RETRY_LATER_ATTEMPTS);
      record(ctx, progress, name, "start hook", null);

      step = "health";
      awaitHealthy(ctx, d, job, m);
      record(ctx, progress, name, "health", "healthy");
      return members.change(m, "running", null);
    } catch (OperationCancelledException e) {
      undo(ctx, job, m, true, true, "cancelled");
      throw e;
    } catch (RuntimeException e) {
      throw fail(ctx, job, m, true, step, e);
    }
  }

  private void create(HostDriver d, MemberJob job, MemberRecord m, String alias) {
    InstanceSpec spec = InstanceSpec.builder(m.name(), alias)
        .cpus(m.cpus())
        .memoryMiB(m.memoryMiB())
        .rootDiskMiB(m.diskMiB())
        .nic(job.network(), m.ip())
        .metadata(Containers.STORE, containers.storeId())
        .metadata(Containers.APP, m.app())
        .metadata(Containers.SERVICE, m.service())
        .metadata(Containers.MEMBER, m.name())
        .metadata(Containers.OPERATION, job.operationId())
        .build();
    try {
      d.create(spec);
    } catch (ConflictException taken) {
      throw new MemberFailedException("member " + m.name() + ": a container named " + m.name() + " already exists on "
          + m.host() + " (not made by this operation)", taken);
    }
  }

  /** The one place that recognises "the host's network has this address on another NIC" (LXD's words). */
  static boolean addressTaken(DriverException e) {
    String m = e.getMessage();
    return m != null && m.contains("already defined on another NIC");
  }

  private MemberFailedException fail(OperationContext ctx, MemberJob job, MemberRecord m, boolean created, String step,
      RuntimeException e) {
    String why = e instanceof MemberFailedException ? e.getMessage()
        : "member " + m.name() + ": " + step + " failed: " + message(e);
    if (!(e instanceof MemberFailedException) && !(e instanceof DriverException)) {
      LOG.warn("provisioning {} failed at {}", m.name(), step, e);
    }
    ctx.step(m.name() + ": " + step, "failed", why);
    undo(ctx, job, m, created, false, why);
    return new MemberFailedException(why, e);
  }

  /**
   * Moves a running member to {@code target} of the same datacenter, keeping its address: stop hook,
   * stop, copy, start on the target, configure, start, health; then the source container goes. On
   * failure the copy is removed and the member started again where it was.
   */
  public MemberRecord relocate(OperationContext ctx, MemberJob job, String target, String targetNetwork) {
    MemberRecord m = job.member();
    String name = m.name();
    HostDriver src = drivers.driver(m.host());
    HostDriver dst = drivers.driver(target);
    m = members.change(m, "moving", null);
    boolean copied = false;
    boolean moved = false;
    String step = "stop hook";
    try {
      ctx.checkCancelled();
      HookResult stop = runHook(src, job, m, "stop", 1);
      ctx.step(name + ": stop hook", stop.ok() ? "done" : "failed", stop.ok() ? null : stop.stderr().strip());
      step = "stop";
      src.stop(name, Duration.ofSeconds(30));
      ctx.step(name + ": stop", "on " + m.host());
      step = "copy";
      src.copyTo(dst, new dev.cadre.driver.CopyRequest(name, name, new dev.cadre.driver.NicSpec(targetNetwork, m.ip()),
          false));
      copied = true;
      ctx.step(name + ": copy", m.host() + " -> " + target);
      step = "start";
      dst.start(name);
      step = "address";
      waitForAddress(ctx, dst, name, m.ip());
      step = "agent";
      hooks.install(dst, name);
      step = "configure";
      hook(ctx, dst, job, m, "configure", RETRY_LATER_ATTEMPTS);
      step = "start hook";
      hook(ctx, dst, job, m, "start", RETRY_LATER_ATTEMPTS);
      step = "health";
      awaitHealthy(ctx, dst, job, m);
      step = "switch";
      moved = true;
      m = new MemberRecord(m.name(), m.app(), m.service(), m.ordinal(), m.role(), target, m.ip(), m.state(), null,
          m.cpus(), m.memoryMiB(), m.diskMiB(), m.operationId());
      members.store().setMemberHost(name, target);
      ctx.step(name + ": running on " + target, null);
      step = "remove source";
      try {
        ctx.step(name + ": remove source", containers.remove(job.member().host(), name));
      } catch (RuntimeException e) {
        ctx.step(name + ": remove source", "failed", message(e) + " (the sweep removes it when the host answers)");
      }
      return members.change(m, "running", null);
    } catch (RuntimeException e) {
      String why = e instanceof MemberFailedException ? e.getMessage()
          : "member " + name + ": move " + step + " failed: " + message(e);
      ctx.step(name + ": move " + step, "failed", why);
      if (!moved) {
        try {
          if (copied) {
            dst.delete(name);
          }
          if (!src.get(name).running()) {
            src.start(name);
          }
          runHook(src, job, m, "start", 1);
          ctx.step(name + ": back on " + m.host(), "undone", null);
          members.change(m, "running", why);
        } catch (RuntimeException again) {
          members.change(m, "failed", why + "; could not restart it on " + m.host() + ": " + message(again));
        }
      }
      throw e instanceof OperationCancelledException ? e : new MemberFailedException(why, e);
    }
  }

  private void record(OperationContext ctx, StepListener progress, String member, String step, String detail) {
    ctx.step(member + ": " + step, detail);
    progress.stepDone();
  }

  /**
   * Rolls one member back: container removed (kept when the app keeps failed members and this is not a
   * cancel), address released with it, member marked failed.
   */
  void undo(OperationContext ctx, MemberJob job, MemberRecord m, boolean created, boolean cancel, String why) {
    boolean keep = job.keepFailed() && !cancel && created;
    String detail;
    if (keep) {
      detail = "container kept for inspection (keep_failed); its address stays allocated until the app is deleted";
    } else {
      try {
        detail = created ? containers.remove(m.host(), m.name()) : "nothing was created";
        ipam.release(m.name());
        detail += "; address " + m.ip() + " released";
      } catch (RuntimeException e) {
        // the host is gone: keep the address so that it is not handed out while the container may hold it
        detail = "could not remove the container: " + message(e) + "; address kept until the app is deleted";
      }
    }
    ctx.step(m.name() + ": rollback", "undone", detail);
    members.change(m, "failed", why);
  }

  /**
   * Waits until the container holds its static address. A container that got another address (its DHCP
   * request reached the network's server before the reservation did, which happens when many members
   * start at once) is restarted so that it asks again; at most {@link #MAX_RESTARTS} times.
   */
  private boolean waitForAddress(OperationContext ctx, HostDriver d, String name, String ip) {
    Instant deadline = clock.instant().plus(tuning.addressTimeout());
    String seen = null;
    int restarts = 0;
    Instant wrongSince = null;
    while (true) {
      ctx.checkCancelled();
      Optional<Instance> i = d.find(name);
      if (i.isEmpty()) {
        throw new MemberFailedException("member " + name + ": its container vanished while starting", null);
      }
      seen = i.get().ipv4();
      if (ip.equals(seen)) {
        return true;
      }
      Instant now = clock.instant();
      if (seen != null) {
        if (wrongSince == null) {
          wrongSince = now;
        } else if (Duration.between(wrongSince, now).compareTo(WRONG_ADDRESS_GRACE) >= 0) {
          if (restarts >= MAX_RESTARTS) {
            return false;
          }
          LOG.info("{} holds {} instead of {}: restarting it so that it asks for its address again", name, seen, ip);
          ctx.step(name + ": restart", "done", "it held " + seen + " instead of " + ip);
          d.stop(name, Duration.ofSeconds(10));
          d.start(name);
          restarts++;
          wrongSince = null;
        }
      }
      if (now.isAfter(deadline)) {
        throw new MemberFailedException("member " + name + ": did not get its address " + ip + " within "
            + tuning.addressTimeout().toSeconds() + " s (it holds " + (seen == null ? "none" : seen) + ", state "
            + i.get().nativeState() + ")", null);
      }
      sleep(Duration.ofMillis(50));
    }
  }

  private HookResult hook(OperationContext ctx, HostDriver d, MemberJob job, MemberRecord m, String hook,
      int attempts) {
    HookResult r = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      ctx.checkCancelled();
      r = runHook(d, job, m, hook, attempt);
      if (r.ok()) {
        return r;
      }
      if (!HookExit.retryable(r.exit()) || attempt == attempts) {
        break;
      }
      sleep(tuning.healthInterval());
    }
    throw new MemberFailedException(hookFailure(m, hook, r), null);
  }

  HookResult runHook(HostDriver d, MemberJob job, MemberRecord m, String hook, int attempt) {
    HookPayload payload = HookPayload.of(hook, job.service(), m, job.peers(), job.subnet());
    return hooks.run(d, m.name(), hook, CommandIds.of(job.operationId(), m.name(), hook, attempt), payload.json(),
        payload.env(), tuning.hookTimeout());
  }

  private void awaitHealthy(OperationContext ctx, HostDriver d, MemberJob job, MemberRecord m) {
    HookResult last = null;
    for (int attempt = 1; attempt <= tuning.healthAttempts(); attempt++) {
      ctx.checkCancelled();
      last = runHook(d, job, m, "health", attempt);
      if (last.ok()) {
        members.health(m, true, last.output().strip());
        return;
      }
      if (last.exit() == HookExit.NOT_IMPLEMENTED || last.exit() == HookExit.BAD_REQUEST) {
        break;
      }
      sleep(tuning.healthInterval());
    }
    members.health(m, false, last == null ? null : last.stderr().strip());
    throw new MemberFailedException(hookFailure(m, "health", last) + " (after " + tuning.healthAttempts()
        + " attempts)", null);
  }

  static String hookFailure(MemberRecord m, String hook, HookResult r) {
    String err = r.stderr().strip();
    if (err.length() > 4000) {
      err = "..." + err.substring(err.length() - 4000);
    }
    return "member " + m.name() + ": hook '" + hook + "' " + r.meaning() + " (exit " + r.exit() + ")"
        + (err.isEmpty() ? "" : ": " + err);
  }

  static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MemberFailedException("interrupted", e);
    }
  }
}
