package dev.cadre.manager.scheduling;

import dev.cadre.manager.lifecycle.HostState;

/**
 * One host as the scheduler sees it: what it has (from its last probe, CPUs already multiplied by the
 * overcommit factor) and what cadre has placed on it.
 */
public record HostCapacity(String name, HostState state, int cpus, long memoryMiB, long diskMiB, int placedCpus,
    long placedMemoryMiB, long placedDiskMiB) {

  public boolean ready() {
    return state.placeable();
  }

  public int freeCpus() {
    return cpus - placedCpus;
  }

  public long freeMemoryMiB() {
    return memoryMiB - placedMemoryMiB;
  }

  /** A disk size of 0 means the host did not report one: not a limit. */
  public long freeDiskMiB() {
    return diskMiB <= 0 ? Long.MAX_VALUE : diskMiB - placedDiskMiB;
  }

  HostCapacity plus(Need need) {
    return new HostCapacity(name, state, cpus, memoryMiB, diskMiB, placedCpus + need.cpus(),
        placedMemoryMiB + need.memoryMiB(), placedDiskMiB + need.diskMiB());
  }
}
