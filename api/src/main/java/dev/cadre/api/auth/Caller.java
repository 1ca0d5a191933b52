package dev.cadre.api.auth;

import dev.cadre.api.http.ApiException;
import io.javalin.http.Context;
import java.util.Set;

/**
 * Who sent a request: the token's name (what the audit log records), its role, and the apps it is limited
 * to ({@code apps} null: every app). Set on the request by {@link BearerAuth}.
 */
public record Caller(String name, Role role, Set<String> apps) {
  /** The bootstrap token of {@code DIR/admin-token}. */
  public static final Caller ADMIN = new Caller("admin", Role.ADMIN, null);
  static final String ATTRIBUTE = "cadre.caller";

  public Caller {
    apps = apps == null ? null : Set.copyOf(apps);
  }

  public static Caller of(Context ctx) {
    Caller caller = ctx.attribute(ATTRIBUTE);
    if (caller == null) {
      throw new ApiException(401, "unauthorized", "missing bearer token: send 'Authorization: Bearer TOKEN'");
    }
    return caller;
  }

  public boolean sees(String app) {
    return apps == null || apps.contains(app);
  }

  /**
   * Whether an operation's or event's target ({@code apps/shop}, {@code apps/shop/services/db},
   * {@code hosts/h1}) is one this caller may see: a scoped token sees only its apps' targets.
   */
  public boolean seesTarget(String target) {
    if (apps == null) {
      return true;
    }
    if (target == null || !target.startsWith("apps/")) {
      return false;
    }
    String rest = target.substring("apps/".length());
    int slash = rest.indexOf('/');
    return apps.contains(slash < 0 ? rest : rest.substring(0, slash));
  }

  /** Refuses (404, as if it did not exist) an app this caller may not see. */
  public void requireApp(String app) {
    if (!sees(app)) {
      throw new ApiException(404, "not_found", "app '" + app + "' not found");
    }
  }
}
