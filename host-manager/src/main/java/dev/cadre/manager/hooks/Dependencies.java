package dev.cadre.manager.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookEnv;
import dev.cadre.templates.TemplateCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a service's hooks learn about the services it depends on ({@code depends_on}), read from the store
 * when the hook runs: the address to use (the service address when the dependency has one, which follows
 * its primary; else its first member's), its template's first port, every member's address, its secrets.
 */
public final class Dependencies {
  private final Store store;
  private final TemplateCatalog templates;

  public Dependencies(Store store, TemplateCatalog templates) {
    this.store = store;
    this.templates = templates;
  }

  public List<HookEnv.Dependency> of(ServiceRecord s) {
    if (s.dependsOn().isEmpty()) {
      return List.of();
    }
    Map<String, ServiceRecord> services = store.services(s.app()).stream()
        .collect(Collectors.toMap(ServiceRecord::name, Function.identity()));
    List<MemberRecord> members = store.members(s.app());
    List<HookEnv.Dependency> out = new ArrayList<>();
    for (String name : s.dependsOn()) {
      ServiceRecord d = services.get(name);
      if (d == null) {
        continue;
      }
      List<String> ips = members.stream()
          .filter(m -> m.service().equals(name) && m.ip() != null && m.state() != MemberState.FAILED
              && m.state() != MemberState.DELETING)
          .sorted(Comparator.comparingInt(MemberRecord::ordinal)).map(MemberRecord::ip).toList();
      String address = d.address() != null ? d.address() : ips.isEmpty() ? null : ips.get(0);
      out.add(new HookEnv.Dependency(name, address, port(d), ips, d.secrets()));
    }
    return out;
  }

  /** {@code services} with every service after those it depends on (then by name): the order to configure them in. */
  public static List<ServiceRecord> dependenciesFirst(List<ServiceRecord> services) {
    Map<String, ServiceRecord> byName = services.stream().collect(Collectors.toMap(ServiceRecord::name, x -> x));
    return services.stream()
        .sorted(Comparator.comparingInt((ServiceRecord t) -> depth(t, byName, 0)).thenComparing(ServiceRecord::name))
        .toList();
  }

  /** The length of {@code t}'s longest chain of dependencies (0 for a service that depends on nothing). */
  private static int depth(ServiceRecord t, Map<String, ServiceRecord> services, int guard) {
    if (guard > services.size()) {
      return guard; // the planner refuses cycles; never loop on a store written otherwise
    }
    int d = 0;
    for (String dep : t.dependsOn()) {
      ServiceRecord x = services.get(dep);
      if (x != null) {
        d = Math.max(d, 1 + depth(x, services, guard + 1));
      }
    }
    return d;
  }

  private int port(ServiceRecord d) {
    JsonNode ports = templates.find(d.template()).map(t -> t.plan().path("ports")).orElse(null);
    return ports != null && ports.isArray() && ports.size() > 0 ? ports.get(0).path("port").asInt(0) : 0;
  }
}
