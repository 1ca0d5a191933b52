package dev.cadre.manager.hosts;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostInfo;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NetworkInfo;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.Validation;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.HostView;
import dev.cadre.manager.Names;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.Operations;
import dev.cadre.manager.operations.StepStatus;
import dev.cadre.manager.scheduling.Placement;
import dev.cadre.manager.store.DatacenterRecord;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.StepRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Hosts joining and leaving: a registration is checked, the host probed once (it must have the named
 * network with an explicit subnet, which becomes or must match its datacenter's), and stored with a
 * finished operation; a host with members cannot be removed.
 */
public final class HostRegistry {
  private final Store store;
  private final DriverRegistry drivers;
  private final Operations operations;
  private final EventBus events;
  private final Placement placement;
  private final Consumer<String> forgotten;
  private final Clock clock;
  private final HostEndpoints endpoints;

  /** {@code forgotten} hears the name of each host removed (caches keyed by host drop it). */
  public HostRegistry(Store store, DriverRegistry drivers, Operations operations, EventBus events, Placement placement,
      Consumer<String> forgotten, Clock clock, HostEndpoints endpoints) {
    this.store = store;
    this.drivers = drivers;
    this.operations = operations;
    this.events = events;
    this.placement = placement;
    this.forgotten = forgotten;
    this.clock = clock;
    this.endpoints = endpoints;
  }

  public OperationView register(HostRequest r, String actor) {
    validate(r);
    HostDriver driver = drivers.openNew(r.name(), r.driver(), r.endpoint(), r.trust());
    try {
      HostInfo info = driver.probe();
      NetworkInfo net = info.networks().stream().filter(n -> n.name().equals(r.network())).findFirst()
          .orElseThrow(() -> new InvalidInputException(r.name(), "host has no network '" + r.network() + "'; it has: "
              + info.networks().stream().map(NetworkInfo::name).collect(Collectors.joining(", "))));
      if (net.ipv4Cidr() == null || net.ipv4Cidr().isBlank()) {
        throw new InvalidInputException(r.name(), "network '" + r.network() + "' has no IPv4 address; cadre needs a"
            + " managed network with an explicit subnet");
      }
      DatacenterRecord dc = Ipam.datacenterFor(r.datacenter(), net.ipv4Cidr(), clock);
      HostRecord host = new HostRecord(r.name(), r.driver(), r.endpoint(), r.datacenter(), r.network(), HostState.READY,
          info.cpus(), info.memoryBytes(), info.memoryUsedBytes(), info.diskBytes(), info.diskUsedBytes(), null,
          clock.instant());
      OperationRecord op = operations.finishedOperation(OperationKind.REGISTER_HOST, "hosts/" + r.name(), actor);
      store.registerHost(dc, host, op);
      String identity = driver.serverIdentity();
      if (identity != null) {
        store.pinHost(r.name(), identity);
      }
      drivers.adopt(r.name(), driver);
      store.addStep(op.id(), new StepRecord("probe", StepStatus.DONE,
          info.driver() + " " + info.version() + ", " + info.cpus() + " cpus, network " + net.ipv4Cidr(), clock.instant()));
      if (identity != null) {
        store.addStep(op.id(), new StepRecord("pin", StepStatus.DONE, "server certificate " + identity
            + " pinned: every later connection must present it", clock.instant()));
      }
      publish(r.name(), HostState.READY.wire(), null, r.datacenter());
      return operations.view(op.id());
    } catch (RuntimeException e) {
      driver.close();
      throw e;
    }
  }

  /**
   * Pins the identity the host presents now in place of the old one, once a connection that accepts only
   * that identity answered a probe: an operator who checked the new certificate out of band trusts it.
   */
  public OperationView trust(String name, String fingerprint, String trust, String actor) {
    HostRecord h = require(name);
    String wanted = fingerprint == null ? "" : fingerprint.replace(":", "").toLowerCase(java.util.Locale.ROOT);
    if (!wanted.matches("[0-9a-f]{64}")) {
      throw new InvalidInputException(null, "fingerprint must be a SHA-256 fingerprint: 64 hex digits (colons allowed)");
    }
    if (trust != null && trust.length() > 1024) {
      throw new InvalidInputException(null, "trust must be at most 1024 characters");
    }
    String pinned = store.hostFingerprint(name).orElseThrow(() -> new InvalidInputException(null, "host '" + name
        + "' has no pinned identity to replace (its endpoint " + h.endpoint() + " is not HTTPS)"));
    HostDriver driver = drivers.openPinned(name, h.driver(), h.endpoint(), trust, wanted);
    HostInfo info;
    try {
      info = driver.probe();
    } catch (RuntimeException e) {
      driver.close();
      throw e;
    }
    OperationRecord op = operations.finishedOperation(OperationKind.TRUST_HOST, "hosts/" + name, actor);
    store.insertOperation(op);
    store.pinHost(name, wanted);
    drivers.adopt(name, driver);
    HostRecord now = store.host(name).orElseThrow();
    HostState state = now.state() == HostState.UNTRUSTED || now.state() == HostState.UNREACHABLE ? HostState.READY
        : now.state();
    store.updateHost(now.probed(state, info.cpus(), info.memoryBytes(), info.memoryUsedBytes(), info.diskBytes(),
        info.diskUsedBytes(), clock.instant()));
    store.addStep(op.id(), new StepRecord("pin", StepStatus.DONE, "server certificate " + wanted + " pinned in place of "
        + pinned, clock.instant()));
    publish(name, state.wire(), now.state().wire(), null);
    return operations.view(op.id());
  }

  private void validate(HostRequest r) {
    if (r == null) {
      throw new InvalidInputException(null, "a host request is required");
    }
    Names.require("host", r.name());
    drivers.factory(r.driver());
    if (r.endpoint() == null || r.endpoint().isBlank() || r.endpoint().length() > 512) {
      throw new InvalidInputException(null, "endpoint is required (at most 512 characters), e.g. unix:///var/lib/lxd/unix.socket");
    }
    endpoints.check(r.driver(), r.endpoint());
    Names.require("datacenter", r.datacenter());
    Validation.requireNetworkName(r.network());
    if (r.trust() != null && r.trust().length() > 1024) {
      throw new InvalidInputException(null, "trust must be at most 1024 characters");
    }
    if (store.host(r.name()).isPresent()) {
      throw new ConflictException(null, "host '" + r.name() + "' is already registered");
    }
    for (HostRecord h : store.hosts()) {
      if (h.endpoint().equals(r.endpoint())) {
        throw new ConflictException(null, "endpoint " + r.endpoint() + " is already registered as host '" + h.name() + "'");
      }
    }
  }

  public OperationView remove(String name, String actor) {
    require(name);
    return placement.exclusively(() -> {
      long on = store.allMembers().stream().filter(m -> m.host().equals(name)).count();
      if (on > 0) {
        throw new ConflictException(null, "host '" + name + "' still has " + on + " members; delete or move them first");
      }
      OperationRecord op = operations.finishedOperation(OperationKind.REMOVE_HOST, "hosts/" + name, actor);
      store.insertOperation(op);
      store.deleteHost(name);
      drivers.forget(name);
      forgotten.accept(name);
      publish(name, "removed", null, null);
      return operations.view(op.id());
    });
  }

  public HostRecord require(String name) {
    return store.host(name).orElseThrow(() -> new NotFoundException(null, "host '" + name + "' not found"));
  }

  public List<HostView> all() {
    Map<String, Integer> counts = memberCounts();
    Map<String, String> pins = store.hostFingerprints();
    return store.hosts().stream().map(h -> view(h, counts, pins.get(h.name()))).toList();
  }

  public HostView one(String name) {
    return view(require(name), memberCounts(), store.hostFingerprint(name).orElse(null));
  }

  private Map<String, Integer> memberCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    store.allMembers().forEach(m -> counts.merge(m.host(), 1, Integer::sum));
    return counts;
  }

  private static HostView view(HostRecord h, Map<String, Integer> counts, String fingerprint) {
    return new HostView(h.name(), h.driver(), h.endpoint(), h.datacenter(), h.network(), h.state().wire(), h.cpus(),
        h.memoryBytes(), h.memoryUsedBytes(), h.diskBytes(), h.diskUsedBytes(), counts.getOrDefault(h.name(), 0),
        h.lastError(), h.updated(), fingerprint);
  }

  /** A host event: {@code state} is a {@link HostState}'s name, or "removed". */
  void publish(String host, String state, String previous, String datacenter) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("host", host);
    data.put("state", state);
    if (previous != null) {
      data.put("previous", previous);
    }
    if (datacenter != null) {
      data.put("datacenter", datacenter);
    }
    events.publish("host", "hosts/" + host, data);
  }
}
