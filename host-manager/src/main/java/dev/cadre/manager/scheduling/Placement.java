package dev.cadre.manager.scheduling;

import dev.cadre.manager.store.HostUse;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.MoveRecord;
import dev.cadre.manager.store.Store;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Where members go, decided one request at a time: what each host of a datacenter has and what cadre has
 * placed on it (failed members hold nothing), then {@link Scheduler#place}. Callers that place and then
 * store do both inside {@link #exclusively} so that two requests cannot take the same room, on this server
 * or on any other sharing the store.
 */
public final class Placement {
  private final Store store;
  private final int cpuOvercommit;
  private final ReentrantLock lock = new ReentrantLock();

  public Placement(Store store, int cpuOvercommit) {
    this.store = store;
    this.cpuOvercommit = cpuOvercommit;
  }

  /**
   * Runs {@code work} (read what is placed, decide, store the reservation) as the only placement anywhere:
   * this server's requests queue here, so that each holds at most one connection while it waits; then the
   * store's placement lock orders them with the other servers' (see {@link Store#placementLocked}).
   */
  public <T> T exclusively(Supplier<T> work) {
    lock.lock();
    try {
      // a placement inside another (a drain's plan) already holds the store's lock
      return lock.getHoldCount() > 1 ? work.get() : store.placementLocked(work);
    } finally {
      lock.unlock();
    }
  }

  /** One host per need, in order; throws Conflict with the reason when the datacenter cannot hold them. */
  public List<String> place(String datacenter, List<Need> needs) {
    return Scheduler.place(datacenter, capacities(datacenter), needs);
  }

  List<HostCapacity> capacities(String datacenter) {
    Map<String, long[]> placed = new TreeMap<>(); // host -> cpus, memory MiB, disk MiB
    // summed by the store: a placement reads a row per host, not one per member
    for (HostUse u : store.placedUse()) {
      placed.put(u.host(), new long[] {u.cpus(), u.memoryMiB(), u.diskMiB()});
    }
    // a member on its way to another datacenter holds room on both hosts until its move ends
    for (MoveRecord move : store.allMoves()) {
      MemberRecord m = move.member() && move.otherHost() != null ? store.member(move.holder()).orElse(null) : null;
      if (m != null) {
        add(placed, move.otherHost(), m);
      }
    }
    return store.hosts().stream().filter(h -> h.datacenter().equals(datacenter))
        .map(h -> {
          long[] use = placed.getOrDefault(h.name(), new long[3]);
          return new HostCapacity(h.name(), h.state(), h.cpus() * cpuOvercommit, h.memoryBytes() >> 20,
              h.diskBytes() >> 20, (int) use[0], use[1], use[2]);
        })
        .toList();
  }

  private static void add(Map<String, long[]> placed, String host, MemberRecord m) {
    long[] use = placed.computeIfAbsent(host, k -> new long[3]);
    use[0] += m.cpus();
    use[1] += m.memoryMiB();
    use[2] += m.diskMiB();
  }
}
