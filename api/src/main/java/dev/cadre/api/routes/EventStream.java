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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/events}: the control plane's events as server-sent events ({@code event:} the type,
 * {@code id:} the event id, {@code data:} the event as JSON), those of every server sharing the store. A
 * client that reconnects with {@code Last-Event-ID} (as browsers do) gets every event after that one first.
 * A comment every 15 s keeps idle connections (and proxies) from timing out.
 */
public final class EventStream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventStream.class);
  /** The request attribute naming whose place a stream holds, until the stream takes it over. */
  private static final String HELD = "cadre.hold";
  /** The request attribute carrying the id of the last event the client had ({@code Last-Event-ID}), if any. */
  private static final String AFTER = "cadre.after";
  /** What a closed stream's subscription becomes, so that one made after the close is closed at once. */
  private static final AutoCloseable GONE = () -> {};
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
      // the place is taken before the stream starts (a refusal is still an ordinary 429); the stream takes it
      // over and gives it back when it closes
      Long after = lastEventId(ctx.header("Last-Event-ID"));
      Caller caller = Caller.of(ctx);
      quota.acquire(caller);
      ctx.attribute(AFTER, after);
      ctx.attribute(HELD, caller);
    });
    app.sse("/v1/events", this::accept);
    // a place no stream took over (another method than GET, a failure before the stream started) is given
    // back when the request ends
    app.after("/v1/events", ctx -> {
      Caller holder = ctx.attribute(HELD);
      if (holder != null) {
        ctx.attribute(HELD, null);
        quota.release(holder);
      }
    });
  }

  /**
   * Writes to one client come from the control plane's event thread and the heartbeat thread; Jetty's
   * output stream takes one writer at a time, so every write to a client holds that client's lock.
   */
  private void accept(SseClient client) {
    Caller caller = Caller.of(client.ctx());
    Caller holder = client.ctx().attribute(HELD);
    client.ctx().attribute(HELD, null);
    AtomicReference<AutoCloseable> subscription = new AtomicReference<>();
    // Javalin keeps only the last callback given to onClose: everything a closing stream undoes is in this one,
    // given before the first write (a write to a client that left closes it)
    client.onClose(() -> {
      clients.remove(client);
      if (holder != null) {
        quota.release(holder);
      }
      unsubscribe(subscription.getAndSet(GONE));
    });
    try {
      client.keepAlive();
      clients.add(client);
      synchronized (client) {
        client.sendComment("cadre events");
      }
      Long after = client.ctx().attribute(AFTER);
      java.util.function.Consumer<EventView> listener = event -> {
        if (visible(caller, event)) {
          send(client, event);
        }
      };
      AutoCloseable subscribed = after == null ? plane.subscribe(listener) : plane.subscribe(after, listener);
      if (!subscription.compareAndSet(null, subscribed)) {
        unsubscribe(subscribed); // the client left meanwhile
      }
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  private static void unsubscribe(AutoCloseable subscription) {
    try {
      if (subscription != null) {
        subscription.close();
      }
    } catch (Exception e) {
      log.debug("closing an event subscription", e);
    }
  }

  /** Pure: the {@code Last-Event-ID} header as an event id; null when absent or empty (the stream starts now). */
  static Long lastEventId(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      long id = Long.parseLong(header.strip());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new ApiException(400, "invalid_input", "Last-Event-ID must be the id of an event (a whole number from 0)",
        java.util.Map.of("header", "Last-Event-ID"));
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
