package dev.cadre.manager.operations;

import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.manager.OperationView;
import dev.cadre.manager.StepView;
import dev.cadre.manager.events.EventBus;
import dev.cadre.manager.store.OperationRecord;
import dev.cadre.manager.store.StepRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable operations: the row is written before any work starts (by the caller, in the same
 * transaction as the rows the operation will make real), the work runs on an executor, each step is
 * stored as it completes (a long one also as it begins, then updated: {@link RunningStep}), and waiters are
 * woken when it ends.
 *
 * <p>Several servers may share the store, and a request may reach any of them. A cancel is a flag on the
 * operation's row that the running server reads between steps (at most every {@link #CANCEL_READ}); a
 * waiter on the server that runs the operation is woken at once, one on another server reads the row every
 * {@link #POLL}.
 */
public final class Operations {
  private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
  /** How often running work reads its cancel flag from the store (a cancel asked on another server). */
  static final Duration CANCEL_READ = Duration.ofMillis(500);
  /** How often a waiter reads the state of an operation this server does not run. */
  static final Duration POLL = Duration.ofMillis(200);

  /** The work of one operation. Returning is success; throwing is failure (or cancelled). */
  @FunctionalInterface
  public interface Work {
    void run(OperationContext context) throws Exception;
  }

  private final Store store;
  private final EventBus events;
  private final Clock clock;
  private final ExecutorService executor;
  /** The operations this server runs (submitted, not ended), completed as each ends: its waiters here wake at once. */
  private final Map<String, CompletableFuture<Void>> finished = new ConcurrentHashMap<>();
  /** Cancels asked on this server: its own work stops without waiting for the next read of the flag. */
  private final Set<String> cancelRequests = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> progress = new ConcurrentHashMap<>();

  private final String server;

  public Operations(Store store, EventBus events, Clock clock, ExecutorService executor, String server) {
    this.server = server;
    this.store = store;
    this.events = events;
    this.clock = clock;
    this.executor = executor;
  }

  /**
   * A new pending operation record (not stored yet: the caller stores it with its rows). {@code actor}: the
   * name of the token that asked for it, null for what the plane starts itself.
   */
  public OperationRecord newOperation(OperationKind kind, String target, String actor) {
    var now = clock.instant();
    return new OperationRecord(UUID.randomUUID().toString(), kind, target, actor, OperationStatus.PENDING, 0, null, now,
        now);
  }

  /** A finished successful operation record, for work done synchronously. */
  public OperationRecord finishedOperation(OperationKind kind, String target, String actor) {
    var now = clock.instant();
    return new OperationRecord(UUID.randomUUID().toString(), kind, target, actor, OperationStatus.SUCCESS, 100, null, now,
        now);
  }

  /** Starts the work of a stored pending operation. */
  public void submit(OperationRecord op, Work work) {
    finished.computeIfAbsent(op.id(), id -> new CompletableFuture<>());
    store.setOperationOwner(op.id(), server);
    try {
      executor.execute(() -> run(op, work));
    } catch (RejectedExecutionException refused) {
      finish(op.id(), OperationStatus.FAILURE, "cadre is shutting down, or too many operations are waiting; try again later");
    }
  }

  private void run(OperationRecord op, Work work) {
    String id = op.id();
    if (!change(id, OperationStatus.RUNNING, 0, null)) {
      return; // ended meanwhile (recovery, another server)
    }
    publish(op, OperationStatus.RUNNING, null);
    Context context = new Context(id);
    try {
      work.run(context);
      // a cancel that came too late to stop anything: the work is done, and says so
      finish(id, OperationStatus.SUCCESS, null);
    } catch (OperationCancelledException e) {
      finish(id, OperationStatus.CANCELLED, "cancelled by request");
    } catch (Exception | Error e) {
      String message = e instanceof DriverException || e instanceof OperationFailedException
          ? e.getMessage() : e.toString();
      if (!(e instanceof DriverException) && !(e instanceof OperationFailedException)) {
        LOG.warn("operation {} {} failed", op.kind(), id, e);
      }
      finish(id, OperationStatus.FAILURE, message);
    }
  }

  /** Ends an operation: stored, announced, waiters woken. */
  public void finish(String id, OperationStatus status, String error) {
    int pct = status == OperationStatus.SUCCESS ? 100 : progress.getOrDefault(id, 0);
    boolean changed = change(id, status, pct, error);
    cancelRequests.remove(id);
    progress.remove(id);
    if (changed) {
      // a step its work left running (a restart cut it short) cannot run on in an operation that ended
      try {
        store.endRunningSteps(id, status == OperationStatus.SUCCESS ? StepStatus.DONE : StepStatus.FAILED,
            clock.instant());
      } catch (RuntimeException e) {
        LOG.warn("operation {}: its running steps were not ended: {}", id, e.toString());
      }
      store.operation(id).ifPresent(op -> publish(op, status, error));
    }
    CompletableFuture<Void> ended = finished.remove(id);
    if (ended != null) {
      ended.complete(null);
    }
  }

  /**
   * Moves the stored status through the lifecycle's table. An operation that already ended stays as it
   * ended (two parties finishing it is a race, not a change): answers false.
   */
  private boolean change(String id, OperationStatus to, int pct, String error) {
    OperationRecord now = store.operation(id).orElse(null);
    if (now == null || now.status().terminal()) {
      if (now != null) {
        LOG.debug("operation {} already ended {}; not {}", id, now.status().wire(), to.wire());
      }
      return false;
    }
    return store.changeOperationStatus(id, now.status(), to, pct, error, clock.instant());
  }

  private void publish(OperationRecord op, OperationStatus status, String error) {
    events.publish("operation", "operations/" + op.id(), eventData(op, status, error));
  }

  private static Map<String, Object> eventData(OperationRecord op, OperationStatus status, String error) {
    var data = new java.util.LinkedHashMap<String, Object>();
    data.put("id", op.id());
    data.put("kind", op.kind().wire());
    data.put("target", op.target());
    data.put("status", status.wire());
    data.put("error", error);
    return data;
  }

  /** This server's id (operations it runs carry it). */
  public String server() {
    return server;
  }

  public OperationView view(String id) {
    OperationRecord op = store.operation(id)
        .orElseThrow(() -> new NotFoundException(null, "operation '" + id + "' not found"));
    return view(op);
  }

  public OperationView view(OperationRecord op) {
    var steps = store.steps(op.id()).stream()
        .map(s -> new StepView(s.name(), s.status().wire(), s.detail(), s.at()))
        .toList();
    return new OperationView(op.id(), op.kind().wire(), op.target(), op.actor(), op.status().wire(), op.progress(),
        op.error(), steps, op.created(), op.updated());
  }

  /**
   * Blocks until the operation is done, on whichever server runs it, or {@code timeout} passes; answers its
   * state then. One this server runs wakes its waiters as it ends; one another server runs (or none yet) is
   * read from the store every {@link #POLL}.
   */
  public OperationView await(String id, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + Math.max(0, timeout.toNanos());
    while (true) {
      // taken before the read, so that an end between the read and the wait still wakes us
      CompletableFuture<Void> local = finished.get(id);
      OperationView now = view(id);
      long left = end - System.nanoTime();
      if (now.done() || left <= 0) {
        return now;
      }
      if (local == null) {
        // run by another server, or not started yet: its row tells
        Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, POLL.toNanos()))));
        continue;
      }
      try {
        local.get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // answer the state as it is
      }
    }
  }

  /**
   * Asks an operation to stop after its current step, on whichever server runs it (a flag on its row); it
   * then rolls back and ends "cancelled".
   */
  public OperationView cancel(String id) {
    OperationView op = view(id);
    if (!op.done() && store.requestCancel(id)) {
      if (finished.containsKey(id)) {
        cancelRequests.add(id); // run here: seen at its next check (one run elsewhere, or later, reads the flag)
      }
      store.addStep(id, new StepRecord("cancel requested", StepStatus.DONE, null, clock.instant()));
    }
    return view(id);
  }

  public void shutdown(Duration grace) {
    executor.shutdown();
    try {
      executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }

  private final class Context implements OperationContext {
    private final String id;
    /** When the flag was last read from the store (System.nanoTime); the first check reads it. */
    private long readAt = System.nanoTime() - CANCEL_READ.toNanos();
    private volatile boolean cancelled;

    Context(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void step(String name, String detail) {
      step(name, StepStatus.DONE, detail);
    }

    @Override
    public void step(String name, StepStatus status, String detail) {
      store.addStep(id, new StepRecord(name, status, detail, clock.instant()));
    }

    @Override
    public RunningStep begin(String name, String detail) {
      return new RunningStep(store, clock, id, name, detail);
    }

    @Override
    public void progress(int percent) {
      int p = Math.max(0, Math.min(99, percent));
      Integer before = progress.put(id, p);
      if (before == null || before != p) {
        store.setOperationProgress(id, p, clock.instant());
      }
    }

    @Override
    public boolean cancelRequested() {
      if (cancelled || cancelRequests.contains(id)) {
        return true;
      }
      long now = System.nanoTime();
      synchronized (this) {
        if (now - readAt >= CANCEL_READ.toNanos()) {
          readAt = now;
          try {
            cancelled = store.cancelRequested(id);
          } catch (RuntimeException e) {
            // the store does not answer: the work goes on, and the next read may see the flag
            LOG.debug("operation {}: its cancel flag was not read: {}", id, e.toString());
          }
        }
      }
      return cancelled;
    }
  }
}
