package dev.cadre.manager;

import java.time.Instant;
import java.util.List;

/**
 * A durable operation. {@code status}: pending, running, success, failure, cancelled;
 * {@code progress} 0..100; {@code target} what it acts on, e.g. {@code apps/shop}; {@code actor} the name of
 * the token that asked for it ({@code admin} for the bootstrap token), null for what the plane starts itself
 * (a failover, a member rejoining).
 */
public record OperationView(
    String id,
    String kind,
    String target,
    String actor,
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
