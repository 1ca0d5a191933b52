package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.json;
import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.ts;
import static dev.cadre.manager.store.Sql.update;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Backups, by app and service name: rows that stay when the app goes. */
final class BackupRows {
  private final Sql sql;

  BackupRows(Sql sql) {
    this.sql = sql;
  }

  void insert(BackupRecord b) {
    sql.txVoid(c -> update(c, "INSERT INTO backups (id, app, service, template, topology, config, created, bytes,"
        + " sha256, operation_id) VALUES (?,?,?,?,?,?,?,?,?,?)", b.id(), b.app(), b.service(), b.template(),
        b.topology(), json(b.config()), ts(b.created()), b.bytes(), b.sha256(), b.operationId()));
  }

  List<BackupRecord> of(String app, String service) {
    return sql.tx(c -> list(c, "SELECT * FROM backups WHERE app = ? AND service = ? ORDER BY created, id",
        BackupRows::row, app, service));
  }

  Optional<BackupRecord> one(String id) {
    return sql.tx(c -> Sql.one(c, "SELECT * FROM backups WHERE id = ?", BackupRows::row, id));
  }

  private static BackupRecord row(ResultSet r) throws SQLException {
    return new BackupRecord(r.getString("id"), r.getString("app"), r.getString("service"), r.getString("template"),
        r.getString("topology"), Sql.map(r.getString("config")), Sql.instant(r, "created"), r.getLong("bytes"),
        r.getString("sha256"), r.getString("operation_id"));
  }
}
