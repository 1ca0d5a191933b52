package dev.cadre.manager.provisioning;

import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.Instance;
import dev.cadre.manager.Tuning;
import dev.cadre.manager.hooks.CommandIds;
import dev.cadre.manager.hooks.HookPayload;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.Faults;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.templates.HookExit;
import dev.cadre.templates.HookResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps that creating a member and moving one share: waiting for the container to hold its address,
 * and running a hook through the agent (with "retry later" honoured, and {@code health} until healthy).
 */
final class MemberSteps {
  private static final Logger LOG = LoggerFactory.getLogger(MemberSteps.class);
  static final int RETRY_LATER_ATTEMPTS = 5;
  private static final int MAX_RESTARTS = 1;
  private static final Duration WRONG_ADDRESS_GRACE = Duration.ofSeconds(2);

  private final HookRunner hooks;
  private final MemberEvents members;
  private final Tuning tuning;
  private final Clock clock;
  private final dev.cadre.manager.hooks.Dependencies dependencies;

  MemberSteps(HookRunner hooks, MemberEvents members, Tuning tuning, Clock clock,
      dev.cadre.manager.hooks.Dependencies dependencies) {
    this.dependencies = dependencies;
    this.hooks = hooks;
    this.members = members;
    this.tuning = tuning;
    this.clock = clock;
  }

  /**
   * Waits until the container holds its static address. A container that got another address (its DHCP
   * request reached the network's server before the reservation did, which happens when many members
   * start at once) is restarted so that it asks again; at most {@link #MAX_RESTARTS} times.
   */
  boolean waitForAddress(OperationContext ctx, HostDriver d, String name, String ip) {
    Instant deadline = clock.instant().plus(tuning.addressTimeout());
    String seen = null;
    int restarts = 0;
    Instant wrongSince = null;
    while (true) {
      ctx.checkCancelled();
      Optional<Instance> i;
      try {
        i = d.find(name);
      } catch (DriverException e) {
        if (!Faults.isTransient(e) || clock.instant().isAfter(deadline)) {
          throw e;
        }
        // a host that is busy or slow for a moment is asked again, within the address's own deadline
        sleep(Duration.ofMillis(200));
        continue;
      }
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
          ctx.step(name + ": restart", StepStatus.DONE, "it held " + seen + " instead of " + ip);
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

  HookResult hook(OperationContext ctx, HostDriver d, MemberJob job, MemberRecord m, String hook,
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
    return runHook(d, job, m, hook, attempt, tuning.hookTimeout());
  }

  HookResult runHook(HostDriver d, MemberJob job, MemberRecord m, String hook, int attempt, Duration timeout) {
    // the service as stored now (its address, its dependencies' addresses), with the topology of the job
    HookPayload payload = HookPayload.of(hook, job.service(), m, job.peers(), job.subnet(),
        dependencies.of(job.service()));
    return hooks.run(d, m.name(), hook, CommandIds.of(job.operationId(), m.name(), hook, attempt), payload.json(),
        payload.env(), timeout);
  }

  void awaitHealthy(OperationContext ctx, HostDriver d, MemberJob job, MemberRecord m) {
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
    String err = stderrTail(r);
    return "member " + m.name() + ": hook '" + hook + "' " + r.meaning() + " (exit " + r.exit() + ")"
        + (err.isEmpty() ? "" : ": " + err);
  }

  /**
   * The last 4,000 characters of what a hook wrote to stderr: the end says why it failed (the agent adds
   * its own verdicts there), and the store keeps only so much of an error.
   */
  static String stderrTail(HookResult r) {
    String err = r.stderr().strip();
    return err.length() > 4000 ? "..." + err.substring(err.length() - 4000) : err;
  }

  static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MemberFailedException("interrupted", e);
    }
  }
}
