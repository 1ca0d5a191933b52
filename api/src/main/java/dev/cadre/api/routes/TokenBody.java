package dev.cadre.api.routes;

import dev.cadre.api.auth.Role;
import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Check;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code POST /v1/tokens}: {@code apps} limits an operator or viewer to those apps; {@code expires} an instant. */
public record TokenBody(String name, String role, List<String> apps, String expires) {
  static final int MAX_APPS = 100;

  /** What a valid body asks for; every field checked, nothing stored yet. */
  public record Valid(String name, Role role, List<String> apps, Instant expires) {}

  public Valid validate(Instant now) {
    Check.name(name, "name");
    if (name.equals("admin")) {
      throw ApiException.badRequest("name 'admin' is the bootstrap admin token's; choose another", "name");
    }
    Role r = Role.parse(role, "role");
    List<String> scope = null;
    if (apps != null) {
      if (r == Role.ADMIN || r == Role.METRICS) {
        throw ApiException.badRequest("field 'apps' applies to operator and viewer tokens, not " + r.wire(), "apps");
      }
      if (apps.isEmpty() || apps.size() > MAX_APPS) {
        throw ApiException.badRequest("field 'apps' must list 1-" + MAX_APPS + " apps (leave it out for every app)",
            "apps");
      }
      Set<String> seen = new HashSet<>();
      scope = new ArrayList<>();
      for (int i = 0; i < apps.size(); i++) {
        String app = Check.name(apps.get(i), "apps[" + i + "]");
        if (seen.add(app)) {
          scope.add(app);
        }
      }
    }
    Instant until = null;
    if (expires != null) {
      try {
        until = Instant.parse(expires);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest("field 'expires' must be an ISO-8601 instant such as 2030-01-31T12:00:00Z", "expires");
      }
      if (!until.isAfter(now)) {
        throw ApiException.badRequest("field 'expires' must be in the future (now is " + now + ")", "expires");
      }
    }
    return new Valid(name, r, scope, until);
  }
}
