package dev.cadre.api.routes;

import dev.cadre.api.auth.Caller;
import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Bodies;
import dev.cadre.api.http.Check;
import dev.cadre.manager.BackupView;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.RestoreRequest;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Map;
import java.util.regex.Pattern;

/** A service's backups: make one, list them (also after the app is gone), restore one into a new app. */
public final class BackupRoutes {
  private static final Pattern ID = Pattern.compile("bk-[0-9a-f]{20}");

  private BackupRoutes() {}

  public static void register(Javalin app, ControlPlane plane, Accepted accepted) {
    app.post("/v1/apps/{app}/services/{svc}/backup", ctx -> {
      String appName = Check.pathName(ctx.pathParam("app"), "app");
      String service = Check.pathName(ctx.pathParam("svc"), "service");
      Bodies.requireNone(ctx);
      accepted.answer(ctx, plane.backupService(appName, service, Caller.of(ctx).name()));
    });
    // oldest first, as the control plane keeps them; the cursor is the id of the last backup answered
    app.get("/v1/apps/{app}/services/{svc}/backups", ctx -> ctx.json(Pages.page(ctx, plane.backups(
        Check.pathName(ctx.pathParam("app"), "app"), Check.pathName(ctx.pathParam("svc"), "service")),
        BackupView::id, false)));
    app.post("/v1/apps/{app}/services/{svc}/backups/{id}/restore", ctx -> {
      String appName = Check.pathName(ctx.pathParam("app"), "app");
      String service = Check.pathName(ctx.pathParam("svc"), "service");
      String id = backupId(ctx);
      RestoreRequest to = Bodies.read(ctx, RestoreBody.class).toRequest();
      Caller caller = Caller.of(ctx);
      if (!caller.sees(to.app())) {
        throw new ApiException(403, "forbidden", "token '" + caller.name() + "' may not restore into app '" + to.app()
            + "'", Map.of("field", "app"));
      }
      accepted.answer(ctx, plane.restoreBackup(appName, service, id, to, caller.name()));
    });
  }

  private static String backupId(Context ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw new ApiException(400, "invalid_input", "invalid backup id '" + (id.length() > 80 ? id.substring(0, 80)
          + "..." : id) + "': 'bk-' and 20 hex digits", Map.of("parameter", "id"));
    }
    return id;
  }
}
