package dev.cadre.manager.store;

import java.util.List;

/** Apps with their services and members, as one read gives them (see {@link Store#apps(java.util.Collection)}). */
public record AppRows(List<AppRecord> apps, List<ServiceRecord> services, List<MemberRecord> members) {
  public AppRows {
    apps = List.copyOf(apps);
    services = List.copyOf(services);
    members = List.copyOf(members);
  }
}
