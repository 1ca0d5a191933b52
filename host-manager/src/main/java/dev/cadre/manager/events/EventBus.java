package dev.cadre.manager.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.manager.EventView;
import dev.cadre.manager.store.Store;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores each event and hands it to every subscriber. Each subscriber has its own thread so that a slow
 * one (an SSE client on a bad link) delays nobody else and still sees events in order.
 */
public final class EventBus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final Clock clock;
  private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final Object order = new Object();

  public EventBus(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Records and fans out an event; never throws (an event lost is better than a failed operation). */
  public void publish(String type, String subject, Map<String, Object> data) {
    Map<String, Object> copy = new LinkedHashMap<>();
    data.forEach((k, v) -> {
      if (v != null) {
        copy.put(k, v);
      }
    });
    try {
      // one at a time so that ids and delivery order agree
      synchronized (order) {
        Instant at = clock.instant();
        long id = store.addEvent(type, subject, JSON.writeValueAsString(copy), at);
        EventView event = new EventView(id, type, subject, copy, at);
        for (Subscription s : subscriptions) {
          s.deliver(event);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("event {} {} not recorded: {}", type, subject, e.toString());
    }
  }

  public AutoCloseable subscribe(Consumer<EventView> listener) {
    Subscription s = new Subscription(listener);
    subscriptions.add(s);
    return () -> {
      subscriptions.remove(s);
      s.executor.shutdown();
    };
  }

  /** Decodes a stored event's data. */
  public static Map<String, Object> data(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (IOException e) {
      return Map.of();
    }
  }

  @Override
  public void close() {
    subscriptions.forEach(s -> s.executor.shutdownNow());
    subscriptions.clear();
  }

  private static final class Subscription {
    final Consumer<EventView> listener;
    final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cadre-events");
      t.setDaemon(true);
      return t;
    });

    Subscription(Consumer<EventView> listener) {
      this.listener = listener;
    }

    void deliver(EventView event) {
      try {
        executor.execute(() -> {
          try {
            listener.accept(event);
          } catch (RuntimeException e) {
            LOG.warn("event subscriber failed: {}", e.toString());
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // unsubscribed meanwhile
      }
    }
  }
}
