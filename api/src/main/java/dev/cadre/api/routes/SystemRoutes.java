package dev.cadre.api.routes;

import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.ServerView;
import dev.cadre.manager.Summary;
import io.javalin.Javalin;
import dev.cadre.api.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** {@code /v1}, {@code /healthz}, {@code /metrics}, {@code /openapi.json}. */
public final class SystemRoutes {
  public static final String OPENAPI_RESOURCE = "/openapi.json";

  private SystemRoutes() {}

  /**
   * {@code addresses_in_use}: allocated addresses per datacenter, from the IPAM table; {@code servers}: those
   * sharing the store; {@code leader}: the id of the one that leads background work (null while none does).
   */
  public record Info(String api, String version, String store, Summary counts, Map<String, Integer> addressesInUse,
      List<ServerView> servers, String leader) {}

  public static void register(Javalin app, ControlPlane plane, Metrics metrics) {
    byte[] openapi = openapi();
    app.get("/v1", ctx -> {
      Summary summary = plane.summary();
      List<ServerView> servers = plane.servers();
      String leader = servers.stream().filter(ServerView::leader).map(ServerView::id).findFirst().orElse(null);
      ctx.json(new Info("v1", summary.version(), summary.store(), summary, plane.addressesInUse(), servers, leader));
    });
    app.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));
  }

  public static byte[] openapi() {
    try (InputStream in = SystemRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
