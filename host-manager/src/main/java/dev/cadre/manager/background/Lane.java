package dev.cadre.manager.background;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * One kind of background work (host probes, health checks) on threads of its own: a fixed number of
 * named threads, a queue with a limit, at most one task in flight per key (a host, a member), and a time
 * limit per task.
 *
 * <p>A task past its limit is interrupted and its outcome is {@link Outcome.TimedOut} at once, whether or
 * not it stops: a socket read that ignores interrupts cannot hold the round that waits for it. Its key
 * stays busy until its thread really returns, so a host that hangs holds one thread, never a growing pile
 * of them; the next rounds skip it meanwhile.
 */
public final class Lane implements AutoCloseable {
  private final String name;
  private final ThreadPoolExecutor workers;
  private final ScheduledThreadPoolExecutor watchdog;
  private final Map<String, Task<?>> inFlight = new ConcurrentHashMap<>();

  public Lane(String name, int threads, int queueLimit) {
    if (threads < 1 || queueLimit < 1) {
      throw new IllegalArgumentException("a lane needs at least one thread and a queue of at least one");
    }
    this.name = name;
    this.workers = BackgroundWork.bounded(name, threads, queueLimit);
    this.watchdog = new ScheduledThreadPoolExecutor(1, BackgroundWork.threads(name + "-watchdog"));
    watchdog.setRemoveOnCancelPolicy(true);
  }

  public String name() {
    return name;
  }

  /** True while a task of {@code key} runs or waits (also one abandoned past its limit that has not returned). */
  public boolean busy(String key) {
    return inFlight.containsKey(key);
  }

  /** How many tasks run or wait, abandoned ones that have not returned included. */
  public int inFlight() {
    return inFlight.size();
  }

  /**
   * Starts {@code work} for {@code key}. Empty when a task of that key is still in flight or the queue is
   * full: the caller skips it this round. The answer always completes by itself, at the latest
   * {@code limit} after the task starts, or {@code limit} after it was queued if it never started.
   */
  public <T> Optional<CompletableFuture<Outcome<T>>> submit(String key, Duration limit, Callable<T> work) {
    Objects.requireNonNull(key, "key");
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException("a task's limit must be positive");
    }
    CompletableFuture<Outcome<T>> outcome = new CompletableFuture<>();
    Task<T> task = new Task<>(key, limit, work, outcome);
    if (inFlight.putIfAbsent(key, task) != null) {
      return Optional.empty();
    }
    // the queue deadline is set before the task can start, so that starting always finds it to drop
    try {
      task.queued = watchdog.schedule(task::expireInQueue, limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      inFlight.remove(key, task);
      return Optional.empty();
    }
    try {
      workers.execute(task);
    } catch (RejectedExecutionException full) {
      task.queued.cancel(false);
      inFlight.remove(key, task);
      return Optional.empty();
    }
    return Optional.of(outcome);
  }

  /**
   * One round: a task per key (keys whose earlier task is still in flight, and tasks the full queue
   * refuses, are skipped), each outcome handed to {@code sink} on the calling thread as it arrives.
   * Returns when every task started has its outcome, so a round lasts at most about twice
   * {@code limit}. Answers how many keys were skipped. An interrupt ends the wait early (the interrupt
   * stays set).
   */
  public <T> int runAll(Map<String, Callable<T>> work, Duration limit, BiConsumer<String, Outcome<T>> sink) {
    BlockingQueue<Map.Entry<String, Outcome<T>>> arrived = new LinkedBlockingQueue<>();
    int started = 0;
    int skipped = 0;
    for (Map.Entry<String, Callable<T>> w : work.entrySet()) {
      Optional<CompletableFuture<Outcome<T>>> f = submit(w.getKey(), limit, w.getValue());
      if (f.isEmpty()) {
        skipped++;
        continue;
      }
      started++;
      f.get().thenAccept(o -> arrived.add(Map.entry(w.getKey(), o)));
    }
    try {
      for (int i = 0; i < started; i++) {
        Map.Entry<String, Outcome<T>> e = arrived.take();
        sink.accept(e.getKey(), e.getValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return skipped;
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    workers.shutdownNow();
    // nothing will time these out any more: whoever waits for them is answered now
    inFlight.values().forEach(Task::closeOut);
  }

  /** Waits up to {@code grace} for the threads to end (after {@link #close()}). */
  /** Deadlines the watchdog still holds (tests: finished tasks must not leave theirs behind). */
  int pendingDeadlines() {
    return watchdog.getQueue().size();
  }

  boolean awaitTermination(Duration grace) throws InterruptedException {
    return workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * A task and its watchdogs: whichever of "returned", "ran past the limit" and "waited in the queue past
   * the limit" comes first sets the outcome.
   */
  private final class Task<T> extends FutureTask<T> {
    private final String key;
    private final Duration limit;
    private final CompletableFuture<Outcome<T>> outcome;
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** The expiry of its wait in the queue, dropped once it starts (else every task leaves one behind). */
    private volatile ScheduledFuture<?> queued;

    Task(String key, Duration limit, Callable<T> work, CompletableFuture<Outcome<T>> outcome) {
      super(work);
      this.key = key;
      this.limit = limit;
      this.outcome = outcome;
    }

    @Override
    public void run() {
      if (!claimed.compareAndSet(false, true)) {
        return; // it expired in the queue
      }
      ScheduledFuture<?> waiting = queued;
      if (waiting != null) {
        waiting.cancel(false);
      }
      ScheduledFuture<?> dog;
      try {
        dog = watchdog.schedule(this::expireRunning, limit.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        dog = null;
      }
      try {
        super.run();
      } finally {
        if (dog != null) {
          dog.cancel(false);
        }
        inFlight.remove(key, this);
      }
    }

    private void expireRunning() {
      if (outcome.complete(new Outcome.TimedOut<>(limit))) {
        cancel(true);
      }
    }

    void expireInQueue() {
      if (claimed.compareAndSet(false, true)) {
        workers.remove(this);
        inFlight.remove(key, this);
        outcome.complete(new Outcome.NotStarted<>(limit));
      }
    }

    void closeOut() {
      if (outcome.complete(new Outcome.Failed<>(new CancellationException("lane " + name + " is closed")))) {
        cancel(true);
      }
    }

    @Override
    protected void done() {
      if (isCancelled()) {
        return; // whoever cancelled it set the outcome; the key stays busy until run() returns
      }
      // the work is over: the key is free before anyone hears so (a round right after may ask again)
      inFlight.remove(key, this);
      try {
        outcome.complete(new Outcome.Done<>(get()));
      } catch (ExecutionException e) {
        outcome.complete(new Outcome.Failed<>(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome.complete(new Outcome.Failed<>(e));
      }
    }
  }
}
