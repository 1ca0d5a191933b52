package dev.cadre.manager.operations;

import dev.cadre.manager.store.StepRecord;
import dev.cadre.manager.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step recorded as it begins, with status running, whose detail follows its work (a copy's bytes sent)
 * until it ends with the status and detail of a finished step. It stays where it began in the operation's
 * list of steps; its time is when it last changed.
 *
 * <p>An update is only news for the operator: at most two a second reach the store (what comes between is
 * dropped, the next one carries it on), and one the store fails is ignored, so the work never waits on it or
 * fails for it. The end is stored like any step; a step closed without one (its work threw) ends failed with
 * the detail it had got to, so that {@code try (step) {...}} never leaves one running.
 */
public final class RunningStep implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningStep.class);
  /** The least time between two updates written to the store. */
  static final Duration UPDATE_INTERVAL = Duration.ofMillis(500);

  private final Store store;
  private final Clock clock;
  private final String operationId;
  private final long id;
  private final String name;
  private String detail;
  private Instant written;
  private boolean ended;

  RunningStep(Store store, Clock clock, String operationId, String name, String detail) {
    this.store = store;
    this.clock = clock;
    this.operationId = operationId;
    this.name = name;
    this.detail = detail;
    this.written = clock.instant();
    this.id = store.addStep(operationId, new StepRecord(name, StepStatus.RUNNING, detail, written));
  }

  public String name() {
    return name;
  }

  /** The step's detail is now {@code detail}, unless it changed less than half a second ago or has ended. */
  public synchronized void update(String detail) {
    Instant now = clock.instant();
    if (ended) {
      return;
    }
    this.detail = detail;
    if (now.isBefore(written.plus(UPDATE_INTERVAL))) {
      return;
    }
    written = now;
    try {
      store.updateStep(operationId, id, StepStatus.RUNNING, detail, now);
    } catch (RuntimeException e) {
      LOG.debug("operation {}: step '{}' not updated: {}", operationId, name, e.toString());
    }
  }

  /** Ends the step done, with its final detail. */
  public void done(String detail) {
    end(StepStatus.DONE, detail);
  }

  /**
   * Ends the step with how it ended and its final detail. Only the first end counts (one in a {@code catch}
   * after the work ended it changes nothing); a store that fails it throws, as for any step.
   */
  public synchronized void end(StepStatus status, String detail) {
    if (status == StepStatus.RUNNING) {
      throw new IllegalArgumentException("a step ends done, failed or undone, not running");
    }
    if (ended) {
      return;
    }
    store.updateStep(operationId, id, status, detail, clock.instant());
    ended = true;
  }

  /**
   * Ends the step failed, with the detail it had got to, unless it ended already: its work threw, and the
   * failure is told where it is caught. Never throws (the operation's end fails a step left running anyway).
   */
  @Override
  public synchronized void close() {
    if (ended) {
      return;
    }
    try {
      end(StepStatus.FAILED, detail);
    } catch (RuntimeException e) {
      LOG.debug("operation {}: step '{}' not ended: {}", operationId, name, e.toString());
    }
  }
}
