package dev.cadre.lxd;

import dev.cadre.driver.InstanceState;

/** LXD's status strings as contract states; anything new maps to UNRECOGNIZED, never to a guess. */
final class LxdStates {
  private LxdStates() {}

  static InstanceState toState(String status) {
    if (status == null) {
      return InstanceState.UNRECOGNIZED;
    }
    return switch (status) {
      case "Running" -> InstanceState.RUNNING;
      case "Stopped" -> InstanceState.STOPPED;
      case "Starting" -> InstanceState.STARTING;
      case "Stopping", "Aborting" -> InstanceState.STOPPING;
      case "Frozen", "Freezing", "Thawed" -> InstanceState.FROZEN;
      case "Error", "Broken" -> InstanceState.ERROR;
      default -> InstanceState.UNRECOGNIZED;
    };
  }
}
