package dev.cadre.api.auth;

import dev.cadre.api.http.ApiException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a token may do. {@code admin}: everything; {@code operator}: read everything and change apps, never
 * hosts or tokens; {@code viewer}: read, never secrets; {@code metrics}: only {@code /metrics}.
 */
public enum Role {
  ADMIN, OPERATOR, VIEWER, METRICS;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static String choices() {
    return Arrays.stream(values()).map(Role::wire).collect(Collectors.joining(", "));
  }

  /** The role a request names; anything else is a 400 listing the roles there are. */
  public static Role parse(String value, String field) {
    if (value != null) {
      for (Role r : values()) {
        if (r.wire().equals(value)) {
          return r;
        }
      }
    }
    throw new ApiException(400, "invalid_input", "field '" + field + "' must be one of " + choices()
        + (value == null ? "" : ", got '" + value.replaceAll("\\p{Cntrl}", "?") + "'"), Map.of("field", field));
  }
}
