package dev.cadre.zone;

/**
 * One line of {@code zoneadm list -cp}. {@code id} is "-" for a zone that is not booted; {@code uuid},
 * {@code brand} and {@code ipType} are empty when an older zoneadm did not print them.
 */
record ZoneEntry(String id, String name, String state, String zonepath, String uuid, String brand, String ipType) {
  boolean global() {
    return "global".equals(name);
  }
}
