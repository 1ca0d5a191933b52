package dev.cadre.api.auth;

import dev.cadre.api.http.ApiException;
import dev.cadre.manager.store.AccessStore;
import dev.cadre.manager.store.TokenRecord;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs before every route: everything but the open paths needs {@code Authorization: Bearer TOKEN}, either
 * the bootstrap admin token or one from the store. Store tokens are looked up on every request, with no
 * cache, so a revocation on any server sharing the database holds at the very next request. Then the
 * token's role must allow the call ({@link Policy}: 403 naming the role needed) and a scoped token must
 * see the app the path names (404 otherwise, as for an app that is not there).
 */
public final class BearerAuth implements Handler {
  private static final Set<String> OPEN = Set.of("/healthz");
  private final AdminToken admin;
  private final Supplier<AccessStore> access;
  private final Clock clock;

  public BearerAuth(AdminToken admin, Supplier<AccessStore> access, Clock clock) {
    this.admin = admin;
    this.access = access;
    this.clock = clock;
  }

  @Override
  public void handle(Context ctx) {
    if (OPEN.contains(ctx.path())) {
      return;
    }
    Caller caller = authenticate(ctx.header("Authorization"));
    ctx.attribute(Caller.ATTRIBUTE, caller);
    Set<Role> allowed = Policy.allowed(ctx.method().name(), ctx.path());
    if (!allowed.contains(caller.role())) {
      throw new ApiException(403, "forbidden", ctx.method() + " " + ctx.path() + " needs a token with role "
          + Policy.describe(allowed) + "; token '" + caller.name() + "' has role " + caller.role().wire());
    }
    String app = Policy.appOf(ctx.path());
    if (app != null) {
      caller.requireApp(app);
    }
  }

  Caller authenticate(String header) {
    if (header == null || header.isBlank()) {
      throw new ApiException(401, "unauthorized", "missing bearer token: send 'Authorization: Bearer TOKEN'");
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiException(401, "unauthorized", "invalid bearer token");
    }
    String presented = header.substring(7).trim();
    if (admin.matches(presented)) {
      return Caller.ADMIN;
    }
    Optional<TokenRecord> found = presented.isEmpty() ? Optional.empty()
        : access.get().tokenByHash(HexFormat.of().formatHex(AdminToken.sha256(presented)));
    if (found.isEmpty()) {
      throw new ApiException(401, "unauthorized", "invalid bearer token");
    }
    TokenRecord token = found.get();
    if (token.expiredAt(clock.instant())) {
      throw new ApiException(401, "unauthorized", "token '" + token.name() + "' expired at " + token.expires());
    }
    return new Caller(token.name(), Role.parse(token.role(), "role"),
        token.apps() == null ? null : new HashSet<>(token.apps()));
  }
}
