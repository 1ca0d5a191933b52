package dev.cadre.api.routes;

import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Check;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.Names;
import dev.cadre.manager.ServiceRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code POST /v1/apps}; {@code keep_failed} leaves failed members' containers for inspection. */
public record AppBody(String name, String datacenter, List<ServiceBody> services, Boolean keepFailed) {
  static final int MAX_SERVICES = Names.MAX_SERVICES;
  static final int MAX_COUNT = Names.MAX_COUNT;

  public record ServiceBody(String name, String template, String topology, Integer count, Map<String, String> config,
      List<String> dependsOn) {}

  public AppRequest toRequest() {
    Check.name(name, "name");
    Check.name(datacenter, "datacenter");
    if (services == null || services.isEmpty()) {
      throw ApiException.badRequest("field 'services' must list at least one service", "services");
    }
    if (services.size() > MAX_SERVICES) {
      throw ApiException.badRequest("at most " + MAX_SERVICES + " services per app", "services");
    }
    Set<String> seen = new HashSet<>();
    List<ServiceRequest> out = new ArrayList<>();
    for (int i = 0; i < services.size(); i++) {
      String at = "services[" + i + "]";
      ServiceBody s = services.get(i);
      if (s == null) {
        throw ApiException.badRequest("'" + at + "' must be an object", at);
      }
      Check.name(s.name(), at + ".name");
      if (!seen.add(s.name())) {
        throw ApiException.badRequest("duplicate service name '" + s.name() + "'", at + ".name");
      }
      Check.word(s.template(), at + ".template");
      if (s.topology() != null) {
        Check.word(s.topology(), at + ".topology");
      }
      if (s.count() != null) {
        Check.range(s.count(), at + ".count", 1, MAX_COUNT);
      }
      if (s.config() != null) {
        for (Map.Entry<String, String> e : s.config().entrySet()) {
          Check.configKey(e.getKey(), at + ".config");
          Check.configValue(e.getValue(), at + ".config." + e.getKey());
        }
      }
      if (s.dependsOn() != null) {
        if (s.dependsOn().size() > MAX_SERVICES) {
          throw ApiException.badRequest("at most " + MAX_SERVICES + " dependencies", at + ".depends_on");
        }
        for (int j = 0; j < s.dependsOn().size(); j++) {
          Check.name(s.dependsOn().get(j), at + ".depends_on[" + j + "]");
        }
      }
      out.add(new ServiceRequest(s.name(), s.template(), s.topology(), s.count(), s.config(), s.dependsOn()));
    }
    return new AppRequest(name, datacenter, out, Boolean.TRUE.equals(keepFailed));
  }
}
