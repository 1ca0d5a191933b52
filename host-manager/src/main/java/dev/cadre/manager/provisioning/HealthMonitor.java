package dev.cadre.manager.provisioning;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.Tuning;
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
import dev.cadre.templates.HookResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every running member's {@code health} hook now and then: a failing answer makes the member
 * {@code unhealthy}, a good one makes it {@code running} again; each change is a health event. Members
 * of hosts that do not answer are left as they are (the host is unreachable, not the member).
 */
public final class HealthMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
  private final Store store;
  private final DriverRegistry drivers;
  private final HookRunner hooks;
  private final MemberEvents members;
  private final Tuning tuning;
  private final Clock clock;
  private final ExecutorService pool;
  private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();

  public HealthMonitor(Store store, DriverRegistry drivers, HookRunner hooks, MemberEvents members, Tuning tuning,
      Clock clock, ExecutorService pool) {
    this.store = store;
    this.drivers = drivers;
    this.hooks = hooks;
    this.members = members;
    this.tuning = tuning;
    this.clock = clock;
    this.pool = pool;
  }

  /** One round over every member; answers how many changed state. */
  public int checkAll() {
    Map<String, HostState> hostStates = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::state));
    Map<String, String> networks = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, HostRecord::network));
    String round = "health-round-" + clock.millis() + "-" + rounds.incrementAndGet();
    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
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
        List<MemberRecord> peers = all.stream().filter(p -> p.service().equals(m.service())).toList();
        checks.add(CompletableFuture.supplyAsync(() -> check(round, m, services.get(m.service()), peers, subnet), pool));
      }
    }
    int changed = 0;
    for (CompletableFuture<Boolean> c : checks) {
      changed += c.join() ? 1 : 0;
    }
    return changed;
  }

  private boolean check(String round, MemberRecord m, ServiceRecord service, List<MemberRecord> peers, Subnet subnet) {
    HookResult r;
    try {
      HookPayload payload = HookPayload.of("health", service, m, peers, subnet);
      r = hooks.run(drivers.driver(m.host()), m.name(), "health", CommandIds.of(round, m.name(), "health", 1),
          payload.json(), payload.env(), tuning.hookTimeout());
    } catch (RuntimeException e) {
      LOG.debug("health of {} not asked: {}", m.name(), e.toString());
      return false;
    }
    MemberState next = r.ok() ? MemberState.RUNNING : MemberState.UNHEALTHY;
    if (next == m.state()) {
      return false;
    }
    String error = r.ok() ? null : "health: " + r.meaning() + " (exit " + r.exit() + "): " + r.stderr().strip();
    if (!store.changeMemberState(m.name(), m.state(), next, error)) {
      return false; // something else (a delete) changed it meanwhile
    }
    MemberRecord now = m.withState(next, error);
    members.announce(now);
    members.health(now, r.ok(), r.ok() ? r.output().strip() : r.stderr().strip());
    return true;
  }
}
