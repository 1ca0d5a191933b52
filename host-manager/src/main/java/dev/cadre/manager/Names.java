package dev.cadre.manager;

import dev.cadre.driver.InvalidInputException;
import java.util.regex.Pattern;

/** The name rules of cadre's API, checked before anything is stored or sent to a host. */
public final class Names {
  /** Apps, services, hosts, datacenters: they end up in container names and URLs. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  /** Config keys: they become {@code CADRE_CONFIG_<KEY>} environment variables. */
  public static final Pattern CONFIG_KEY = Pattern.compile("[a-z][a-z0-9_]{0,39}");
  public static final int MAX_VALUE = 4096;
  public static final int MAX_COUNT = 100;
  public static final int MAX_SERVICES = 20;

  private Names() {}

  /** A member's name, which is also its container's: {@code <app>-<service>-<ordinal>}. */
  public static String member(String app, String service, int ordinal) {
    return app + "-" + service + "-" + ordinal;
  }

  public static String require(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(null, "invalid " + what + " name " + shown(name)
          + ": 1-40 lower-case letters, digits and '-', starting with a letter");
    }
    return name;
  }

  public static void requireConfig(String service, String key, String value) {
    if (key == null || !CONFIG_KEY.matcher(key).matches()) {
      throw new InvalidInputException(null, "service '" + service + "': invalid config key " + shown(key)
          + ": 1-40 lower-case letters, digits and '_', starting with a letter");
    }
    if (value == null || value.length() > MAX_VALUE || value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0
        || value.indexOf('\r') >= 0) {
      throw new InvalidInputException(null, "service '" + service + "': config value of '" + key
          + "' must be at most " + MAX_VALUE + " characters on one line without NUL");
    }
  }

  static String shown(String s) {
    if (s == null) {
      return "(none)";
    }
    String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
