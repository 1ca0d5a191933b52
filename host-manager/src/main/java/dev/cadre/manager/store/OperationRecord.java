package dev.cadre.manager.store;

import java.time.Instant;

/** {@code status}: pending, running, success, failure, cancelled. */
public record OperationRecord(String id, String kind, String target, String status, int progress, String error,
    Instant created, Instant updated) {

  public boolean done() {
    return status.equals("success") || status.equals("failure") || status.equals("cancelled");
  }
}
