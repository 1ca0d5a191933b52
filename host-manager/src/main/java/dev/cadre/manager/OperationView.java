package dev.cadre.manager;

import java.time.Instant;
import java.util.List;

/**
 * A durable operation. {@code status}: pending, running, success, failure, cancelled;
 * {@code progress} 0..100; {@code target} what it acts on, e.g. {@code apps/shop}.
 */
public record OperationView(
    String id,
    String kind,
    String target,
    String status,
    int progress,
    String error,
    List<StepView> steps,
    Instant created,
    Instant updated) {
  public OperationView {
    steps = List.copyOf(steps);
  }

  public boolean done() {
    return dev.cadre.manager.lifecycle.OperationStatus.parse(status).terminal();
  }
}
