package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.OperationKind;
import java.time.Instant;

public record OperationRecord(String id, OperationKind kind, String target, OperationStatus status, int progress, String error,
    Instant created, Instant updated) {

  public boolean done() {
    return status.terminal();
  }
}
