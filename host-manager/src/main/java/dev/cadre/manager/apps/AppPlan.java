package dev.cadre.manager.apps;

import dev.cadre.manager.scheduling.Need;
import dev.cadre.manager.store.ServiceRecord;
import java.util.List;

/** A checked app request: its services (secrets made) and its members in order, not yet placed. */
record AppPlan(List<ServiceRecord> services, List<PlannedMember> members) {
  AppPlan {
    services = List.copyOf(services);
    members = List.copyOf(members);
  }

  List<Need> needs() {
    return members.stream().map(PlannedMember::need).toList();
  }

  record PlannedMember(String service, int ordinal, String role, Need need) {}
}
