package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.HostState;
import java.time.Instant;

/** A registered host and what its last probe said. */
public record HostRecord(
    String name,
    String driver,
    String endpoint,
    String datacenter,
    String network,
    HostState state,
    int cpus,
    long memoryBytes,
    long memoryUsedBytes,
    long diskBytes,
    long diskUsedBytes,
    String lastError,
    Instant updated) {

  /** The host in {@code newState}; throws when its lifecycle does not allow the change. */
  public HostRecord withState(HostState newState, String error, Instant at) {
    return new HostRecord(name, driver, endpoint, datacenter, network, state.to(newState), cpus, memoryBytes, memoryUsedBytes,
        diskBytes, diskUsedBytes, error, at);
  }

  /** What a probe that answered says: capacity and use now, and {@code newState}. */
  public HostRecord probed(HostState newState, int newCpus, long memory, long memoryUsed, long disk, long diskUsed,
      Instant at) {
    return new HostRecord(name, driver, endpoint, datacenter, network, state.to(newState), newCpus, memory, memoryUsed,
        disk, diskUsed, null, at);
  }
}
