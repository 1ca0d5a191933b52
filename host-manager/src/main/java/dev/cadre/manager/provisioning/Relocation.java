package dev.cadre.manager.provisioning;

import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.NicSpec;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.templates.HookResult;
import java.time.Duration;

/** Moves a running member to another host of its datacenter (what a drain does to each member). */
public final class Relocation {
  private final DriverRegistry drivers;
  private final HookRunner hooks;
  private final MemberEvents members;
  private final Containers containers;
  private final MemberSteps steps;

  Relocation(DriverRegistry drivers, HookRunner hooks, MemberEvents members, Containers containers,
      MemberSteps steps) {
    this.drivers = drivers;
    this.hooks = hooks;
    this.members = members;
    this.containers = containers;
    this.steps = steps;
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
    m = members.change(m, MemberState.MOVING, null);
    boolean copied = false;
    boolean moved = false;
    String step = "stop hook";
    try {
      ctx.checkCancelled();
      HookResult stop = steps.runHook(src, job, m, "stop", 1);
      ctx.step(name + ": stop hook", stop.ok() ? StepStatus.DONE : StepStatus.FAILED, stop.ok() ? null : stop.stderr().strip());
      step = "stop";
      src.stop(name, Duration.ofSeconds(30));
      ctx.step(name + ": stop", "on " + m.host());
      step = "copy";
      src.copyTo(dst, new CopyRequest(name, name, new NicSpec(targetNetwork, m.ip()),
          false));
      copied = true;
      ctx.step(name + ": copy", m.host() + " -> " + target);
      step = "start";
      dst.start(name);
      step = "address";
      steps.waitForAddress(ctx, dst, name, m.ip());
      step = "agent";
      hooks.install(dst, name);
      step = "configure";
      steps.hook(ctx, dst, job, m, "configure", MemberSteps.RETRY_LATER_ATTEMPTS);
      step = "start hook";
      steps.hook(ctx, dst, job, m, "start", MemberSteps.RETRY_LATER_ATTEMPTS);
      step = "health";
      steps.awaitHealthy(ctx, dst, job, m);
      step = "switch";
      moved = true;
      m = m.withHost(target);
      members.store().setMemberHost(name, target);
      ctx.step(name + ": running on " + target, null);
      step = "remove source";
      try {
        ctx.step(name + ": remove source", containers.remove(job.member().host(), name));
      } catch (RuntimeException e) {
        ctx.step(name + ": remove source", StepStatus.FAILED, MemberSteps.message(e) + " (the sweep removes it when the host answers)");
      }
      return members.change(m, MemberState.RUNNING, null);
    } catch (RuntimeException e) {
      String why = e instanceof MemberFailedException ? e.getMessage()
          : "member " + name + ": move " + step + " failed: " + MemberSteps.message(e);
      ctx.step(name + ": move " + step, StepStatus.FAILED, why);
      if (!moved) {
        try {
          if (copied) {
            dst.delete(name);
          }
          if (!src.get(name).running()) {
            src.start(name);
          }
          steps.runHook(src, job, m, "start", 1);
          ctx.step(name + ": back on " + m.host(), StepStatus.UNDONE, null);
          members.change(m, MemberState.RUNNING, why);
        } catch (RuntimeException again) {
          members.change(m, MemberState.FAILED, why + "; could not restart it on " + m.host() + ": " + MemberSteps.message(again));
        }
      }
      throw e instanceof OperationCancelledException ? e : new MemberFailedException(why, e);
    }
  }

}
