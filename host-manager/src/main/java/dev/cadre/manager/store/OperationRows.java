package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.clip;
import static dev.cadre.manager.store.Sql.insert;
import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.one;
import static dev.cadre.manager.store.Sql.ts;
import static dev.cadre.manager.store.Sql.update;

import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.operations.StepStatus;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Operations with their steps and owners, and the event log. A status changes only through its lifecycle. */
final class OperationRows {
  private final Sql sql;
  /** The server that writes here: the owner of the operations it inserts, null until it joins. */
  private volatile String owner;

  OperationRows(Sql sql) {
    this.sql = sql;
  }

  /**
   * Operations inserted from now on carry {@code server} as their owner from their first row: a server that
   * starts (or a leader's recovery) never finds one without an owner and takes it for a dead server's.
   */
  void owner(String server) {
    this.owner = server;
  }

  void insertOperation(OperationRecord op) {
    sql.txVoid(c -> insertOperation(c, op));
  }

  void insertOperation(Connection c, OperationRecord op) {
    update(c, "INSERT INTO operations (id, kind, target, actor, status, progress, error, created, updated, owner)"
        + " VALUES (?,?,?,?,?,?,?,?,?,?)", op.id(), op.kind(), op.target(), op.actor(), op.status(), op.progress(),
        clip(op.error(), 16384), ts(op.created()), ts(op.updated()), owner);
  }

  boolean changeOperationStatus(String id, OperationStatus expected, OperationStatus status, int progress,
      String error, Instant at) {
    expected.to(status);
    return sql.tx(c -> update(c, "UPDATE operations SET status = ?, progress = ?, error = ?, updated = ?"
        + " WHERE id = ? AND status = ?", status, progress, clip(error, 16384), ts(at), id, expected)) == 1;
  }

  void setOperationProgress(String id, int progress, Instant at) {
    sql.txVoid(c -> update(c, "UPDATE operations SET progress = ?, updated = ? WHERE id = ?", progress, ts(at), id));
  }

  Optional<OperationRecord> operation(String id) {
    return sql.tx(c -> one(c, "SELECT * FROM operations WHERE id = ?", Rows::operationRow, id));
  }

  List<OperationRecord> unfinishedOperations() {
    return sql.tx(c -> list(c, "SELECT * FROM operations WHERE status IN ('pending', 'running') ORDER BY created",
        Rows::operationRow));
  }

  int countOperations(OperationStatus status) {
    return sql.tx(c -> one(c, "SELECT COUNT(*) FROM operations WHERE status = ?", r -> r.getInt(1), status).orElse(0));
  }

  boolean requestCancel(String id) {
    return sql.tx(c -> update(c, "UPDATE operations SET cancel_requested = TRUE WHERE id = ?"
        + " AND status IN ('pending', 'running')", id)) == 1;
  }

  boolean cancelRequested(String id) {
    return sql.tx(c -> one(c, "SELECT cancel_requested FROM operations WHERE id = ?", r -> r.getBoolean(1), id)
        .orElse(false));
  }

  void setOperationOwner(String id, String server) {
    sql.txVoid(c -> update(c, "UPDATE operations SET owner = ? WHERE id = ?", server, id));
  }

  boolean claimOperation(String id, String expected, String server) {
    return sql.tx(c -> expected == null
        ? update(c, "UPDATE operations SET owner = ? WHERE id = ? AND owner IS NULL", server, id)
        : update(c, "UPDATE operations SET owner = ? WHERE id = ? AND owner = ?", server, id, expected)) == 1;
  }

  String operationOwner(String id) {
    return sql.tx(c -> {
      // the owner may be NULL, which Optional cannot carry
      List<String[]> rows = list(c, "SELECT owner FROM operations WHERE id = ?", r -> new String[] {r.getString(1)}, id);
      return rows.isEmpty() ? null : rows.get(0)[0];
    });
  }

  long addStep(String operationId, StepRecord s) {
    return sql.tx(c -> insert(c, "INSERT INTO operation_steps (operation_id, name, status, detail, at) VALUES (?,?,?,?,?)",
        operationId, clip(s.name(), 256), s.status(), clip(s.detail(), 16384), ts(s.at())));
  }

  boolean updateStep(String operationId, long stepId, StepStatus status, String detail, Instant at) {
    return sql.tx(c -> update(c, "UPDATE operation_steps SET status = ?, detail = ?, at = ? WHERE id = ? AND operation_id = ?",
        status, clip(detail, 16384), ts(at), stepId, operationId)) == 1;
  }

  int endRunningSteps(String operationId, StepStatus status, Instant at) {
    return sql.tx(c -> update(c, "UPDATE operation_steps SET status = ?, at = ? WHERE operation_id = ? AND status = ?",
        status, ts(at), operationId, StepStatus.RUNNING));
  }

  List<StepRecord> steps(String operationId) {
    return sql.tx(c -> list(c, "SELECT * FROM operation_steps WHERE operation_id = ? ORDER BY id",
        Rows::stepRow, operationId));
  }

  long addEvent(String type, String subject, String data, Instant at) {
    return sql.tx(c -> {
      // held until the commit, on every server: ids commit in their order, so readers never see a gap fill later
      list(c, "SELECT id FROM event_writer WHERE id = 1 FOR UPDATE", r -> r.getInt(1));
      return insert(c, "INSERT INTO events (type, subject, data, at) VALUES (?,?,?,?)", type, clip(subject, 256),
          data, ts(at));
    });
  }

  long lastEventId() {
    return sql.tx(c -> one(c, "SELECT MAX(id) FROM events", r -> r.getLong(1)).orElse(0L));
  }

  List<EventRecord> eventsAfter(long id, int limit) {
    return sql.tx(c -> list(c, "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT " + Math.max(1, limit),
        Rows::eventRow, id));
  }

  int pruneEvents(Instant before, int batch) {
    int n = Math.max(1, batch);
    return sql.tx(c -> update(c, "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? ORDER BY id LIMIT "
        + n + ")", ts(before)));
  }

  int pruneOperations(Instant before, int batch) {
    int n = Math.max(1, batch);
    return sql.tx(c -> {
      List<String> ids = list(c, "SELECT id FROM operations WHERE status IN ('success', 'failure', 'cancelled')"
          + " AND updated < ? ORDER BY updated LIMIT " + n, r -> r.getString(1), ts(before));
      if (ids.isEmpty()) {
        return 0;
      }
      String marks = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
      update(c, "DELETE FROM operation_steps WHERE operation_id IN (" + marks + ")", ids.toArray());
      // the status is checked again: an operation cannot leave a finished state, but the rule is kept in one place
      return update(c, "DELETE FROM operations WHERE id IN (" + marks + ") AND status IN ('success', 'failure', 'cancelled')",
          ids.toArray());
    });
  }
}
