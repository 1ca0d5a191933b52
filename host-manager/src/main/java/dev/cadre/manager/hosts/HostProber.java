package dev.cadre.manager.hosts;

import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.driver.HostInfo;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.store.HostRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every host now and then: answers make it {@code ready} (and refresh its capacity), failures
 * make it {@code unreachable}. A draining host stays draining while it answers.
 */
public final class HostProber {
  private static final Logger LOG = LoggerFactory.getLogger(HostProber.class);
  private final Store store;
  private final DriverRegistry drivers;
  private final EventBus events;
  private final Clock clock;

  public HostProber(Store store, DriverRegistry drivers, EventBus events, Clock clock) {
    this.store = store;
    this.drivers = drivers;
    this.events = events;
    this.clock = clock;
  }

  public void probeAll() {
    for (HostRecord h : store.hosts()) {
      try {
        probe(h);
      } catch (RuntimeException e) {
        LOG.warn("probing {} failed: {}", h.name(), e.toString());
      }
    }
  }

  public HostRecord probe(HostRecord h) {
    HostRecord next;
    try {
      HostInfo info = drivers.driver(h.name()).probe();
      HostState state = h.state() == HostState.DRAINING ? HostState.DRAINING : HostState.READY;
      next = h.probed(state, info.cpus(), info.memoryBytes(), info.memoryUsedBytes(), info.diskBytes(),
          info.diskUsedBytes(), clock.instant());
    } catch (RuntimeException e) {
      next = h.withState(HostState.UNREACHABLE, e.getMessage(), clock.instant());
    }
    store.updateHost(next);
    if (next.state() != h.state()) {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("host", h.name());
      data.put("state", next.state().wire());
      data.put("previous", h.state().wire());
      data.put("error", next.lastError());
      events.publish("host", "hosts/" + h.name(), data);
    }
    return next;
  }
}
