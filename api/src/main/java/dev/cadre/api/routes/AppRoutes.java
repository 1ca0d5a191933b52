package dev.cadre.api.routes;

import dev.cadre.api.auth.Caller;
import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Bodies;
import dev.cadre.api.http.Check;
import dev.cadre.api.http.Json;
import dev.cadre.manager.AppRequest;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.ServiceView;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** Templates and apps, including the topology verbs (the control plane refuses those it does not offer). */
public final class AppRoutes {
  private AppRoutes() {}

  /**
   * Apps can be large (1,000 members is 100 KB): written straight to UTF-8 bytes, skipping the
   * intermediate String that ctx.json builds and then encodes again.
   */
  private static void jsonBytes(Context ctx, Object value) throws IOException {
    ctx.contentType(ContentType.APPLICATION_JSON).result(Json.mapper().writeValueAsBytes(value));
  }

  /** {@code GET /v1/apps/{app}/services/{svc}/secrets}: the only way a service's secrets leave the server. */
  public record Secrets(Map<String, String> secrets) {}

  public static void register(Javalin app, ControlPlane plane, Accepted accepted) {
    app.get("/v1/templates", ctx -> ctx.json(plane.templates()));
    app.post("/v1/apps", ctx -> {
      AppRequest request = Bodies.read(ctx, AppBody.class).toRequest();
      Caller caller = Caller.of(ctx);
      if (!caller.sees(request.name())) {
        throw new ApiException(403, "forbidden", "token '" + caller.name() + "' may only create the apps "
            + String.join(", ", new java.util.TreeSet<>(caller.apps())), Map.of("field", "name"));
      }
      accepted.answer(ctx, plane.createApp(request, caller.name()));
    });
    app.get("/v1/apps", ctx -> {
      Caller caller = Caller.of(ctx);
      // the page is cut from the names, and only its apps are read: a listing costs what one page holds
      List<String> page = Pages.page(ctx, plane.appNames().stream().filter(caller::sees).toList(), n -> n, true);
      jsonBytes(ctx, plane.apps(page));
    });
    app.get("/v1/apps/{app}", ctx -> jsonBytes(ctx, plane.app(appName(ctx))));
    app.get("/v1/apps/{app}/services/{svc}/secrets", ctx -> {
      String appName = appName(ctx);
      String service = Check.pathName(ctx.pathParam("svc"), "service");
      ServiceView found = plane.app(appName).services().stream().filter(s -> s.name().equals(service)).findFirst()
          .orElseThrow(() -> new ApiException(404, "not_found", "service '" + service + "' not found in app '"
              + appName + "'"));
      ctx.header("Cache-Control", "no-store").json(new Secrets(new TreeMap<>(found.secrets())));
    });
    app.delete("/v1/apps/{app}", ctx -> accepted.answer(ctx, plane.deleteApp(appName(ctx), Caller.of(ctx).name())));
    app.post("/v1/apps/{app}/services/{svc}/convert", ctx -> {
      String appName = appName(ctx);
      String service = Check.pathName(ctx.pathParam("svc"), "service");
      String topology = Bodies.read(ctx, ConvertBody.class).validTopology();
      accepted.answer(ctx, plane.convertService(appName, service, topology, Caller.of(ctx).name()));
    });
    app.post("/v1/apps/{app}/services/{svc}/members/{member}/promote", ctx -> {
      String appName = appName(ctx);
      String service = Check.pathName(ctx.pathParam("svc"), "service");
      String member = Check.pathName(ctx.pathParam("member"), "member");
      Bodies.requireNone(ctx);
      accepted.answer(ctx, plane.promoteMember(appName, service, member, Caller.of(ctx).name()));
    });
    app.post("/v1/apps/{app}/move", ctx -> {
      String appName = appName(ctx);
      MoveBody body = Bodies.read(ctx, MoveBody.class);
      if (body.dryRunRequested()) {
        ctx.json(plane.planMove(appName, body.validDatacenter(), body.validMethod())); // at once; nothing changes
      } else {
        accepted.answer(ctx, plane.moveApp(appName, body.validDatacenter(), body.validMethod(), Caller.of(ctx).name()));
      }
    });
  }

  static <T> List<T> byName(List<T> items, Function<T, String> name) {
    return items.stream().sorted(Comparator.comparing(name)).toList();
  }

  private static String appName(Context ctx) {
    return Check.pathName(ctx.pathParam("app"), "app");
  }
}
