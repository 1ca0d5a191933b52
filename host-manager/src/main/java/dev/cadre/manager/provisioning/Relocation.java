package dev.cadre.manager.provisioning;

import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.MoveRecord;

/** Moves a running member to another host of its datacenter (what a drain does to each member). */
public final class Relocation {
  private final MemberEvents members;
  private final Containers containers;
  private final MemberMove move;

  Relocation(MemberEvents members, Containers containers, MemberMove move) {
    this.members = members;
    this.containers = containers;
    this.move = move;
  }

  /**
   * Moves a running member to {@code target} of the same datacenter, keeping its address, with the steps
   * of {@link MemberMove}: a pre-copy while it serves, then the pause (stop hook, data summed, stop, last
   * refresh, start on the target, data summed again), the switch of its row, configure, start and health
   * there; the source container goes last. On failure the copy is removed and the member started again
   * where it was.
   */
  public MemberRecord relocate(OperationContext ctx, MemberJob job, String target, String targetNetwork) {
    MemberRecord m = job.member();
    String name = m.name();
    MemberMove.Target to = new MemberMove.Target(target, targetNetwork, m.ip());
    MoveRecord undo = new MoveRecord(name, m.app(), ctx.id(), job.datacenter(), job.datacenter(), m.host(), m.ip(),
        target, m.ip(), false);
    boolean paused = false;
    boolean switched = false;
    String step = "pre-copy";
    try {
      move.preCopy(ctx, m, to);
      step = "pause";
      paused = true;
      String sum = move.quiesce(ctx, job, m, false); // the copy takes the same address: the source must stop
      move.finalCopy(ctx, job, m, to, sum);
      step = "serve";
      // the row keeps the source until the copy serves: a restart meanwhile rolls the move back to it
      MemberRecord there = move.serve(ctx, job.with(m.withHost(target), job.peers()));
      step = "switch";
      members.store().setMemberHost(name, target);
      switched = true;
      there = there.withHost(target);
      ctx.step(name + ": running on " + target, null);
      try {
        ctx.step(name + ": remove source", containers.remove(m.host(), name));
      } catch (RuntimeException e) {
        ctx.step(name + ": remove source", StepStatus.FAILED, MemberSteps.message(e) + " (the sweep removes it when the host answers)");
      }
      return there;
    } catch (RuntimeException e) {
      String why = e instanceof MemberFailedException || e instanceof OperationFailedException ? e.getMessage()
          : "member " + name + ": move " + step + " failed: " + MemberSteps.message(e);
      ctx.step(name + ": move " + step, StepStatus.FAILED, why);
      if (switched) {
        members.store().setMemberHost(name, m.host());
      }
      if (paused) {
        ctx.step(name + ": back on " + m.host(), StepStatus.UNDONE, move.back(ctx, job, undo));
      } else {
        try {
          ctx.step(name + ": copy removed", StepStatus.UNDONE, containers.remove(target, name));
        } catch (RuntimeException gone) {
          ctx.step(name + ": copy removed", StepStatus.FAILED, MemberSteps.message(gone) + " (the sweep removes it)");
        }
      }
      throw e instanceof OperationCancelledException ? e : new MemberFailedException(why, e);
    }
  }
}
