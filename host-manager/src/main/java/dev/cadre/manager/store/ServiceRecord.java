package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.ServiceState;
import java.util.List;
import java.util.Map;

/**
 * One service of an app. {@code address}: the service address that follows the primary (null for a
 * template without roles); {@code operationId}: the operation changing the service's shape while it is not
 * {@code ready}; {@code plan}: what the template's {@code plan} hook answered inside a member (JSON), or null
 * before a member answered; {@code dependsOn}: services of the same app whose addresses its hooks receive.
 */
public record ServiceRecord(String app, String name, String template, String topology, Map<String, String> config,
    Map<String, String> secrets, ServiceState state, String address, String operationId, String plan,
    List<String> dependsOn) {
  public ServiceRecord {
    config = Map.copyOf(config);
    secrets = Map.copyOf(secrets);
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  public ServiceRecord(String app, String name, String template, String topology, Map<String, String> config,
      Map<String, String> secrets, ServiceState state) {
    this(app, name, template, topology, config, secrets, state, null, null, null, List.of());
  }

  public ServiceRecord withDependsOn(List<String> services) {
    return new ServiceRecord(app, name, template, topology, config, secrets, state, address, operationId, plan, services);
  }

  /** Who holds the service address in the address table: never a valid member name. */
  public String addressHolder() {
    return holder(app, name);
  }

  public static String holder(String app, String service) {
    return "@" + app + "/" + service;
  }

  public ServiceRecord withTopology(String newTopology) {
    return new ServiceRecord(app, name, template, newTopology, config, secrets, state, address, operationId, plan,
        dependsOn);
  }

  public ServiceRecord withAddress(String newAddress) {
    return new ServiceRecord(app, name, template, topology, config, secrets, state, newAddress, operationId, plan,
        dependsOn);
  }

  public ServiceRecord withPlan(String newPlan) {
    return new ServiceRecord(app, name, template, topology, config, secrets, state, address, operationId, newPlan,
        dependsOn);
  }
}
