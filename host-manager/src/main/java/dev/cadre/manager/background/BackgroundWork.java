package dev.cadre.manager.background;

import dev.cadre.manager.Tuning;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's threads, each kind of work on executors of its own so that a slow kind cannot
 * starve another: operation workers and member provisioning (the foreground), and host probes, health
 * checks and upkeep (recovery, sweeps) in the background. Every executor has a fixed number of named
 * threads and a queue with a limit.
 *
 * <p>Each background kind runs in rounds on a thread of its own, with a fixed delay between the end of
 * one round and the start of the next: a round still running when the next is due delays only its own
 * kind, and rounds never pile up.
 */
public final class BackgroundWork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundWork.class);

  /**
   * Sizes of the executors.
   *
   * @param operationThreads operations running at once (the rest wait in the queue, pending)
   * @param operationQueue operations waiting; past it a new operation fails at once as too busy
   * @param memberThreads members provisioned at once, across all operations
   * @param memberQueue member jobs waiting
   * @param probeThreads hosts probed at once (a host that hangs holds one until its driver gives up)
   * @param healthThreads health hooks run at once
   * @param backgroundQueue probes or health checks waiting; past it a round skips the rest until the next
   */
  public record Limits(int operationThreads, int operationQueue, int memberThreads, int memberQueue,
      int probeThreads, int healthThreads, int backgroundQueue) {

    public Limits {
      if (operationThreads < 1 || operationQueue < 1 || memberThreads < 1 || memberQueue < 1 || probeThreads < 1
          || healthThreads < 1 || backgroundQueue < 1) {
        throw new IllegalArgumentException("executor sizes must be positive");
      }
    }

    /** The sizes for {@code tuning}: its provisioning parallelism, the rest fixed. */
    public static Limits of(Tuning tuning) {
      return new Limits(64, 1024, tuning.provisionThreads(), 16_384, 8, 8, 4096);
    }
  }

  private final ThreadPoolExecutor operations;
  private final ThreadPoolExecutor members;
  private final Lane probes;
  private final Lane health;
  private final Lane watch;
  private final List<ScheduledExecutorService> rounds = new ArrayList<>();
  private final List<Runnable> turns = new ArrayList<>();

  public BackgroundWork(Limits limits) {
    this.operations = bounded("cadre-op", limits.operationThreads(), limits.operationQueue());
    this.members = bounded("cadre-member", limits.memberThreads(), limits.memberQueue());
    this.probes = new Lane("cadre-probe", limits.probeThreads(), limits.backgroundQueue());
    this.health = new Lane("cadre-health", limits.healthThreads(), limits.backgroundQueue());
    this.watch = new Lane("cadre-watch", limits.healthThreads(), limits.backgroundQueue());
  }

  /** Operation workers: each runs one operation from start to end. */
  public ExecutorService operations() {
    return operations;
  }

  /** Member provisioning: the steps of one member of an operation. */
  public ExecutorService members() {
    return members;
  }

  /** Host probes, one task per host. */
  public Lane probes() {
    return probes;
  }

  /** Health checks, one task per member. */
  public Lane health() {
    return health;
  }

  /** Looks at the primaries of redundant services (failover watch), one task per service. */
  public Lane watch() {
    return watch;
  }

  /**
   * Runs {@code round} now and then every {@code interval} after the previous round ended, on a thread
   * of its own named after {@code kind}. A round that throws is logged; the next one runs as usual.
   */
  public synchronized void every(String kind, Duration interval, Runnable round) {
    ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, threads("cadre-" + kind + "-round"));
    rounds.add(thread);
    Runnable guarded = () -> {
      try {
        round.run();
      } catch (RuntimeException e) {
        LOG.warn("background {} round failed: {}", kind, e.toString());
      }
    };
    thread.scheduleWithFixedDelay(guarded, 0, Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
    turns.add(() -> thread.execute(guarded));
  }

  /**
   * Runs every kind's round once more now, each on its own thread after the round it may be running (a
   * server that just took the lease of background work does not wait for the next turns).
   */
  public synchronized void runNow() {
    for (Runnable turn : turns) {
      try {
        turn.run();
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        return; // the rounds are stopping
      }
    }
  }

  /** Stops the rounds and their lanes (running rounds are interrupted; waits up to {@code grace}). */
  public synchronized void stopBackground(Duration grace) {
    rounds.forEach(ScheduledExecutorService::shutdownNow);
    probes.close();
    health.close();
    watch.close();
    long end = System.nanoTime() + grace.toNanos();
    try {
      for (ScheduledExecutorService r : rounds) {
        r.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops everything that is still running (operations are expected to have been shut down first). */
  @Override
  public void close() {
    stopBackground(Duration.ZERO);
    operations.shutdownNow();
    members.shutdownNow();
  }

  /** A fixed number of named daemon threads (idle ones end after a minute) and a queue of at most {@code queueLimit}. */
  static ThreadPoolExecutor bounded(String prefix, int threads, int queueLimit) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queueLimit), threads(prefix), new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
