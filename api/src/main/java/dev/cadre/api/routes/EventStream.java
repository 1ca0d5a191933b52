package dev.cadre.api.routes;

import dev.cadre.api.auth.Caller;
import dev.cadre.api.http.ApiException;
import dev.cadre.api.http.Json;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.EventView;
import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/events}: the control plane's events as server-sent events ({@code event:} the type,
 * {@code id:} the event id, {@code data:} the event as JSON). A comment every 15 s keeps idle
 * connections (and proxies) from timing out.
 */
public final class EventStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventStream.class);
  private static final String HELD = "cadre.hold";
  private final ControlPlane plane;
  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cadre-sse-heartbeat");
    t.setDaemon(true);
    return t;
  });

  private final dev.cadre.api.auth.HoldQuota quota;

  public EventStream(ControlPlane plane, dev.cadre.api.auth.HoldQuota quota) {
    this.plane = plane;
    this.quota = quota;
    heartbeat.scheduleAtFixedRate(this::beat, 15, 15, TimeUnit.SECONDS);
  }

  public void register(Javalin app) {
    // Javalin streams only to clients that accept exactly text/event-stream; say so instead of an empty 200.
    app.before("/v1/events", ctx -> {
      if (!"text/event-stream".equals(ctx.header("Accept"))) {
        throw new ApiException(406, "not_acceptable",
            "/v1/events is a server-sent event stream: send 'Accept: text/event-stream'");
      }
      // the place is taken before the stream starts (a refusal is still an ordinary 429) and given back when
      // the stream closes
      quota.acquire(Caller.of(ctx));
      ctx.attribute(HELD, Boolean.TRUE);
    });
    app.sse("/v1/events", this::accept);
  }

  /**
   * Writes to one client come from the control plane's event thread and the heartbeat thread; Jetty's
   * output stream takes one writer at a time, so every write to a client holds that client's lock.
   */
  private void accept(SseClient client) {
    client.keepAlive();
    synchronized (client) {
      client.sendComment("cadre events");
    }
    clients.add(client);
    Caller caller = Caller.of(client.ctx());
    if (Boolean.TRUE.equals(client.ctx().attribute(HELD))) {
      client.onClose(() -> quota.release(caller));
    }
    AutoCloseable subscription = plane.subscribe(event -> {
      if (visible(caller, event)) {
        send(client, event);
      }
    });
    client.onClose(() -> {
      clients.remove(client);
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("closing an event subscription", e);
      }
    });
  }

  /** A token limited to some apps sees their events only: by subject, or an operation's target. */
  static boolean visible(Caller caller, EventView event) {
    Object target = event.data().get("target");
    return caller.seesTarget(event.subject()) || target instanceof String t && caller.seesTarget(t);
  }

  private static void send(SseClient client, EventView event) {
    if (client.terminated()) {
      return;
    }
    try {
      String data = Json.mapper().writeValueAsString(event);
      synchronized (client) {
        client.sendEvent(event.type(), data, Long.toString(event.id()));
      }
    } catch (Exception e) {
      log.debug("dropping an event for a closed client", e);
    }
  }

  private void beat() {
    for (SseClient client : clients) {
      try {
        synchronized (client) {
          if (!client.terminated()) {
            client.sendComment("keep-alive");
          }
        }
      } catch (Exception e) {
        log.debug("heartbeat failed", e);
      }
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    for (SseClient client : clients) {
      client.close();
    }
  }
}
