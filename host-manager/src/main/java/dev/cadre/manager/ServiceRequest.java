package dev.cadre.manager;

import java.util.List;
import java.util.Map;

/**
 * One service of an app: {@code topology} defaults to the template's first, {@code count} to one member per
 * role of the topology; {@code dependsOn} names other services of the app whose addresses and secrets its
 * hooks receive.
 */
public record ServiceRequest(String name, String template, String topology, Integer count, Map<String, String> config,
    List<String> dependsOn) {
  public ServiceRequest {
    config = config == null ? Map.of() : Map.copyOf(config);
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  public ServiceRequest(String name, String template, String topology, Integer count, Map<String, String> config) {
    this(name, template, topology, count, config, List.of());
  }
}
