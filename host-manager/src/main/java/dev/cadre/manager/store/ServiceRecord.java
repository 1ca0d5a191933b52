package dev.cadre.manager.store;

import java.util.Map;

public record ServiceRecord(String app, String name, String template, String topology, Map<String, String> config,
    Map<String, String> secrets) {
  public ServiceRecord {
    config = Map.copyOf(config);
    secrets = Map.copyOf(secrets);
  }
}
