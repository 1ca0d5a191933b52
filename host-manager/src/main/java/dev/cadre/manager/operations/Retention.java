package dev.cadre.manager.operations;

import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forgets events and finished operations (with their steps) older than the operator's retention, in
 * batches so that no transaction holds many rows. Runs as a background round (at start, then hourly),
 * never on a request thread; pending and running operations are never pruned, whatever their age.
 */
public final class Retention {
  public static final Duration DEFAULT = Duration.ofDays(7);
  public static final Duration EVERY = Duration.ofHours(1);
  static final int BATCH = 500;
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  private final Store store;
  private final Clock clock;
  private final Duration keep;

  public Retention(Store store, Clock clock, Duration keep) {
    if (keep == null || keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException("the retention must be positive");
    }
    this.store = store;
    this.clock = clock;
    this.keep = keep;
  }

  /** One round; answers how many operations and events went. */
  public Pruned run() {
    Instant cutoff = clock.instant().minus(keep);
    int operations = drain(() -> store.pruneOperations(cutoff, BATCH));
    int events = drain(() -> store.pruneEvents(cutoff, BATCH));
    if (operations + events > 0) {
      LOG.info("retention {}: pruned {} finished operations and {} events from before {}", keep, operations, events, cutoff);
    }
    return new Pruned(operations, events);
  }

  public record Pruned(int operations, int events) {}

  private static int drain(java.util.function.IntSupplier batch) {
    int total = 0;
    for (int n = batch.getAsInt(); n > 0; n = batch.getAsInt()) {
      total += n;
      if (Thread.currentThread().isInterrupted()) {
        break; // the server is stopping: the next start goes on
      }
    }
    return total;
  }
}
