package dev.cadre.api.auth;

import dev.cadre.api.http.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Set;

/** Runs before every route: everything but the open paths needs {@code Authorization: Bearer TOKEN}. */
public final class BearerAuth implements Handler {
  private static final Set<String> OPEN = Set.of("/healthz");
  private final AdminToken token;

  public BearerAuth(AdminToken token) {
    this.token = token;
  }

  @Override
  public void handle(Context ctx) {
    if (OPEN.contains(ctx.path())) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiException(401, "unauthorized", "missing bearer token: send 'Authorization: Bearer TOKEN'");
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || !token.matches(header.substring(7).trim())) {
      throw new ApiException(401, "unauthorized", "invalid bearer token");
    }
  }
}
