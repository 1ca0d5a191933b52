package dev.cadre.api;

import dev.cadre.api.auth.AdminToken;
import dev.cadre.api.auth.AuditLog;
import dev.cadre.api.auth.BearerAuth;
import dev.cadre.api.auth.HoldQuota;
import dev.cadre.api.http.BodyLimit;
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
import dev.cadre.api.tls.ServerCertificate;
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
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.ssl.SslContextFactory;

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

  /**
   * Where and how to listen.
   *
   * @param tls null: plain HTTP; else HTTPS only, with this certificate
   * @param maxBodyBytes the largest request body taken (larger ones: 413 before they are read whole)
   */
  public record Options(String host, int port, ServerCertificate tls, long maxBodyBytes, int holdsPerToken) {
    public Options {
      if (maxBodyBytes < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be positive");
      }
      if (holdsPerToken < 1) {
        throw new IllegalArgumentException("holdsPerToken must be positive");
      }
    }

    public Options(String host, int port, ServerCertificate tls, long maxBodyBytes) {
      this(host, port, tls, maxBodyBytes, HoldQuota.DEFAULT_PER_TOKEN);
    }

    public static Options plain(String host, int port) {
      return new Options(host, port, null, BodyLimit.DEFAULT_MAX_BYTES);
    }

    public Options withHoldsPerToken(int n) {
      return new Options(host, port, tls, maxBodyBytes, n);
    }
  }

  private final Javalin app;
  private final EventStream events;
  private final ExecutorService waiters;
  private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());

  private ApiServer(ControlPlane plane, AdminToken token, Options options) {
    AtomicInteger waiterIds = new AtomicInteger();
    this.waiters = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "cadre-wait-" + waiterIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Metrics metrics = new Metrics(plane);
    HoldQuota quota = new HoldQuota(options.holdsPerToken());
    this.events = new EventStream(plane, quota);
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jsonMapper(new JavalinJackson(Json.mapper(), false));
      config.http.disableCompression();
      config.http.defaultContentType = "application/json";
      config.http.maxRequestSize = options.maxBodyBytes();
      config.jetty.modifyServletContextHandler(handler -> handler.addFilter(
          new FilterHolder(new BodyLimit(options.maxBodyBytes())), "/*", EnumSet.of(DispatcherType.REQUEST)));
      if (options.tls() != null) {
        config.jetty.addConnector((server, http) -> tlsConnector(server, http, options));
      }
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
    OperationRoutes.register(app, plane, waiters, quota);
    TokenRoutes.register(app, plane, token, clock);
    events.register(app);
  }

  /** Starts on {@code host:port} (port 0: any free port), plain HTTP with the default body limit. */
  public static ApiServer start(ControlPlane plane, AdminToken token, String host, int port) {
    return start(plane, token, Options.plain(host, port));
  }

  public static ApiServer start(ControlPlane plane, AdminToken token, Options options) {
    ApiServer server = new ApiServer(plane, token, options);
    if (options.tls() != null) {
      server.app.start(); // the TLS connector is the only one: Javalin adds its plain one only when there is none
    } else {
      server.app.start(options.host(), options.port());
    }
    for (Connector connector : server.app.jettyServer().server().getConnectors()) {
      if (connector instanceof ServerConnector sc) {
        sc.setIdleTimeout(IDLE_TIMEOUT_MS);
      }
    }
    return server;
  }

  /** HTTPS only: the operator's or the self-signed certificate; SNI is not required (clients pin the certificate). */
  private static Connector tlsConnector(org.eclipse.jetty.server.Server server, HttpConfiguration http, Options options) {
    char[] password = java.util.UUID.randomUUID().toString().toCharArray();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(options.tls().keyStore(password));
    ssl.setKeyStorePassword(new String(password));
    ssl.setSniRequired(false);
    HttpConfiguration https = new HttpConfiguration(http);
    https.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
        new HttpConnectionFactory(https));
    connector.setHost(options.host());
    connector.setPort(options.port());
    return connector;
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
