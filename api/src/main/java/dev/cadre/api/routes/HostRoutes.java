package dev.cadre.api.routes;

import dev.cadre.api.auth.Caller;
import dev.cadre.api.http.Bodies;
import dev.cadre.api.http.Check;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.HostRequest;
import dev.cadre.manager.HostView;
import io.javalin.Javalin;

/** Hosts: register, list, show, drain, resume, trust a new certificate, remove. */
public final class HostRoutes {
  private HostRoutes() {}

  public static void register(Javalin app, ControlPlane plane, Accepted accepted) {
    app.post("/v1/hosts", ctx -> {
      HostRequest request = Bodies.read(ctx, HostBody.class).toRequest();
      accepted.answer(ctx, plane.registerHost(request, Caller.of(ctx).name()));
    });
    app.get("/v1/hosts", ctx -> ctx.json(Pages.page(ctx, AppRoutes.byName(plane.hosts(), HostView::name), HostView::name,
        true)));
    app.get("/v1/hosts/{host}", ctx -> ctx.json(plane.host(Check.pathName(ctx.pathParam("host"), "host"))));
    app.post("/v1/hosts/{host}/drain", ctx -> {
      String host = Check.pathName(ctx.pathParam("host"), "host");
      Bodies.requireNone(ctx);
      accepted.answer(ctx, plane.drainHost(host, Caller.of(ctx).name()));
    });
    app.post("/v1/hosts/{host}/resume", ctx -> {
      String host = Check.pathName(ctx.pathParam("host"), "host");
      Bodies.requireNone(ctx);
      accepted.answer(ctx, plane.resumeHost(host, Caller.of(ctx).name()));
    });
    app.post("/v1/hosts/{host}/trust", ctx -> {
      String host = Check.pathName(ctx.pathParam("host"), "host");
      TrustBody body = Bodies.read(ctx, TrustBody.class);
      accepted.answer(ctx, plane.trustHost(host, body.fingerprint(), body.trust(), Caller.of(ctx).name()));
    });
    app.delete("/v1/hosts/{host}", ctx -> {
      String host = Check.pathName(ctx.pathParam("host"), "host");
      accepted.answer(ctx, plane.removeHost(host, Caller.of(ctx).name()));
    });
  }
}
