package dev.cadre.manager.events;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.manager.EventView;
import dev.cadre.manager.store.EventRecord;
import dev.cadre.manager.store.Store;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events, with the events table as their source: every server sharing the store writes there, and each
 * server's subscribers read from there, so a subscriber sees the events of every server, in the order of
 * their ids (which the store keeps in commit order), and one that resumes after an id misses none.
 *
 * <p>One reader thread per server follows the table while anyone listens: woken at once by an event this
 * server writes, otherwise every {@link #POLL}. Each subscriber has its own thread so that a slow one (an
 * SSE client on a bad link) delays nobody else.
 */
public final class EventBus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How often the table is read for events of other servers while anyone listens. */
  public static final Duration POLL = Duration.ofMillis(200);
  private static final int BATCH = 500;

  private final Store store;
  private final Clock clock;
  private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  /**
   * Held while the reader reads a batch and hands it out, and while a subscriber joins: a subscriber that
   * joins after {@link #head} gets every later batch.
   */
  private final Object reading = new Object();
  /** The id of the last event the reader handed out (under {@link #reading}). */
  private long head;
  private Thread reader;
  private volatile boolean closed;
  private volatile boolean failing;

  public EventBus(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Records an event (subscribers on every server get it from the table); never throws (an event lost is better than a failed operation). */
  public void publish(String type, String subject, Map<String, Object> data) {
    Map<String, Object> copy = new LinkedHashMap<>();
    data.forEach((k, v) -> {
      if (v != null) {
        copy.put(k, v);
      }
    });
    try {
      store.addEvent(type, subject, JSON.writeValueAsString(copy), clock.instant());
    } catch (IOException | RuntimeException e) {
      LOG.warn("event {} {} not recorded: {}", type, subject, e.toString());
      return;
    }
    Thread r = reader;
    if (r != null) {
      LockSupport.unpark(r); // this server's subscribers see it without waiting for the next poll
    }
  }

  /** Events from now on (written on any server sharing the store), in order, on a thread of the subscriber's own. */
  public AutoCloseable subscribe(Consumer<EventView> listener) {
    return join(listener, -1);
  }

  /**
   * Every event after the one with id {@code after} that the store still keeps (events older than the
   * retention are pruned), then the new ones as they come: what an SSE client that reconnects with
   * {@code Last-Event-ID} gets.
   */
  public AutoCloseable subscribe(long after, Consumer<EventView> listener) {
    return join(listener, Math.max(0, after));
  }

  private AutoCloseable join(Consumer<EventView> listener, long after) {
    Subscription s;
    synchronized (reading) {
      if (closed) {
        throw new IllegalStateException("the event bus is closed");
      }
      long last = store.lastEventId();
      if (subscriptions.isEmpty()) {
        head = last; // nobody listened: the reader starts at the end
      }
      // an id beyond the last one is from another store (or one reset since): start at the end
      s = new Subscription(listener, after < 0 ? last : Math.min(after, last));
      if (s.cursor < head) {
        s.catchUp(); // queued before any batch the reader hands out from here on
      }
      subscriptions.add(s);
      if (reader == null) {
        reader = new Thread(this::follow, "cadre-events-reader");
        reader.setDaemon(true);
        reader.start();
      }
    }
    LockSupport.unpark(reader);
    return () -> {
      subscriptions.remove(s);
      s.executor.shutdown();
    };
  }

  private void follow() {
    while (!closed) {
      boolean more = false;
      if (!subscriptions.isEmpty()) {
        more = readBatch();
      }
      if (!more) {
        LockSupport.parkNanos(this, POLL.toNanos());
      }
    }
  }

  /** Reads and hands out the events after {@link #head}; answers whether there may be more at once. */
  private boolean readBatch() {
    synchronized (reading) {
      List<EventRecord> batch;
      try {
        batch = store.eventsAfter(head, BATCH);
      } catch (RuntimeException e) {
        if (!failing && !closed) { // a store closed under a closing bus is no news
          LOG.warn("events: the store does not answer ({}); trying again every {} ms", e.toString(), POLL.toMillis());
        }
        failing = true;
        return false;
      }
      if (failing) {
        LOG.info("events: the store answers again");
        failing = false;
      }
      if (batch.isEmpty()) {
        return false;
      }
      List<EventView> views = batch.stream().map(EventBus::view).toList();
      head = views.get(views.size() - 1).id();
      for (Subscription s : subscriptions) {
        s.deliver(views);
      }
      return batch.size() == BATCH;
    }
  }

  private static EventView view(EventRecord e) {
    return new EventView(e.id(), e.type(), e.subject(), data(e.data()), e.at());
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
    synchronized (reading) {
      closed = true;
      subscriptions.forEach(s -> s.executor.shutdownNow());
      subscriptions.clear();
    }
    Thread r = reader;
    if (r != null) {
      LockSupport.unpark(r);
    }
  }

  private final class Subscription {
    final Consumer<EventView> listener;
    final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cadre-events");
      t.setDaemon(true);
      return t;
    });
    /** The id of the last event handed to the listener; read and written on its thread only (after the start). */
    long cursor;

    Subscription(Consumer<EventView> listener, long cursor) {
      this.listener = listener;
      this.cursor = cursor;
    }

    /** Reads the table from {@link #cursor} to its end, on the subscriber's thread; retries while the store does not answer. */
    void catchUp() {
      submit(() -> {
        while (!executor.isShutdown()) {
          List<EventRecord> batch;
          try {
            batch = store.eventsAfter(cursor, BATCH);
          } catch (RuntimeException e) {
            LOG.debug("events: catching up after {}: {}", cursor, e.toString());
            try {
              TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
            } catch (InterruptedException stop) {
              return;
            }
            continue;
          }
          batch.forEach(e -> hand(view(e)));
          if (batch.size() < BATCH) {
            return;
          }
        }
      });
    }

    void deliver(List<EventView> events) {
      submit(() -> events.forEach(this::hand));
    }

    /** Hands over an event it has not had yet: a catch-up and the reader's batches may overlap. */
    private void hand(EventView event) {
      if (event.id() <= cursor) {
        return;
      }
      cursor = event.id();
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("event subscriber failed: {}", e.toString());
      }
    }

    private void submit(Runnable task) {
      try {
        executor.execute(task);
      } catch (RejectedExecutionException closed) {
        // unsubscribed meanwhile
      }
    }
  }
}
