package dev.cadre.manager;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * {@code secrets}: what cadre generated for the service (e.g. redis {@code password}); {@code address}: the
 * service address, which always reaches the primary (null for a template without roles); {@code state}:
 * ready, or the change under way (converting, promoting, failing_over, rejoining) with its {@code operation};
 * {@code plan}: what the template's {@code plan} hook answered inside a member; {@code dependsOn}: the services
 * of the app whose addresses and secrets its hooks receive.
 */
public record ServiceView(
    String name,
    String template,
    String topology,
    Map<String, String> config,
    Map<String, String> secrets,
    List<MemberView> members,
    String address,
    String state,
    String operation,
    JsonNode plan,
    List<String> dependsOn) {
  public ServiceView {
    config = Map.copyOf(config);
    secrets = Map.copyOf(secrets);
    members = List.copyOf(members);
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  public ServiceView(String name, String template, String topology, Map<String, String> config,
      Map<String, String> secrets, List<MemberView> members) {
    this(name, template, topology, config, secrets, members, null, "ready", null, null, List.of());
  }
}
