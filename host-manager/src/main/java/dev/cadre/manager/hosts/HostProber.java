package dev.cadre.manager.hosts;

import dev.cadre.driver.HostInfo;
import dev.cadre.driver.ServerIdentityException;
import dev.cadre.manager.background.Lane;
import dev.cadre.manager.background.Outcome;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every host now and then: answers make it {@code ready} (and refresh its capacity), failures
 * make it {@code unreachable}. A draining or drained host stays so while it answers, and a drained one also
 * when it does not (the failure is kept as its last error): only a resume ends a drain.
 *
 * <p>Each host is probed as a task of its own on the probe lane, with a deadline: a host whose endpoint
 * accepts connections and never answers is marked unreachable when its deadline passes, and delays
 * neither the other hosts nor anything else. Its stuck probe keeps its place until the driver gives up;
 * rounds meanwhile skip that host, and a late answer is dropped.
 */
public final class HostProber {
  private static final Logger LOG = LoggerFactory.getLogger(HostProber.class);
  private final Store store;
  private final DriverRegistry drivers;
  private final EventBus events;
  private final Clock clock;
  private final Lane lane;
  private final Duration timeout;

  public HostProber(Store store, DriverRegistry drivers, EventBus events, Clock clock, Lane lane, Duration timeout) {
    this.store = store;
    this.drivers = drivers;
    this.events = events;
    this.clock = clock;
    this.lane = lane;
    this.timeout = timeout;
  }

  /** One round: every host at once, each within the probe timeout; answers when each has its outcome. */
  public void probeAll() {
    probeAll(() -> true);
  }

  /**
   * One round as background work: nothing when {@code fence} says no, and each outcome is recorded only
   * while it still says yes (this server still holds the lease of background work).
   */
  public void probeAll(BooleanSupplier fence) {
    if (!fence.getAsBoolean()) {
      return;
    }
    Map<String, Callable<HostInfo>> probes = new LinkedHashMap<>();
    for (HostRecord h : store.hosts()) {
      probes.put(h.name(), () -> drivers.driver(h.name()).probe());
    }
    int skipped = lane.runAll(probes, timeout, (host, outcome) -> {
      if (fence.getAsBoolean()) {
        record(host, outcome);
      }
    });
    if (skipped > 0) {
      LOG.debug("{} hosts not probed this round: an earlier probe is still under way", skipped);
    }
  }

  private void record(String host, Outcome<HostInfo> outcome) {
    try {
      if (outcome instanceof Outcome.Done<HostInfo> done) {
        answered(host, done.value());
      } else if (outcome instanceof Outcome.Failed<HostInfo> failed
          && failed.error() instanceof ServerIdentityException changed) {
        untrusted(host, changed);
      } else if (outcome instanceof Outcome.Failed<HostInfo> failed) {
        Throwable e = failed.error();
        unreachable(host, e instanceof RuntimeException && e.getMessage() != null ? e.getMessage() : e.toString());
      } else if (outcome instanceof Outcome.TimedOut<HostInfo> late) {
        unreachable(host, "probe timed out after " + late.after() + " (the host accepted no request or gave no answer)");
      } else {
        LOG.warn("probe of {} did not start within {}: every probe thread is busy", host, timeout);
      }
    } catch (RuntimeException e) {
      LOG.warn("recording the probe of {} failed: {}", host, e.toString());
    }
  }

  private void answered(String host, HostInfo info) {
    // read again: the host may have been drained or removed while the probe ran
    store.host(host).ifPresent(h -> {
      // untrusted stays untrusted until an admin trusts it: the pinned server answering again does not tell
      // what the other one did meanwhile
      HostState state = h.state().drainedOrDraining() || h.state() == HostState.UNTRUSTED ? h.state() : HostState.READY;
      change(h, h.probed(state, info.cpus(), info.memoryBytes(), info.memoryUsedBytes(), info.diskBytes(),
          info.diskUsedBytes(), clock.instant()));
    });
  }

  private void untrusted(String host, ServerIdentityException e) {
    store.host(host).ifPresent(h -> change(h, h.withState(HostState.UNTRUSTED, e.getMessage() + "; if the new"
        + " certificate is the server's own, trust it: POST /v1/hosts/" + host + "/trust {\"fingerprint\": \""
        + e.presented() + "\"} (cadre hosts trust " + host + " --sha256 " + e.presented() + ")", clock.instant())));
  }

  private void unreachable(String host, String error) {
    store.host(host).ifPresent(h -> change(h, h.withState(
        h.state() == HostState.DRAINED ? HostState.DRAINED : HostState.UNREACHABLE, error, clock.instant())));
  }

  /** Writes what the probe saw unless the state changed since it was read (a drain ended, a resume): then the next round looks again. */
  private void change(HostRecord before, HostRecord next) {
    if (store.updateHost(next, before.state()) && next.state() != before.state()) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("host", before.name());
      data.put("state", next.state().wire());
      data.put("previous", before.state().wire());
      data.put("error", next.lastError());
      events.publish("host", "hosts/" + before.name(), data);
    }
  }
}
