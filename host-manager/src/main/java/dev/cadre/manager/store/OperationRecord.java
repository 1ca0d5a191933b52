package dev.cadre.manager.store;

import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.OperationKind;
import java.time.Instant;

/** {@code actor}: the name of the token that asked for it, null for what the plane starts itself. */
public record OperationRecord(String id, OperationKind kind, String target, String actor, OperationStatus status,
    int progress, String error, Instant created, Instant updated) {

  public boolean done() {
    return status.terminal();
  }
}
