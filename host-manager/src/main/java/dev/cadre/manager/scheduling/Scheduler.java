package dev.cadre.manager.scheduling;

import dev.cadre.driver.ConflictException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Places members on hosts: only ready hosts, only where the member's CPUs, memory and disk fit, and
 * among those the host with the fewest members of the same service (then the most free memory), so
 * that a service's members spread over hosts. Pure: no I/O, the caller supplies the picture.
 */
public final class Scheduler {

  private Scheduler() {}

  /**
   * Answers one host name per need, in order; refuses the whole request with the reason when one member
   * does not fit, so that nothing is created.
   */
  public static List<String> place(String datacenter, List<HostCapacity> hosts, List<Need> needs) {
    Map<String, HostCapacity> state = new LinkedHashMap<>();
    hosts.forEach(h -> state.put(h.name(), h));
    Map<String, Map<String, Integer>> perService = new HashMap<>();
    List<String> out = new ArrayList<>();
    if (hosts.stream().noneMatch(HostCapacity::ready)) {
      throw new ConflictException(null, hosts.isEmpty()
          ? "datacenter '" + datacenter + "' has no hosts"
          : "datacenter '" + datacenter + "' has no ready host: " + describe(hosts));
    }
    for (int i = 0; i < needs.size(); i++) {
      Need need = needs.get(i);
      Map<String, Integer> counts = perService.computeIfAbsent(need.service(), s -> new HashMap<>());
      HostCapacity best = null;
      for (HostCapacity h : state.values()) {
        if (!fits(h, need)) {
          continue;
        }
        if (best == null || better(h, best, counts)) {
          best = h;
        }
      }
      if (best == null) {
        throw new ConflictException(null, "no host in datacenter '" + datacenter + "' can hold member " + (i + 1)
            + " of " + needs.size() + " (service '" + need.service() + "' needs " + need.cpus() + " cpu, "
            + need.memoryMiB() + " MiB memory, " + need.diskMiB() + " MiB disk): "
            + whyNot(state.values(), need));
      }
      state.put(best.name(), best.plus(need));
      counts.merge(best.name(), 1, Integer::sum);
      out.add(best.name());
    }
    return out;
  }

  static boolean fits(HostCapacity h, Need need) {
    return h.ready() && h.freeCpus() >= need.cpus() && h.freeMemoryMiB() >= need.memoryMiB()
        && h.freeDiskMiB() >= need.diskMiB();
  }

  private static boolean better(HostCapacity a, HostCapacity b, Map<String, Integer> counts) {
    int ca = counts.getOrDefault(a.name(), 0);
    int cb = counts.getOrDefault(b.name(), 0);
    if (ca != cb) {
      return ca < cb;
    }
    if (a.freeMemoryMiB() != b.freeMemoryMiB()) {
      return a.freeMemoryMiB() > b.freeMemoryMiB();
    }
    return a.name().compareTo(b.name()) < 0;
  }

  private static String whyNot(Iterable<HostCapacity> hosts, Need need) {
    StringJoiner j = new StringJoiner("; ");
    for (HostCapacity h : hosts) {
      if (!h.ready()) {
        j.add(h.name() + " is " + h.state().wire());
        continue;
      }
      List<String> lacks = new ArrayList<>();
      if (h.freeCpus() < need.cpus()) {
        lacks.add(Math.max(0, h.freeCpus()) + " cpu free");
      }
      if (h.freeMemoryMiB() < need.memoryMiB()) {
        lacks.add(Math.max(0, h.freeMemoryMiB()) + " MiB memory free");
      }
      if (h.freeDiskMiB() < need.diskMiB()) {
        lacks.add(Math.max(0, h.freeDiskMiB()) + " MiB disk free");
      }
      j.add(h.name() + " has only " + String.join(", ", lacks));
    }
    return j.toString();
  }

  private static String describe(List<HostCapacity> hosts) {
    StringJoiner j = new StringJoiner(", ");
    hosts.forEach(h -> j.add(h.name() + " is " + h.state().wire()));
    return j.toString();
  }
}
