package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.update;

import java.util.List;

/**
 * The moves table, and the switch: members, services and the app turn to the target (or back) in one
 * transaction, so a crash leaves either the source picture or the target picture, never a mix.
 */
final class MoveRows {
  private static final String COLUMNS = "holder, app, operation_id, from_datacenter, to_datacenter, from_host,"
      + " from_address, to_host, to_address, switched";
  private final Sql sql;

  MoveRows(Sql sql) {
    this.sql = sql;
  }

  void insert(List<MoveRecord> moves) {
    sql.txVoid(c -> {
      for (MoveRecord m : moves) {
        update(c, "INSERT INTO moves (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?)", m.holder(), m.app(),
            m.operationId(), m.fromDatacenter(), m.toDatacenter(), m.fromHost(), m.fromAddress(), m.toHost(),
            m.toAddress(), m.switched());
      }
    });
  }

  List<MoveRecord> of(String app) {
    return sql.tx(c -> list(c, "SELECT " + COLUMNS + " FROM moves WHERE app = ? ORDER BY holder", MoveRows::row, app));
  }

  List<MoveRecord> all() {
    return sql.tx(c -> list(c, "SELECT " + COLUMNS + " FROM moves ORDER BY app, holder", MoveRows::row));
  }

  void delete(String app) {
    sql.txVoid(c -> update(c, "DELETE FROM moves WHERE app = ?", app));
  }

  /** Turns the app's rows to the target ({@code toTarget}) or back to the source, with the moves' flag. */
  void flip(String app, boolean toTarget) {
    sql.txVoid(c -> {
      List<MoveRecord> moves = list(c, "SELECT " + COLUMNS + " FROM moves WHERE app = ?", MoveRows::row, app);
      String datacenter = null;
      for (MoveRecord m : moves) {
        datacenter = toTarget ? m.toDatacenter() : m.fromDatacenter();
        String address = toTarget ? m.toAddress() : m.fromAddress();
        if (m.member()) {
          update(c, "UPDATE members SET host = ?, ip = ? WHERE name = ?", toTarget ? m.toHost() : m.fromHost(),
              address, m.holder());
        } else {
          String[] appService = m.holder().substring(1).split("/", 2);
          update(c, "UPDATE services SET address = ? WHERE app = ? AND name = ?", address, appService[0],
              appService[1]);
        }
      }
      if (datacenter != null) {
        update(c, "UPDATE apps SET datacenter = ? WHERE name = ?", datacenter, app);
      }
      update(c, "UPDATE moves SET switched = ? WHERE app = ?", toTarget, app);
    });
  }

  private static MoveRecord row(java.sql.ResultSet r) throws java.sql.SQLException {
    return new MoveRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
        r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getBoolean(10));
  }
}
