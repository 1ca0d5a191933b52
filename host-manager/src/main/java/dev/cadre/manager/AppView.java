package dev.cadre.manager;

import java.time.Instant;
import java.util.List;

/** {@code state}: creating, running, degraded, failed, deleting. */
public record AppView(String name, String datacenter, String state, List<ServiceView> services, Instant created) {
  public AppView {
    services = List.copyOf(services);
  }
}
