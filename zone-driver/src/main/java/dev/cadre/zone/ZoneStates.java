package dev.cadre.zone;

import dev.cadre.driver.InstanceState;

/**
 * Zone states (zones(5), as {@code zoneadm list} prints them) as contract states. Anything else maps
 * to UNRECOGNIZED, never to a guess.
 */
final class ZoneStates {
  static final String CONFIGURED = "configured";
  static final String INCOMPLETE = "incomplete";
  static final String INSTALLED = "installed";
  static final String READY = "ready";
  static final String RUNNING = "running";
  static final String SHUTTING_DOWN = "shutting_down";
  static final String DOWN = "down";

  private ZoneStates() {}

  static InstanceState toState(String state) {
    if (state == null) {
      return InstanceState.UNRECOGNIZED;
    }
    return switch (state) {
      // configured: defined but with no installed root, which is also how a detached zone looks
      // while cadre copies it; it does not run, and nothing is broken
      case CONFIGURED, INSTALLED -> InstanceState.STOPPED;
      // incomplete: an install or uninstall died half way; only uninstall -F gets out of it
      case INCOMPLETE -> InstanceState.ERROR;
      // ready: the virtual platform is up but no process runs yet, the first half of a boot
      case READY -> InstanceState.STARTING;
      case RUNNING -> InstanceState.RUNNING;
      // down: every process is gone but the platform is still being torn down
      case SHUTTING_DOWN, DOWN -> InstanceState.STOPPING;
      default -> InstanceState.UNRECOGNIZED;
    };
  }

  /** States in which the zone's kernel context exists and must be halted before uninstall or delete. */
  static boolean booted(String state) {
    return READY.equals(state) || RUNNING.equals(state) || SHUTTING_DOWN.equals(state) || DOWN.equals(state);
  }
}
