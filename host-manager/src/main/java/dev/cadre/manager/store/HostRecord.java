package dev.cadre.manager.store;

import java.time.Instant;

/** A registered host and what its last probe said. */
public record HostRecord(
    String name,
    String driver,
    String endpoint,
    String datacenter,
    String network,
    String state,
    int cpus,
    long memoryBytes,
    long memoryUsedBytes,
    long diskBytes,
    long diskUsedBytes,
    String lastError,
    Instant updated) {

  public HostRecord withState(String newState, String error, Instant at) {
    return new HostRecord(name, driver, endpoint, datacenter, network, newState, cpus, memoryBytes, memoryUsedBytes,
        diskBytes, diskUsedBytes, error, at);
  }
}
