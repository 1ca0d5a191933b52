package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.Validation;
import java.util.List;

/**
 * What an image alias means on a zone host: the brand the zone gets and the arguments appended to
 * {@code zoneadm -z NAME install}. Zones have no image store like LXD's; each brand installs from its
 * own source:
 * <ul>
 *   <li>{@code sparse}, {@code lipkg}, {@code ipkg} (OmniOS): no arguments, packages come from the
 *       host's IPS publishers ({@code ["-e", "pkg"]} adds packages);
 *   <li>{@code lx}, {@code pkgsrc}... with a tarball: {@code ["-s", "/abs/path/image.tar.gz"]};
 *   <li>SmartOS {@code joyent}/{@code joyent-minimal}: {@code ["-q", "quota", "-t", "image-uuid"]}
 *       for an image imported with imgadm.
 * </ul>
 */
public record ZoneImage(String alias, String brand, List<String> installArgs) {
  public ZoneImage {
    Validation.requireImageAlias(alias);
    if (brand == null || !ZoneDefinition.BRAND.matcher(brand).matches()) {
      throw new InvalidInputException(null, "invalid zone brand '" + brand + "'");
    }
    installArgs = List.copyOf(installArgs == null ? List.of() : installArgs);
  }

  public static ZoneImage of(String alias, String brand, String... installArgs) {
    return new ZoneImage(alias, brand, List.of(installArgs));
  }
}
