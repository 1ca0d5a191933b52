package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything cadre writes into a zone's configuration. {@code vnic} is null for a zone without
 * network; {@code allowedAddress} ("10.0.0.5/24") and {@code defrouter} are null when the address is
 * left to the zone. Every part is checked here to be a plain zonecfg token, so the script built from
 * it needs quoting only for metadata values.
 */
record ZoneDefinition(
    String name,
    String zonepath,
    String brand,
    String vnic,
    String allowedAddress,
    String defrouter,
    int cpus,
    long memoryMiB,
    Map<String, String> metadata) {

  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
  static final Pattern BRAND = Pattern.compile("[a-z0-9][a-z0-9_-]{0,30}");
  private static final Pattern CIDR = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}");

  ZoneDefinition {
    ZoneNames.requireZoneName(name);
    require(zonepath != null && PATH.matcher(zonepath).matches() && !zonepath.contains("/../") && !zonepath.endsWith("/.."),
        "zonepath", zonepath);
    require(brand != null && BRAND.matcher(brand).matches(), "brand", brand);
    if (vnic != null) {
      ZoneNames.requireLinkName(vnic);
    }
    require(allowedAddress == null || (vnic != null && CIDR.matcher(allowedAddress).matches()), "allowed-address", allowedAddress);
    require(defrouter == null || (allowedAddress != null && IPV4.matcher(defrouter).matches()), "defrouter", defrouter);
    require(cpus >= 0 && memoryMiB >= 0, "limits", cpus + "/" + memoryMiB);
    metadata = Map.copyOf(new TreeMap<>(metadata == null ? Map.of() : metadata));
  }

  private static void require(boolean ok, String what, String value) {
    if (!ok) {
      throw new InvalidInputException(null, "invalid zone " + what + " '" + value + "'");
    }
  }
}
