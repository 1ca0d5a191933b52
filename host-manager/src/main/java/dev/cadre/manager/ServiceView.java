package dev.cadre.manager;

import java.util.List;
import java.util.Map;

/** {@code secrets}: what cadre generated for the service (e.g. redis {@code password}). */
public record ServiceView(
    String name,
    String template,
    String topology,
    Map<String, String> config,
    Map<String, String> secrets,
    List<MemberView> members) {
  public ServiceView {
    config = Map.copyOf(config);
    secrets = Map.copyOf(secrets);
    members = List.copyOf(members);
  }
}
