package dev.cadre.manager.background;

import dev.cadre.manager.store.Store;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which server runs the background work (host probes, health checks, the failover watch, recovery of dead
 * servers' operations) when several share a store: the one holding the lease row. Every
 * {@link Store#HEARTBEAT} this server beats its own row and renews the lease, or takes it once it expired
 * ({@link Store#EXPIRY}: its holder stopped renewing), with a new epoch.
 *
 * <p>A server that lost the lease stops acting at once: {@link #leads()} is false once its last renewal
 * is older than the expiry (less a margin, measured from before that renewal was sent, so that it ends
 * before any other server can take over), and {@link #holds()}, which background rounds ask before each
 * action, also asks the store whether the lease is still this server's under the epoch it got. On the
 * embedded database there is one server: it leads from the start.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
  /** Ends this server's own belief in its lease this much before the lease row expires. */
  static final Duration MARGIN = Duration.ofMillis(500);

  private final Store store;
  private final String server;
  private final String name;
  private final boolean alone;
  private final Runnable elected;
  private final ScheduledExecutorService beats;
  /** The epoch of the lease this server holds, 0 when it does not lead. */
  private volatile long epoch;
  /** {@link System#nanoTime()} past which this server no longer counts on its lease without renewing it. */
  private volatile long validUntil;
  private volatile boolean suspended;

  /**
   * {@code elected} runs (on the heartbeat thread) each time this server takes the lease, so that the
   * background rounds start at once instead of at their next turn.
   */
  public Leadership(Store store, String server, String name, Runnable elected) {
    this.store = store;
    this.server = server;
    this.name = name;
    this.alone = "h2".equals(store.kind());
    this.elected = elected;
    this.beats = Executors.newSingleThreadScheduledExecutor(BackgroundWork.threads("cadre-lease"));
  }

  /** Joins the store, tries the lease once (so that a lone server leads before it answers), then beats. */
  public void start() {
    store.join(server, name);
    beat();
    long every = Store.HEARTBEAT.toMillis();
    beats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** This server's id, as its row and the operations it runs carry it. */
  public String server() {
    return server;
  }

  /** The epoch of the lease held, 0 when this server does not lead. */
  public long epoch() {
    return leads() ? epoch : 0;
  }

  /** Whether this server leads, by its own reckoning (no read of the store): cheap, for whole rounds. */
  public boolean leads() {
    return epoch > 0 && (alone || System.nanoTime() - validUntil < 0);
  }

  /**
   * The fence of background actions: this server leads by its own reckoning and the store still says the
   * lease is this server's, under the same epoch and unexpired. False when the store cannot be asked.
   */
  public boolean holds() {
    long held = epoch;
    if (!leads()) {
      return false;
    }
    if (alone) {
      return true;
    }
    try {
      return store.holdsLease(server, held);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Stops beating and renewing, as a server frozen by a long pause or cut off from the store would (tests
   * and drills): the lease runs out and another server takes it. {@link #resume()} beats again.
   */
  public void suspend() {
    suspended = true;
  }

  /** Beats again after {@link #suspend()}: the lease is this server's again only if nobody took it meanwhile. */
  public void resume() {
    suspended = false;
  }

  void beat() {
    if (suspended) {
      return;
    }
    long sent = System.nanoTime();
    long held = epoch;
    try {
      store.beat(server, name);
      long now = store.claimLease(server, held);
      if (now > 0) {
        validUntil = sent + Store.EXPIRY.minus(MARGIN).toNanos();
        epoch = now;
        if (now != held) {
          LOG.info("server {} leads background work (lease epoch {})", server, now);
          elected.run();
        }
      } else if (held > 0) {
        epoch = 0;
        LOG.warn("server {} lost the lease of epoch {}: another server leads background work", server, held);
      }
    } catch (RuntimeException e) {
      // the lease runs out by itself (validUntil) if the store stays out of reach
      LOG.warn("server {} could not beat or renew its lease: {}", server, e.toString());
    }
  }

  /** Stops beating; the store's close lets go of the lease and the row (see {@link Store#join}). */
  @Override
  public void close() {
    beats.shutdownNow();
    try {
      beats.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    epoch = 0;
  }
}
