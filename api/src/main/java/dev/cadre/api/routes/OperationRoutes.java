package dev.cadre.api.routes;

import dev.cadre.api.auth.Caller;
import dev.cadre.api.auth.Role;
import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Check;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.OperationView;
import io.javalin.http.Context;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/** Operations: show, wait (bounded), cancel. Waiting runs off Jetty's threads so waiters cannot starve requests. */
public final class OperationRoutes {
  public static final int DEFAULT_WAIT_SECONDS = 30;
  public static final int MAX_WAIT_SECONDS = 300;

  private OperationRoutes() {}

  public static void register(Javalin app, ControlPlane plane, ExecutorService waiters,
      dev.cadre.api.auth.HoldQuota quota) {
    app.get("/v1/operations/{id}", ctx -> ctx.json(visible(ctx, plane)));
    app.get("/v1/operations/{id}/wait", ctx -> {
      String id = Check.operationId(ctx.pathParam("id"));
      Duration timeout = Duration.ofSeconds(timeoutSeconds(ctx.queryParam("timeout")));
      visible(ctx, plane); // a missing (or hidden) operation is a 404 at once, not after the wait
      Caller holder = Caller.of(ctx);
      // The place is taken where the wait starts and given back when it ends, not in the handler: Javalin may
      // never ask for a future whose handler returned (a failure in between), and a place taken then would
      // be lost. A refusal here is still an ordinary 429.
      ctx.future(() -> {
        quota.acquire(holder);
        try {
          return CompletableFuture.supplyAsync(() -> {
            try {
              return plane.await(id, timeout);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new CompletionException(new ApiException(503, "unavailable", "the server is shutting down"));
            }
          }, waiters).whenComplete((done, failed) -> quota.release(holder)).thenAccept(ctx::json);
        } catch (RuntimeException e) {
          quota.release(holder); // the wait never started (the server is closing)
          throw e;
        }
      });
    });
    app.delete("/v1/operations/{id}", ctx -> {
      OperationView op = visible(ctx, plane);
      Caller caller = Caller.of(ctx);
      if (caller.role() != Role.ADMIN && (op.target() == null || !op.target().startsWith("apps/"))) {
        throw new ApiException(403, "forbidden", "cancelling an operation on " + op.target()
            + " needs a token with role admin; token '" + caller.name() + "' has role " + caller.role().wire());
      }
      ctx.json(plane.cancel(op.id()));
    });
  }

  /** The operation, or 404 when the caller's token is limited to apps it is not about. */
  private static OperationView visible(Context ctx, ControlPlane plane) {
    String id = Check.operationId(ctx.pathParam("id"));
    OperationView op = plane.operation(id);
    if (!Caller.of(ctx).seesTarget(op.target())) {
      throw new ApiException(404, "not_found", "operation '" + id + "' not found");
    }
    return op;
  }

  /** Pure: the {@code timeout} query parameter in seconds, 0..300, default 30. */
  public static int timeoutSeconds(String raw) {
    if (raw == null || raw.isEmpty()) {
      return DEFAULT_WAIT_SECONDS;
    }
    int seconds;
    try {
      seconds = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < 0 || seconds > MAX_WAIT_SECONDS) {
      throw new ApiException(400, "invalid_input",
          "timeout must be a whole number of seconds between 0 and " + MAX_WAIT_SECONDS, Map.of("parameter", "timeout"));
    }
    return seconds;
  }
}
