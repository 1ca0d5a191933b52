package dev.cadre.manager;

import java.util.Map;

/** One service of an app: {@code topology} defaults to the template's first, {@code count} to 1. */
public record ServiceRequest(String name, String template, String topology, Integer count, Map<String, String> config) {
  public ServiceRequest {
    config = config == null ? Map.of() : Map.copyOf(config);
  }
}
