package dev.cadre.manager.provisioning;

import dev.cadre.manager.Tuning;
import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.background.Lane;
import dev.cadre.manager.background.Outcome;
import dev.cadre.manager.hooks.CommandIds;
import dev.cadre.manager.hooks.HookPayload;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookExit;
import dev.cadre.templates.HookResult;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every running member's {@code health} hook now and then: a failing answer makes the member
 * {@code unhealthy}, a good one makes it {@code running} again; each change is a health event. Members
 * of hosts that do not answer are left as they are (the host is unreachable, not the member).
 *
 * <p>Each member is checked as a task of its own on the health lane, never on the provisioning threads.
 * The hook runs with {@link Tuning#healthTimeout()}: the agent kills it then, and the member is recorded
 * as timed out. Should the exec itself not come back (an agent replaced by the tenant, a host that stops
 * answering mid-call), the check is abandoned a grace later and recorded the same way; a member whose
 * check is still under way is not checked again until it ends.
 */
public final class HealthMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  /** The agent answers a killed hook within about 3 s of its timeout (TERM, 2 s, KILL); the rest is exec latency. */
  static final Duration GRACE = Duration.ofSeconds(10);

  private final Store store;
  private final DriverRegistry drivers;
  private final HookRunner hooks;
  private final MemberEvents members;
  private final Clock clock;
  private final Lane lane;
  private final Duration hookTimeout;
  private final AtomicLong rounds = new AtomicLong();
  private final AppStates appStates;

  public HealthMonitor(Store store, DriverRegistry drivers, HookRunner hooks, MemberEvents members, Tuning tuning,
      Clock clock, Lane lane) {
    this.store = store;
    this.drivers = drivers;
    this.hooks = hooks;
    this.members = members;
    this.clock = clock;
    this.lane = lane;
    this.hookTimeout = tuning.healthTimeout();
    this.appStates = new AppStates(store);
  }

  /** One round over every member; answers how many changed state. */
  public int checkAll() {
    return checkAll(() -> true);
  }

  /**
   * One round as background work: nothing when {@code fence} says no, and a member's state changes only
   * while it still says yes (this server still holds the lease of background work).
   */
  public int checkAll(BooleanSupplier fence) {
    if (!fence.getAsBoolean()) {
      return 0;
    }
    Map<String, HostState> hostStates = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::state));
    Map<String, String> networks = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::network));
    String round = "health-round-" + clock.millis() + "-" + rounds.incrementAndGet();
    Map<String, Callable<HookResult>> checks = new LinkedHashMap<>();
    Map<String, MemberRecord> checked = new HashMap<>();
    for (AppRecord app : store.apps()) {
      if (app.state() == AppState.CREATING || app.state() == AppState.DELETING) {
        continue;
      }
      Subnet subnet = Ipam.subnetOf(store.datacenter(app.datacenter()).orElseThrow());
      Map<String, ServiceRecord> services = store.services(app.name()).stream()
          .collect(Collectors.toMap(ServiceRecord::name, s -> s));
      List<MemberRecord> all = store.members(app.name());
      for (MemberRecord m : all) {
        if (!m.state().watched() || hostStates.get(m.host()) != HostState.READY || networks.get(m.host()) == null) {
          continue;
        }
        ServiceRecord service = services.get(m.service());
        if (service != null && service.state() == dev.cadre.manager.lifecycle.ServiceState.MOVING) {
          // a move watches its members itself; a check's files in the member (the agent's journal) would
          // come and go under the move's live copy, which LXD fails when a file it listed has vanished
          continue;
        }
        List<MemberRecord> peers = all.stream().filter(p -> p.service().equals(m.service())).toList();
        checked.put(m.name(), m);
        checks.put(m.name(), () -> ask(round, m, services.get(m.service()), peers, subnet));
      }
    }
    AtomicInteger changed = new AtomicInteger();
    int skipped = lane.runAll(checks, hookTimeout.plus(GRACE), (name, outcome) -> {
      try {
        if (fence.getAsBoolean() && record(checked.get(name), outcome)) {
          changed.incrementAndGet();
        }
      } catch (RuntimeException e) {
        LOG.warn("recording the health of {} failed: {}", name, e.toString());
      }
    });
    if (skipped > 0) {
      LOG.debug("{} members not checked this round: an earlier check is still under way", skipped);
    }
    return changed.get();
  }

  private HookResult ask(String round, MemberRecord m, ServiceRecord service, List<MemberRecord> peers, Subnet subnet) {
    HookPayload payload = HookPayload.of("health", service, m, peers, subnet);
    return hooks.run(drivers.driver(m.host()), m.name(), "health", CommandIds.of(round, m.name(), "health", 1),
        payload.json(), payload.env(), hookTimeout);
  }

  private boolean record(MemberRecord m, Outcome<HookResult> outcome) {
    if (outcome instanceof Outcome.Done<HookResult> done) {
      HookResult r = done.value();
      if (r.ok()) {
        return change(m, MemberState.RUNNING, null, r.output().strip());
      }
      String error = r.exit() == HookExit.TIMED_OUT
          ? "health hook timed out after " + seconds(hookTimeout) + " and was killed: " + MemberSteps.stderrTail(r)
          : "health: " + r.meaning() + " (exit " + r.exit() + "): " + MemberSteps.stderrTail(r);
      return change(m, MemberState.UNHEALTHY, error, r.exit() == HookExit.TIMED_OUT ? error : MemberSteps.stderrTail(r));
    }
    if (outcome instanceof Outcome.TimedOut<HookResult> late) {
      String error = "health hook timed out after " + seconds(hookTimeout) + ": no answer from " + m.host()
          + " within " + late.after() + "; the check was abandoned";
      return change(m, MemberState.UNHEALTHY, error, error);
    }
    if (outcome instanceof Outcome.Failed<HookResult> failed) {
      LOG.debug("health of {} not asked: {}", m.name(), failed.error().toString());
    } else {
      LOG.warn("health of {} not asked: every health thread was busy", m.name());
    }
    return false;
  }

  private boolean change(MemberRecord m, MemberState next, String error, String detail) {
    if (next == m.state()) {
      return false;
    }
    if (!store.changeMemberState(m.name(), m.state(), next, error)) {
      return false; // something else (a delete) changed it meanwhile
    }
    MemberRecord now = m.withState(next, error);
    members.announce(now);
    members.health(now, next == MemberState.RUNNING, detail);
    appStates.followHealth(m.app());
    return true;
  }

  /** Whole seconds, as the agent counts them (it rounds up). */
  private static String seconds(Duration d) {
    long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return s + "s";
  }
}
