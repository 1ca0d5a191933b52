package dev.cadre.api.http;

import dev.cadre.manager.Names;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * Field checks at the edge, each naming the field it refuses. The control plane checks again with
 * its own rules; these make sure nothing malformed (control characters, path separators, shell
 * characters, absurd lengths) gets past the HTTP layer at all.
 */
public final class Check {
  /** Names of hosts, datacenters, apps, services and members: the control plane's own rule. */
  private static final Pattern NAME = Names.NAME;
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}");
  /** Config keys become hook environment names (CADRE_CONFIG_KEY): the control plane's rule. */
  private static final Pattern CONFIG_KEY = Names.CONFIG_KEY;
  private static final Pattern OPERATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  static final String NAME_RULE = "1-40 lower-case letters, digits and '-', starting with a letter";

  private Check() {}

  public static String required(String value, String field) {
    if (value == null) {
      throw ApiException.badRequest("field '" + field + "' is required", field);
    }
    return value;
  }

  public static String name(String value, String field) {
    required(value, field);
    if (!NAME.matcher(value).matches()) {
      throw ApiException.badRequest("invalid " + field + " " + shown(value) + ": " + NAME_RULE, field);
    }
    return value;
  }

  /** Driver kinds, template names, topologies. */
  public static String word(String value, String field) {
    required(value, field);
    if (!WORD.matcher(value).matches()) {
      throw ApiException.badRequest("invalid " + field + " " + shown(value)
          + ": 1-32 lower-case letters, digits, '_' and '-', starting with a letter", field);
    }
    return value;
  }

  public static String network(String value, String field) {
    required(value, field);
    if (!NETWORK.matcher(value).matches()) {
      throw ApiException.badRequest("invalid " + field + " " + shown(value) + ": 1-15 letters, digits, '.', '_' and '-'", field);
    }
    return value;
  }

  public static String configKey(String value, String field) {
    if (value == null || !CONFIG_KEY.matcher(value).matches()) {
      throw ApiException.badRequest("invalid config key " + shown(value) + " in '" + field
          + "': 1-40 lower-case letters, digits and '_', starting with a letter", field);
    }
    return value;
  }

  /** Config values reach hooks as environment variables: one line, no control characters. */
  public static String configValue(String value, String field) {
    required(value, field);
    if (value.length() > Names.MAX_VALUE || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
      throw ApiException.badRequest("field '" + field + "' must be one line of at most 4096 characters without control characters", field);
    }
    return value;
  }

  public static String text(String value, String field, int max) {
    required(value, field);
    if (value.length() > max || value.chars().anyMatch(c -> c == 0)) {
      throw ApiException.badRequest("field '" + field + "' must be at most " + max + " characters without NUL", field);
    }
    return value;
  }

  /** An endpoint URL: the driver decides which schemes it speaks; here it must be a clean absolute URI. */
  public static String endpoint(String value, String field) {
    required(value, field);
    if (value.isEmpty() || value.length() > 512 || value.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw ApiException.badRequest("field '" + field + "' must be a URL without spaces or control characters", field);
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() == null) {
        throw ApiException.badRequest("field '" + field + "' must be an absolute URL such as "
            + "unix:///var/lib/lxd/unix.socket or https://10.90.0.2:8443", field);
      }
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("field '" + field + "' is not a URL: " + e.getReason(), field);
    }
    return value;
  }

  public static int range(Integer value, String field, int min, int max) {
    if (value == null || value < min || value > max) {
      throw ApiException.badRequest("field '" + field + "' must be between " + min + " and " + max, field);
    }
    return value;
  }

  /** Path parameters: a malformed name is refused rather than looked up. */
  public static String pathName(String value, String what) {
    if (!NAME.matcher(value).matches()) {
      throw new ApiException(400, "invalid_input", "invalid " + what + " name " + shown(value) + ": " + NAME_RULE,
          java.util.Map.of("parameter", what));
    }
    return value;
  }

  public static String operationId(String value) {
    if (!OPERATION_ID.matcher(value).matches()) {
      throw new ApiException(400, "invalid_input", "invalid operation id " + shown(value),
          java.util.Map.of("parameter", "id"));
    }
    return value;
  }

  static String shown(String value) {
    String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
    return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
  }
}
