package dev.cadre.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The server's class path carries both drivers, found the way the control plane finds them. */
class DriverWiringTest {
  @Test
  void lxdAndZoneFactoriesAreFoundByServiceLoader() {
    Set<String> kinds = new HashSet<>();
    ControlPlanes.factories().forEach(f -> kinds.add(f.kind()));
    assertTrue(kinds.containsAll(Set.of("lxd", "zone")), kinds.toString());
  }
}
