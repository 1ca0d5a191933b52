package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.Validation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How one zone host is laid out. illumos links carry no subnet, so {@code networks} says, per
 * physical link or etherstub, the gateway address and prefix cadre's addresses live in
 * ("10.77.0.1/24"): the prefix goes into {@code allowed-address}, the gateway into {@code defrouter}.
 *
 * <p>Zones live at {@code zonepathRoot/NAME} on the ZFS dataset {@code zonesDataset/NAME} (the layout
 * zoneadm install creates when zonepathRoot is the mountpoint of zonesDataset); snapshots and copies
 * work on that dataset. Tarball images imported by {@code ensureImage} are kept in {@code imageDir}
 * and installed with {@code tarballBrand} ("lx" installs from {@code -s tarball}).
 */
public record ZoneHostConfig(
    String zonepathRoot,
    String zonesDataset,
    Map<String, String> networks,
    List<ZoneImage> images,
    String imageDir,
    String tarballBrand,
    Duration commandTimeout,
    Duration installTimeout,
    Duration pollInterval) {

  private static final Pattern ABSOLUTE = Pattern.compile("/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)*");
  private static final Pattern GATEWAY = Pattern.compile("((?:\\d{1,3}\\.){3}\\d{1,3})/(\\d{1,2})");

  public ZoneHostConfig {
    require(zonepathRoot != null && ABSOLUTE.matcher(zonepathRoot).matches(), "zonepathRoot", zonepathRoot);
    require(zonesDataset != null && DATASET.matcher(zonesDataset).matches(), "zonesDataset", zonesDataset);
    require(imageDir != null && ABSOLUTE.matcher(imageDir).matches(), "imageDir", imageDir);
    require(tarballBrand == null || ZoneDefinition.BRAND.matcher(tarballBrand).matches(), "tarballBrand", tarballBrand);
    networks = Map.copyOf(new LinkedHashMap<>(networks));
    networks.forEach((link, cidr) -> {
      ZoneNames.requireLinkName(link);
      var m = GATEWAY.matcher(cidr == null ? "" : cidr);
      require(m.matches() && Integer.parseInt(m.group(2)) <= 32, "gateway/prefix for " + link, cidr);
      Validation.requireIpv4(m.group(1));
    });
    images = List.copyOf(images);
    require(commandTimeout != null && installTimeout != null && pollInterval != null, "timeouts", "null");
  }

  /** Defaults: zones under /zones on dataset "zones", 2-minute commands, 30-minute installs. */
  public static ZoneHostConfig of(Map<String, String> networks, List<ZoneImage> images) {
    return new ZoneHostConfig("/zones", "zones", networks, images, "/zones/cadre-images", "lx",
        Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofMillis(500));
  }

  public ZoneHostConfig withPollInterval(Duration interval) {
    return new ZoneHostConfig(zonepathRoot, zonesDataset, networks, images, imageDir, tarballBrand, commandTimeout,
        installTimeout, interval);
  }

  String zonepath(String zone) {
    return zonepathRoot + "/" + zone;
  }

  String dataset(String zone) {
    return zonesDataset + "/" + zone;
  }

  /** "10.77.0.1/24" for a configured link, or null. */
  String gatewayCidr(String link) {
    return networks.get(link);
  }

  static String gatewayOf(String cidr) {
    return cidr.substring(0, cidr.indexOf('/'));
  }

  static String prefixOf(String cidr) {
    return cidr.substring(cidr.indexOf('/') + 1);
  }

  private static void require(boolean ok, String what, String value) {
    if (!ok) {
      throw new InvalidInputException(null, "invalid zone host " + what + ": '" + value + "'");
    }
  }
}
