package dev.cadre.manager.apps;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.Names;
import dev.cadre.manager.ServiceRequest;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.scheduling.Need;
import dev.cadre.manager.secrets.Secrets;
import dev.cadre.manager.store.DatacenterRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.Template;
import dev.cadre.templates.TemplateCatalog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks an app request field by field (a refusal names the field and changes nothing) and turns it into
 * services and members: topology from the template, roles in the topology's order, secrets made.
 */
final class AppPlanner {
  private final Store store;
  private final TemplateCatalog templates;
  private final Secrets secrets;

  AppPlanner(Store store, TemplateCatalog templates, Secrets secrets) {
    this.store = store;
    this.templates = templates;
    this.secrets = secrets;
  }

  AppPlan plan(AppRequest r) {
    if (r == null) {
      throw new InvalidInputException(null, "an app request is required");
    }
    Names.require("app", r.name());
    if (r.datacenter() == null) {
      throw new InvalidInputException(null, "datacenter is required");
    }
    Names.require("datacenter", r.datacenter());
    if (store.datacenter(r.datacenter()).isEmpty()) {
      throw new InvalidInputException(null, "unknown datacenter '" + r.datacenter() + "'; known: "
          + store.datacenters().stream().map(DatacenterRecord::name).collect(Collectors.joining(", ")));
    }
    if (r.services().isEmpty() || r.services().size() > Names.MAX_SERVICES) {
      throw new InvalidInputException(null, "an app needs 1 to " + Names.MAX_SERVICES + " services");
    }
    Set<String> seen = new HashSet<>();
    List<ServiceRecord> services = new ArrayList<>();
    List<AppPlan.PlannedMember> members = new ArrayList<>();
    for (ServiceRequest s : r.services()) {
      if (s == null) {
        throw new InvalidInputException(null, "a service must not be null");
      }
      Names.require("service", s.name());
      if (!seen.add(s.name())) {
        throw new InvalidInputException(null, "service '" + s.name() + "' is listed twice");
      }
      Template t = template(s);
      String topology = s.topology() == null ? t.topologies().get(0) : s.topology();
      if (!t.topologies().contains(topology)) {
        throw new InvalidInputException(null, "service '" + s.name() + "': template '" + t.name()
            + "' has no topology '" + topology + "'; it has: " + String.join(", ", t.topologies()));
      }
      int count = s.count() == null ? t.defaultCount(topology) : s.count();
      if (count < 1 || count > Names.MAX_COUNT) {
        throw new InvalidInputException(null, "service '" + s.name() + "': count must be 1 to " + Names.MAX_COUNT
            + ", got " + count);
      }
      s.config().forEach((k, v) -> Names.requireConfig(s.name(), k, v));
      String longest = memberName(r.name(), s.name(), count);
      if (longest.length() > 63) {
        throw new InvalidInputException(null, "app '" + r.name() + "' and service '" + s.name()
            + "' are too long together: container names " + longest + " would pass 63 characters");
      }
      services.add(new ServiceRecord(r.name(), s.name(), t.name(), topology, s.config(), secrets.make(t.secrets()),
          ServiceState.READY).withDependsOn(s.dependsOn()));
      List<String> roles = t.roles(topology);
      for (int i = 1; i <= count; i++) {
        String role = roles.get(Math.min(i - 1, roles.size() - 1));
        members.add(new AppPlan.PlannedMember(s.name(), i, role, new Need(s.name(), t.cpus(), t.memoryMiB(), t.diskMiB())));
      }
    }
    checkDependencies(r.services());
    if (store.app(r.name()).isPresent()) {
      throw new ConflictException(null, "app '" + r.name() + "' already exists");
    }
    return new AppPlan(services, members);
  }

  /** Each dependency names another service of the app, once, and no service depends on itself through others. */
  static void checkDependencies(List<ServiceRequest> services) {
    java.util.Map<String, List<String>> graph = new java.util.LinkedHashMap<>();
    services.forEach(s -> graph.put(s.name(), s.dependsOn()));
    for (ServiceRequest s : services) {
      Set<String> once = new HashSet<>();
      for (String d : s.dependsOn()) {
        if (d == null || !graph.containsKey(d)) {
          throw new InvalidInputException(null, "service '" + s.name() + "': depends_on names '" + d
              + "', which is not a service of the app; it has: " + String.join(", ", graph.keySet()));
        }
        if (d.equals(s.name())) {
          throw new InvalidInputException(null, "service '" + s.name() + "' cannot depend on itself");
        }
        if (!once.add(d)) {
          throw new InvalidInputException(null, "service '" + s.name() + "': depends_on lists '" + d + "' twice");
        }
      }
    }
    // a cycle: a service reached again while its own dependencies are being walked
    Set<String> done = new HashSet<>();
    for (String s : graph.keySet()) {
      walk(s, graph, new java.util.ArrayDeque<>(), done);
    }
  }

  private static void walk(String s, java.util.Map<String, List<String>> graph, java.util.Deque<String> path,
      Set<String> done) {
    if (done.contains(s)) {
      return;
    }
    if (path.contains(s)) {
      List<String> cycle = new ArrayList<>(path);
      java.util.Collections.reverse(cycle);
      cycle = cycle.subList(cycle.indexOf(s), cycle.size());
      throw new InvalidInputException(null, "services depend on each other in a circle: "
          + String.join(" -> ", cycle) + " -> " + s);
    }
    path.push(s);
    for (String d : graph.get(s)) {
      walk(d, graph, path, done);
    }
    path.pop();
    done.add(s);
  }

  private Template template(ServiceRequest s) {
    if (s.template() == null) {
      throw new InvalidInputException(null, "service '" + s.name() + "': template is required");
    }
    return templates.find(s.template()).orElseThrow(() -> new InvalidInputException(null, "service '"
        + s.name() + "': unknown template '" + s.template() + "'; known: "
        + templates.all().stream().map(Template::name).collect(Collectors.joining(", "))));
  }

  static String memberName(String app, String service, int ordinal) {
    return Names.member(app, service, ordinal);
  }
}
