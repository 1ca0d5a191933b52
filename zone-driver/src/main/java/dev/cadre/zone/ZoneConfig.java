package dev.cadre.zone;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts of a zone's configuration cadre reads back; {@code attrs} maps attr names to raw values. */
record ZoneConfig(
    String zonename,
    String zonepath,
    String brand,
    String ipType,
    List<ZoneNet> nets,
    String cappedMemory,
    String cappedCpus,
    Map<String, String> attrs) {

  ZoneConfig {
    nets = List.copyOf(nets);
    attrs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
  }

  /** The first net resource, the one cadre configures; null for a zone without network. */
  ZoneNet primaryNet() {
    return nets.isEmpty() ? null : nets.get(0);
  }
}
