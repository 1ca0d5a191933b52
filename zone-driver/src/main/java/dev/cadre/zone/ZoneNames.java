package dev.cadre.zone;

import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.Validation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * Names the zone driver hands to illumos commands, checked before any command runs.
 *
 * <p>Zone names follow libzonecfg's {@code zonecfg_validate_zonename}: shorter than ZONENAME_MAX (64,
 * counting the terminating NUL, so at most 63 characters), an ASCII letter or digit first, then
 * letters, digits, '-', '_' and '.'; "global" is taken. zoneadm also refuses names starting with the
 * system prefix "SUNW". On top of that every name must pass the contract's
 * {@link Validation#requireInstanceName}, which is stricter, so a name that works on one host kind works
 * on all.
 *
 * <p>Link names follow libdladm's {@code dladm_valid_linkname}: no leading digit, a trailing digit,
 * only letters, digits and '_', and shorter than MAXLINKNAMELEN; older illumos counts the limit one
 * character tighter, so 30 is the portable maximum.
 */
public final class ZoneNames {
  private static final Pattern ZONE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,28}[0-9]");
  private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
  private static final String VNIC_PREFIX = "cadre";
  /** Letters only, so the only digit run is the trailing PPA "0" (dladm reads trailing digits as a unit number). */
  private static final int VNIC_HASH_LETTERS = 10;

  private ZoneNames() {}

  public static String requireZoneName(String name) {
    Validation.requireInstanceName(name);
    if (!ZONE_NAME.matcher(name).matches() || name.equals("global") || name.startsWith("SUNW")) {
      throw new InvalidInputException(null, "invalid zone name '" + name
          + "': at most 63 letters, digits, '-', '_' and '.', not 'global' and not starting with 'SUNW'");
    }
    return name;
  }

  public static String requireLinkName(String link) {
    if (link == null || !LINK_NAME.matcher(link).matches()) {
      throw new InvalidInputException(null, "invalid link name '" + link
          + "': 2-30 letters, digits and '_', not starting with a digit and ending with one");
    }
    return link;
  }

  /** Snapshot names also become part of a ZFS snapshot name and a command argument. */
  public static String requireSnapshotName(String snapshot) {
    Validation.requireSnapshotName(snapshot);
    if (!SNAPSHOT_NAME.matcher(snapshot).matches()) {
      throw new InvalidInputException(null, "invalid snapshot name '" + snapshot + "'");
    }
    return snapshot;
  }

  /**
   * The VNIC that carries a zone's network: "cadre", ten letters derived from a SHA-256 of the zone
   * name, and "0". Deterministic, so delete and crash recovery find it from the zone name alone; no
   * user characters reach the link name.
   */
  public static String vnicFor(String zoneName) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(zoneName.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
    StringBuilder name = new StringBuilder(VNIC_PREFIX);
    for (int i = 0; i < VNIC_HASH_LETTERS; i++) {
      name.append((char) ('a' + Math.floorMod(digest[i], 26)));
    }
    return requireLinkName(name.append('0').toString());
  }

  /** True for link names {@link #vnicFor} makes: only those are cadre's to delete. */
  static boolean isCadreVnic(String link) {
    return link != null && link.matches(VNIC_PREFIX + "[a-z]{" + VNIC_HASH_LETTERS + "}0");
  }
}
