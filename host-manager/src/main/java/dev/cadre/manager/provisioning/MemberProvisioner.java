package dev.cadre.manager.provisioning;

import static dev.cadre.manager.provisioning.MemberSteps.message;

import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.driver.AddressInUseException;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.manager.Tuning;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.operations.OperationCancelledException;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.store.MemberRecord;
import java.time.Clock;
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
  private static final int MAX_READDRESS = 5;

  private final DriverRegistry drivers;
  private final HostImages images;
  private final HookRunner hooks;
  private final MemberEvents members;
  private final Containers containers;
  private final Ipam ipam;
  private final MemberSteps steps;
  private final Relocation relocation;
  private final MemberMove move;

  public MemberProvisioner(DriverRegistry drivers, HostImages images, HookRunner hooks, MemberEvents members,
      Containers containers, Ipam ipam, Tuning tuning, Clock clock, dev.cadre.manager.hooks.Dependencies dependencies) {
    this.drivers = drivers;
    this.images = images;
    this.hooks = hooks;
    this.members = members;
    this.containers = containers;
    this.ipam = ipam;
    this.steps = new MemberSteps(hooks, members, tuning, clock, dependencies);
    this.move = new MemberMove(drivers, images, hooks, members, containers, steps, clock);
    this.relocation = new Relocation(members, containers, move);
  }

  /** Listens to each finished step (for the operation's progress). */
  public interface StepListener {
    void stepDone();
  }

  /**
   * Starts a container just made, once more when the host fails the first start: LXD 5.0 on a {@code dir}
   * pool now and then fails a container's first start while it shifts the files' owners ("Failed to handle
   * idmapped storage: ... bad file descriptor", seen in CI), and the second start finds them shifted. A
   * second failure is the member's.
   */
  private static void startFresh(OperationContext ctx, HostDriver d, String name) {
    try {
      d.start(name);
    } catch (dev.cadre.driver.HostFailureException first) {
      ctx.step(name + ": start", StepStatus.FAILED, message(first) + "; starting it once more");
      try {
        d.start(name);
      } catch (dev.cadre.driver.ConflictException running) {
        // the first start got further than it said: the container runs
        if (d.find(name).map(i -> !i.running()).orElse(true)) {
          throw running;
        }
      }
    }
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
        boolean held;
        try {
          create(d, job, m, alias);
          created = true;
          record(ctx, progress, name, "create", "container on " + m.host() + " with " + m.ip());

          step = "start";
          ctx.checkCancelled();
          startFresh(ctx, d, name);
          record(ctx, progress, name, "start", null);
          step = "address";
          held = steps.waitForAddress(ctx, d, name, m.ip());
        } catch (AddressInUseException e) {
          // another tenant of the network (a container cadre does not know) holds the address
          ctx.step(name + ": " + step, StepStatus.FAILED, message(e));
          held = false;
        }
        if (held) {
          break;
        }
        if (attempt == MAX_READDRESS) {
          throw new MemberFailedException("member " + name + ": never got an address of its own (last tried "
              + m.ip() + "; each was held elsewhere on the network)", null);
        }
        if (created) {
          containers.discard(m.host(), name);
        }
        created = false;
        String old = m.ip();
        ipam.quarantine(name, old);
        m = m.withIp(ipam.allocate(job.datacenter(), name, Set.of(old)));
        members.store().updateMember(m);
        members.announce(m);
        ctx.step(name + ": new address", StepStatus.DONE, old + " is held elsewhere (a stale DHCP lease?); quarantined for an hour;"
            + " trying " + m.ip());
      }
      record(ctx, progress, name, "address", m.ip());

      step = "agent";
      hooks.install(d, name);
      m = members.change(m, MemberState.CONFIGURING, null);
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
      String declared = declaredPlan(job, steps.hook(ctx, d, job, m, "plan", 1));
      members.store().setServicePlan(m.app(), m.service(), declared);
      record(ctx, progress, name, "plan", null);

      step = "configure";
      steps.hook(ctx, d, job, m, "configure", MemberSteps.RETRY_LATER_ATTEMPTS);
      record(ctx, progress, name, "configure", null);

      step = "start hook";
      m = members.change(m, MemberState.STARTING, null);
      steps.hook(ctx, d, job, m, "start", MemberSteps.RETRY_LATER_ATTEMPTS);
      record(ctx, progress, name, "start hook", null);

      step = "health";
      steps.awaitHealthy(ctx, d, job, m);
      record(ctx, progress, name, "health", "healthy");
      return members.change(m, MemberState.RUNNING, null);
    } catch (OperationCancelledException e) {
      undo(ctx, job, m, true, true, "cancelled");
      throw e;
    } catch (RuntimeException e) {
      throw fail(ctx, job, m, true, step, e);
    }
  }

  /** Largest {@code plan} answer kept: a plan is a page of JSON, not a data channel. */
  static final int PLAN_LIMIT = 64 * 1024;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * What the member's {@code plan} hook declared, as compact JSON: a JSON object that, when it lists
   * topologies, lists the service's. Anything else fails the member with the reason.
   */
  static String declaredPlan(MemberJob job, dev.cadre.templates.HookResult r) {
    String who = "member " + job.member().name() + ": the plan hook ";
    if (r.output().length() > PLAN_LIMIT) {
      throw new MemberFailedException(who + "answered more than " + PLAN_LIMIT + " characters", null);
    }
    com.fasterxml.jackson.databind.JsonNode plan;
    try {
      plan = JSON.readTree(r.output());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MemberFailedException(who + "answered something that is not JSON: " + e.getOriginalMessage(), null);
    }
    if (plan == null || !plan.isObject()) {
      throw new MemberFailedException(who + "must answer a JSON object", null);
    }
    com.fasterxml.jackson.databind.JsonNode topologies = plan.path("topologies");
    if (topologies.isArray()) {
      String topology = job.service().topology();
      boolean declared = false;
      for (com.fasterxml.jackson.databind.JsonNode t : topologies) {
        declared |= topology.equals(t.asText());
      }
      if (!declared) {
        throw new MemberFailedException(who + "declares the topologies " + topologies + ", not '" + topology
            + "' which the service has", null);
      }
    }
    return plan.toString();
  }

  private void create(HostDriver d, MemberJob job, MemberRecord m, String alias) {
    InstanceSpec spec = spec(job, m, alias, containers.storeId());
    try {
      d.create(spec);
    } catch (AddressInUseException addressTaken) {
      throw addressTaken; // the address is taken, not the name: the caller picks another address
    } catch (ConflictException taken) {
      throw new MemberFailedException("member " + m.name() + ": a container named " + m.name() + " already exists on "
          + m.host() + " (not made by this operation)", taken);
    }
  }

  /** A member's container: the template's image and limits, its address on the job's network, cadre's labels. */
  static InstanceSpec spec(MemberJob job, MemberRecord m, String alias, String storeId) {
    return InstanceSpec.builder(m.name(), alias)
        .cpus(m.cpus())
        .memoryMiB(m.memoryMiB())
        .rootDiskMiB(m.diskMiB())
        .processes(job.template().processes())
        .nic(job.network(), m.ip())
        .metadata(Containers.STORE, storeId)
        .metadata(Containers.APP, m.app())
        .metadata(Containers.SERVICE, m.service())
        .metadata(Containers.MEMBER, m.name())
        .metadata(Containers.OPERATION, job.operationId())
        .build();
  }

  private MemberFailedException fail(OperationContext ctx, MemberJob job, MemberRecord m, boolean created, String step,
      RuntimeException e) {
    String why = e instanceof MemberFailedException ? e.getMessage()
        : "member " + m.name() + ": " + step + " failed: " + message(e);
    if (!(e instanceof MemberFailedException) && !(e instanceof DriverException)) {
      LOG.warn("provisioning {} failed at {}", m.name(), step, e);
    }
    ctx.step(m.name() + ": " + step, StepStatus.FAILED, why);
    undo(ctx, job, m, created, false, why);
    return new MemberFailedException(why, e);
  }

  /** Moves a running member to {@code target} of its datacenter: see {@link Relocation}. */
  public MemberRecord relocate(OperationContext ctx, MemberJob job, String target, String targetNetwork) {
    return relocation.relocate(ctx, job, target, targetNetwork);
  }

  /** The steps of moving a member to another datacenter: see {@link MemberMove}. */
  public MemberMove move() {
    return move;
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
        detail = created ? containers.discard(m.host(), m.name()) : "nothing was created";
        ipam.release(m.name());
        detail += "; address " + m.ip() + " released";
      } catch (RuntimeException e) {
        // the host is gone: keep the address so that it is not handed out while the container may hold it
        detail = "could not remove the container: " + message(e) + "; address kept until the app is deleted";
      }
    }
    ctx.step(m.name() + ": rollback", StepStatus.UNDONE, detail);
    members.change(m, MemberState.FAILED, why);
  }

}

