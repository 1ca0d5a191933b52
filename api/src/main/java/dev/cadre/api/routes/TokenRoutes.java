package dev.cadre.api.routes;

import dev.cadre.api.auth.AdminToken;
import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Bodies;
import dev.cadre.driver.ConflictException;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.store.AuditRecord;
import dev.cadre.manager.store.TokenRecord;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Tokens (create, list, show, revoke, rotate the bootstrap admin token) and the audit log; admin only
 * ({@link dev.cadre.api.auth.Policy}). A token is answered once, when it is made; the store keeps its hash.
 */
public final class TokenRoutes {
  private static final Pattern ID = Pattern.compile("tk-[0-9a-f]{20}");
  static final int DEFAULT_AUDIT_LIMIT = 100;
  static final int MAX_AUDIT_LIMIT = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenRoutes() {}

  /** A token as listed: never the token, never its hash. */
  public record TokenView(String id, String name, String role, List<String> apps, Instant expires, Instant created) {
    static TokenView of(TokenRecord t) {
      return new TokenView(t.id(), t.name(), t.role(), t.apps(), t.expires(), t.created());
    }
  }

  /** What {@code POST /v1/tokens} answers: the only time the token is shown. */
  public record CreatedToken(String id, String name, String role, List<String> apps, Instant expires, Instant created,
      String token) {}

  public record RotatedAdmin(String name, String token, String file) {}

  public record AuditView(long id, Instant at, String actor, String method, String path, int status,
      String operation) {
    static AuditView of(AuditRecord a) {
      return new AuditView(a.id(), a.at(), a.actor(), a.method(), a.path(), a.status(),
          a.operationId() == null ? null : "/v1/operations/" + a.operationId());
    }
  }

  public static void register(Javalin app, ControlPlane plane, AdminToken admin, Clock clock) {
    app.post("/v1/tokens", ctx -> {
      Instant now = clock.instant();
      TokenBody.Valid v = Bodies.read(ctx, TokenBody.class).validate(now);
      String token = AdminToken.generate();
      TokenRecord record = new TokenRecord(newId(), v.name(), v.role().wire(), v.apps(), v.expires(), now,
          HexFormat.of().formatHex(AdminToken.sha256(token)));
      try {
        plane.access().insertToken(record);
      } catch (ConflictException e) {
        throw new ApiException(409, "conflict", "a token named '" + v.name() + "' exists already", Map.of("field", "name"));
      }
      ctx.status(201).header("Location", "/v1/tokens/" + record.id()).header("Cache-Control", "no-store")
          .json(new CreatedToken(record.id(), record.name(), record.role(), record.apps(), record.expires(),
              record.created(), token));
    });
    app.get("/v1/tokens", ctx -> ctx.json(plane.access().tokens().stream().map(TokenView::of).toList()));
    app.post("/v1/tokens/rotate-admin", ctx -> {
      Bodies.requireNone(ctx);
      String token = admin.rotate();
      ctx.header("Cache-Control", "no-store")
          .json(new RotatedAdmin("admin", token, admin.tokenFile().toAbsolutePath().toString()));
    });
    app.get("/v1/tokens/{id}", ctx -> ctx.json(TokenView.of(plane.access().token(tokenId(ctx))
        .orElseThrow(() -> notFound(ctx)))));
    app.delete("/v1/tokens/{id}", ctx -> {
      String id = tokenId(ctx);
      TokenRecord t = plane.access().token(id).orElseThrow(() -> notFound(ctx));
      if (!plane.access().deleteToken(id)) {
        throw notFound(ctx);
      }
      ctx.json(TokenView.of(t));
    });
    app.get("/v1/audit", ctx -> {
      int limit = number(ctx, "limit", DEFAULT_AUDIT_LIMIT, 1, MAX_AUDIT_LIMIT);
      long after = number(ctx, "after", 0, 0, Long.MAX_VALUE);
      ctx.json(plane.access().auditAfter(after, limit).stream().map(AuditView::of).toList());
    });
  }

  private static String newId() {
    byte[] b = new byte[10];
    RANDOM.nextBytes(b);
    return "tk-" + HexFormat.of().formatHex(b);
  }

  private static String tokenId(Context ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw new ApiException(400, "invalid_input", "invalid token id '" + (id.length() > 80 ? id.substring(0, 80) + "..."
          : id).replaceAll("\\p{Cntrl}", "?") + "': 'tk-' and 20 hex digits", Map.of("parameter", "id"));
    }
    return id;
  }

  private static ApiException notFound(Context ctx) {
    return new ApiException(404, "not_found", "token '" + ctx.pathParam("id") + "' not found");
  }

  private static long number(Context ctx, String name, long fallback, long min, long max) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      value = min - 1;
    }
    if (value < min || value > max) {
      throw new ApiException(400, "invalid_input", name + " must be a whole number between " + min + " and " + max,
          Map.of("parameter", name));
    }
    return value;
  }

  private static int number(Context ctx, String name, int fallback, int min, int max) {
    return (int) number(ctx, name, (long) fallback, (long) min, (long) max);
  }
}
