package dev.cadre.driver;

import java.util.List;

/** What probing a host tells: who it is, what it runs, and how much room it has. */
public record HostInfo(
    String name,
    String driver,
    String version,
    String architecture,
    int cpus,
    long memoryBytes,
    long memoryUsedBytes,
    long diskBytes,
    long diskUsedBytes,
    int instances,
    List<NetworkInfo> networks) {

  public HostInfo {
    networks = List.copyOf(networks);
  }
}
