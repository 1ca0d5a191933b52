package dev.cadre.driver;

import java.util.regex.Pattern;

/**
 * Input checks shared by every driver. They run before any request reaches a host, so a bad name or
 * path never changes anything and never travels into a URL or a command line.
 */
public final class Validation {
  /** A DNS label: what LXD accepts for instance names and what every zone name rule also allows. */
  private static final Pattern INSTANCE_NAME = Pattern.compile("[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?");
  private static final Pattern SNAPSHOT_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}");
  private static final Pattern IMAGE_ALIAS = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}");
  private static final Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}");
  private static final Pattern METADATA_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private Validation() {}

  public static String requireInstanceName(String name) {
    return require(INSTANCE_NAME, name, "instance name",
        "1-63 letters, digits and '-', starting with a letter and not ending with '-'");
  }

  public static String requireSnapshotName(String name) {
    return require(SNAPSHOT_NAME, name, "snapshot name", "1-63 letters, digits, '.', '_' and '-'");
  }

  public static String requireImageAlias(String alias) {
    return require(IMAGE_ALIAS, alias, "image alias", "1-128 letters, digits, '.', '_' and '-'");
  }

  public static String requireNetworkName(String name) {
    return require(NETWORK_NAME, name, "network name", "1-15 letters, digits, '.', '_' and '-'");
  }

  public static String requireEnvName(String name) {
    return require(ENV_NAME, name, "environment variable name", "letters, digits and '_', not starting with a digit");
  }

  public static void requireMetadata(String key, String value) {
    require(METADATA_KEY, key, "metadata key", "1-64 lower-case letters, digits, '.', '_' and '-'");
    if (value == null || value.length() > 4096 || value.indexOf('\0') >= 0) {
      throw new InvalidInputException(null, "metadata value for '" + key + "' must be at most 4096 characters without NUL");
    }
  }

  /** An absolute, normalized path: no '..' or '.' segments, no empty segments, no NUL, at most 4096 bytes. */
  public static String requireAbsolutePath(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.length() > 4096 || path.indexOf('\0') >= 0) {
      throw new InvalidInputException(null, "path must be absolute and at most 4096 characters without NUL: " + quote(path));
    }
    if (path.length() > 1) {
      for (String segment : path.substring(1).split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw new InvalidInputException(null, "path must be normalized (no empty, '.' or '..' segments): " + quote(path));
        }
      }
    }
    return path;
  }

  /** A dotted-quad IPv4 address without leading zeros. */
  public static String requireIpv4(String address) {
    if (address == null) {
      throw new InvalidInputException(null, "IPv4 address is required");
    }
    String[] parts = address.split("\\.", -1);
    boolean ok = parts.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      String p = parts[i];
      ok = !p.isEmpty() && p.length() <= 3 && p.chars().allMatch(Character::isDigit)
          && !(p.length() > 1 && p.charAt(0) == '0') && Integer.parseInt(p) <= 255;
    }
    if (!ok) {
      throw new InvalidInputException(null, "not an IPv4 address: " + quote(address));
    }
    return address;
  }

  private static String require(Pattern pattern, String value, String what, String rule) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new InvalidInputException(null, "invalid " + what + " " + quote(value) + ": " + rule);
    }
    return value;
  }

  static String quote(String value) {
    if (value == null) {
      return "(none)";
    }
    String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
