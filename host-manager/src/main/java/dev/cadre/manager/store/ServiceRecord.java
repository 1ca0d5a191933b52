package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.ServiceState;
import java.util.Map;

public record ServiceRecord(String app, String name, String template, String topology, Map<String, String> config,
    Map<String, String> secrets, ServiceState state) {
  public ServiceRecord {
    config = Map.copyOf(config);
    secrets = Map.copyOf(secrets);
  }
}
