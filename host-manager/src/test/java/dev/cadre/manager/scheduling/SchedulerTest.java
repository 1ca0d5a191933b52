package dev.cadre.manager.scheduling;

import dev.cadre.manager.lifecycle.HostState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadre.driver.ConflictException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerTest {
  static HostCapacity host(String name, String state, int cpus, long memMiB, int usedCpus, long usedMem) {
    return new HostCapacity(name, HostState.parse(state), cpus, memMiB, 0, usedCpus, usedMem, 0);
  }

  static List<Need> needs(String service, int n, int cpus, long mem) {
    return Collections.nCopies(n, new Need(service, cpus, mem, 10));
  }

  @Test
  void spreadsAServiceOverHosts() {
    var placed = Scheduler.place("dc", List.of(host("a", "ready", 8, 4096, 0, 0), host("b", "ready", 8, 4096, 0, 0),
        host("c", "ready", 8, 4096, 0, 0)), needs("web", 3, 1, 256));
    assertEquals(3, placed.stream().distinct().count());
  }

  @Test
  void prefersTheHostWithMoreFreeMemoryAtEqualSpread() {
    var placed = Scheduler.place("dc", List.of(host("a", "ready", 8, 4096, 0, 3000), host("b", "ready", 8, 4096, 0, 0)),
        needs("web", 1, 1, 256));
    assertEquals(List.of("b"), placed);
  }

  @Test
  void skipsHostsThatAreNotReadyOrFull() {
    var placed = Scheduler.place("dc", List.of(host("a", "unreachable", 8, 4096, 0, 0), host("b", "ready", 8, 4096, 8, 0),
        host("c", "ready", 8, 4096, 0, 0)), needs("web", 2, 1, 256));
    assertEquals(List.of("c", "c"), placed);
  }

  @Test
  void refusesWithTheReasonPerHost() {
    var e = assertThrows(ConflictException.class, () -> Scheduler.place("dc1",
        List.of(host("a", "unreachable", 8, 4096, 0, 0), host("b", "ready", 8, 1024, 0, 900)), needs("db", 1, 2, 512)));
    assertTrue(e.getMessage().contains("a is unreachable"), e.getMessage());
    assertTrue(e.getMessage().contains("b has only 124 MiB memory free"), e.getMessage());
    assertTrue(e.getMessage().contains("service 'db' needs 2 cpu, 512 MiB"), e.getMessage());
  }

  @Test
  void countsWhatThisRequestPlacedItself() {
    var e = assertThrows(ConflictException.class,
        () -> Scheduler.place("dc1", List.of(host("a", "ready", 2, 4096, 0, 0)), needs("web", 3, 1, 10)));
    assertTrue(e.getMessage().contains("member 3 of 3") && e.getMessage().contains("a has only 0 cpu free"), e.getMessage());
  }

  @Test
  void refusesADatacenterWithoutHosts() {
    var e = assertThrows(ConflictException.class, () -> Scheduler.place("dc9", List.of(), needs("web", 1, 1, 1)));
    assertTrue(e.getMessage().contains("has no hosts"));
    var down = assertThrows(ConflictException.class,
        () -> Scheduler.place("dc9", List.of(host("a", "unreachable", 8, 8, 0, 0)), needs("web", 1, 1, 1)));
    assertTrue(down.getMessage().contains("no ready host: a is unreachable"), down.getMessage());
  }
}
