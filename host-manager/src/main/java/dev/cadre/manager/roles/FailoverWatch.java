package dev.cadre.manager.roles;

import dev.cadre.driver.DriverException;
import dev.cadre.driver.Instance;
import dev.cadre.manager.Tuning;
import dev.cadre.manager.background.Lane;
import dev.cadre.manager.hooks.CommandIds;
import dev.cadre.manager.hooks.HookPayload;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.store.AppRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the primary of every service that has replicas, once per {@link Tuning#watchInterval()}, each
 * look a task of its own on the watch lane. The primary is dead when its host is unreachable or its
 * container does not run (at once), or when its {@code health} hook has failed for
 * {@link Tuning#failoverGrace()} (the template's own supervision gets that long to bring the process back).
 * A dead primary starts a failover operation; a demoted old primary whose container runs again starts a
 * rejoin. A service left without a primary but with a demoted member (a failover whose server died after the
 * demotion) is failed over again. Neither is tried again for the same service (member) sooner than
 * {@link #RETRY_AFTER}.
 */
public final class FailoverWatch {
  private static final Logger LOG = LoggerFactory.getLogger(FailoverWatch.class);
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final Store store;
  private final DriverRegistry drivers;
  private final HookRunner hooks;
  private final Roles roles;
  private final Lane lane;
  private final Tuning tuning;
  private final Clock clock;
  private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastStarted = new ConcurrentHashMap<>();
  private final Map<String, Instant> reasserted = new ConcurrentHashMap<>();
  /** How often the primary is given its service address again (see {@link #reassert}). */
  static final Duration REASSERT_EVERY = Duration.ofSeconds(10);
  private final AtomicLong looks = new AtomicLong();

  public FailoverWatch(Store store, DriverRegistry drivers, HookRunner hooks, Roles roles, Lane lane, Tuning tuning,
      Clock clock) {
    this.store = store;
    this.drivers = drivers;
    this.hooks = hooks;
    this.roles = roles;
    this.lane = lane;
    this.tuning = tuning;
    this.clock = clock;
  }

  /** One look at every watched service. */
  public void round() {
    round(() -> true);
  }

  /**
   * One look as background work: nothing when {@code fence} says no, and each action (a failover, a
   * rejoin, an address given or taken) only while it still says yes (this server still holds the lease).
   */
  public void round(BooleanSupplier fence) {
    if (!fence.getAsBoolean()) {
      return;
    }
    // every second: only services with an address (and their apps' members) are read, so apps of
    // templates without roles cost the watch nothing
    List<ServiceRecord> watched = store.servicesWithAddress();
    if (watched.isEmpty()) {
      return;
    }
    Map<String, HostRecord> hosts = store.hosts().stream().collect(Collectors.toMap(HostRecord::name, h -> h));
    Map<String, List<ServiceRecord>> byApp = watched.stream().filter(s -> s.state() == ServiceState.READY)
        .collect(Collectors.groupingBy(ServiceRecord::app));
    for (Map.Entry<String, List<ServiceRecord>> e : byApp.entrySet()) {
      Optional<AppRecord> app = store.app(e.getKey());
      if (app.isEmpty() || app.get().state() == AppState.CREATING || app.get().state() == AppState.DELETING) {
        continue;
      }
      List<MemberRecord> all = store.members(e.getKey());
      for (ServiceRecord s : e.getValue()) {
        watch(s, all.stream().filter(m -> m.service().equals(s.name())).toList(), hosts, fence);
      }
    }
  }

  private void watch(ServiceRecord s, List<MemberRecord> members, Map<String, HostRecord> hosts,
      BooleanSupplier fence) {
    reassert(s, RoleChanges.primaryOf(members), hosts, fence);
    for (MemberRecord m : members) {
      if (m.state() == MemberState.DEMOTED && ready(hosts, m)) {
        lane.submit("rejoin:" + m.name(), CHECK_TIMEOUT.plusSeconds(30), () -> {
          Optional<Boolean> up = running(m);
          if (!fence.getAsBoolean()) {
            return null;
          }
          if (up.orElse(false) && due(s.addressHolder() + " rejoin " + m.name())) {
            LOG.info("{} answers again: it rejoins {} as a replica", m.name(), s.name());
            roles.rejoin(s, m.name());
          } else if (up.isPresent() && !up.get()) {
            // stopped: make sure its NIC no longer carries the address (the failover fenced it without
            // waiting), so that it can start again and never answers for it
            var d = drivers.driver(m.host());
            if (d.assignedAddresses(m.name()).contains(s.address())) {
              d.unassignAddress(m.name(), s.address());
            }
          }
          return null;
        });
      }
    }
    MemberRecord primary = RoleChanges.primaryOf(members);
    boolean hasReplica = members.stream().anyMatch(m -> Roles.REPLICA.equals(m.role())
        && (m.state() == MemberState.RUNNING || m.state() == MemberState.UNHEALTHY));
    if (primary == null && hasReplica) {
      // no primary, but a demoted one: a failover was cut short after the demotion (its server died); the
      // recovery released the service, and this failover finishes it
      members.stream().filter(m -> m.state() == MemberState.DEMOTED).findFirst().ifPresent(m ->
          dead(s, m, "the service has no primary: the failover from " + m.name() + " was cut short", fence));
      return;
    }
    if (primary == null || !hasReplica
        || primary.state() != MemberState.RUNNING && primary.state() != MemberState.UNHEALTHY) {
      return;
    }
    HostRecord host = hosts.get(primary.host());
    if (host == null || host.state() == HostState.UNREACHABLE) {
      dead(s, primary, "its host " + primary.host() + " is unreachable", fence);
      return;
    }
    lane.submit("watch:" + primary.name(), CHECK_TIMEOUT.plusSeconds(10), () -> {
      look(s, primary, members, fence);
      return null;
    });
  }

  private void look(ServiceRecord s, MemberRecord primary, List<MemberRecord> members, BooleanSupplier fence) {
    Optional<Boolean> running = running(primary);
    if (running.isEmpty()) {
      return; // the host did not answer this time: the prober decides whether it is unreachable
    }
    if (!running.get()) {
      dead(s, primary, "its container " + primary.name() + " is not running", fence);
      return;
    }
    HookResult r;
    try {
      HookPayload payload = HookPayload.of("health", s, primary, members, subnet(s));
      r = hooks.run(drivers.driver(primary.host()), primary.name(), "health",
          CommandIds.of("watch-" + clock.millis() + "-" + looks.incrementAndGet(), primary.name(), "health", 1),
          payload.json(), payload.env(), CHECK_TIMEOUT);
    } catch (DriverException e) {
      return;
    }
    Instant now = clock.instant();
    if (r.ok()) {
      failingSince.remove(primary.name());
      return;
    }
    Instant since = failingSince.computeIfAbsent(primary.name(), k -> now);
    Duration failing = Duration.between(since, now);
    if (failing.compareTo(tuning.failoverGrace()) >= 0) {
      dead(s, primary, "its health hook has failed for " + failing.toMillis() + " ms: " + RoleHooks.firstLine(r.stderr()),
          fence);
    }
  }

  private void dead(ServiceRecord s, MemberRecord primary, String why, BooleanSupplier fence) {
    // a server that lost the lease meanwhile leaves the failover to the one that leads now
    if (!fence.getAsBoolean() || !due(s.addressHolder() + " failover")) {
      return;
    }
    failingSince.remove(primary.name());
    LOG.warn("primary {} of {}/{} is lost ({}): failing over", primary.name(), s.app(), s.name(), why);
    roles.failover(s, primary.name(), why);
  }

  /**
   * Gives the service address to the running primary again now and then: a container that restarted (by
   * itself, or by an operator) comes back without it, since the address inside is not part of its own
   * configuration. Cheap when it holds the address: the driver only looks.
   */
  private void reassert(ServiceRecord s, MemberRecord primary, Map<String, HostRecord> hosts, BooleanSupplier fence) {
    if (primary == null || primary.state() != MemberState.RUNNING || !ready(hosts, primary)) {
      return;
    }
    Instant now = clock.instant();
    Instant last = reasserted.get(primary.name());
    if (last != null && Duration.between(last, now).compareTo(REASSERT_EVERY) < 0) {
      return;
    }
    reasserted.put(primary.name(), now);
    lane.submit("address:" + primary.name(), CHECK_TIMEOUT.plusSeconds(10), () -> {
      // looked at again right before: a promotion that started meanwhile has fenced this member
      boolean still = store.service(s.app(), s.name()).map(now2 -> now2.state() == ServiceState.READY).orElse(false)
          && store.member(primary.name()).map(m -> Roles.PRIMARY.equals(m.role()) && m.state() == MemberState.RUNNING)
              .orElse(false);
      if (still && fence.getAsBoolean()) {
        drivers.driver(primary.host()).assignAddress(primary.name(), s.address());
      }
      return null;
    });
  }

  /** True (and remembered) when the same change ({@code key}) did not start within {@link #RETRY_AFTER}. */
  private boolean due(String key) {
    Instant now = clock.instant();
    Instant last = lastStarted.get(key);
    if (last != null && Duration.between(last, now).compareTo(RETRY_AFTER) < 0) {
      return false;
    }
    lastStarted.put(key, now);
    return true;
  }

  /** Whether the member's container runs; empty when its host does not answer. */
  private Optional<Boolean> running(MemberRecord m) {
    try {
      return Optional.of(drivers.driver(m.host()).find(m.name()).map(Instance::running).orElse(false));
    } catch (DriverException e) {
      return Optional.empty();
    }
  }

  private static boolean ready(Map<String, HostRecord> hosts, MemberRecord m) {
    HostRecord h = hosts.get(m.host());
    return h != null && h.state() == HostState.READY;
  }

  private dev.cadre.manager.ipam.Subnet subnet(ServiceRecord s) {
    return Ipam.subnetOf(store.datacenter(store.app(s.app()).orElseThrow().datacenter()).orElseThrow());
  }
}
