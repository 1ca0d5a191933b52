package dev.cadre.api;

import dev.cadre.api.auth.AdminToken;
import dev.cadre.api.auth.AuditLog;
import dev.cadre.api.auth.BearerAuth;
import dev.cadre.api.http.ErrorMapping;
import dev.cadre.api.http.Json;
import dev.cadre.api.metrics.Metrics;
import dev.cadre.api.routes.Accepted;
import dev.cadre.api.routes.AppRoutes;
import dev.cadre.api.routes.BackupRoutes;
import dev.cadre.api.routes.EventStream;
import dev.cadre.api.routes.HostRoutes;
import dev.cadre.api.routes.OperationRoutes;
import dev.cadre.api.routes.SystemRoutes;
import dev.cadre.api.routes.TokenRoutes;
import dev.cadre.manager.ControlPlane;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The REST server: Javalin with the routes of API.md, bearer auth, the one error mapping and metrics.
 * It owns neither the control plane nor the data dir; {@link #close()} stops only the HTTP side.
 */
public final class ApiServer implements AutoCloseable {
  /** Longer than the longest {@code /wait}, so Jetty never cuts a waiting client. */
  private static final long IDLE_TIMEOUT_MS = (OperationRoutes.MAX_WAIT_SECONDS + 30) * 1000L;
  private static final Set<HandlerType> VERBS = Set.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
      HandlerType.PATCH, HandlerType.DELETE);

  public record Route(String method, String path) {}

  private final Javalin app;
  private final EventStream events;
  private final ExecutorService waiters;
  private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());

  private ApiServer(ControlPlane plane, AdminToken token) {
    AtomicInteger waiterIds = new AtomicInteger();
    this.waiters = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "cadre-wait-" + waiterIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Metrics metrics = new Metrics(plane);
    this.events = new EventStream(plane);
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(Json.mapper(), false));
      config.http.disableCompression();
      config.http.defaultContentType = "application/json";
      config.requestLogger.http(metrics::record);
      config.events.handlerAdded(meta -> {
        if (VERBS.contains(meta.getHttpMethod())) {
          routes.add(new Route(meta.getHttpMethod().name(), meta.getPath()));
        }
      });
    });
    Clock clock = Clock.systemUTC();
    app.before(new BearerAuth(token, plane::access, clock));
    app.after(new AuditLog(plane::access, clock));
    ErrorMapping.install(app);
    Accepted accepted = new Accepted(metrics.registry());
    SystemRoutes.register(app, plane, metrics);
    HostRoutes.register(app, plane, accepted);
    AppRoutes.register(app, plane, accepted);
    BackupRoutes.register(app, plane, accepted);
    OperationRoutes.register(app, plane, waiters);
    TokenRoutes.register(app, plane, token, clock);
    events.register(app);
  }

  /** Starts on {@code host:port} (port 0: any free port). */
  public static ApiServer start(ControlPlane plane, AdminToken token, String host, int port) {
    ApiServer server = new ApiServer(plane, token);
    server.app.start(host, port);
    for (Connector connector : server.app.jettyServer().server().getConnectors()) {
      if (connector instanceof ServerConnector sc) {
        sc.setIdleTimeout(IDLE_TIMEOUT_MS);
      }
    }
    return server;
  }

  public int port() {
    return app.port();
  }

  /** Every method and path registered, in registration order: what {@code /openapi.json} must describe. */
  public List<Route> routes() {
    synchronized (routes) {
      return List.copyOf(routes);
    }
  }

  @Override
  public void close() {
    events.close();
    app.stop();
    waiters.shutdownNow();
  }
}
