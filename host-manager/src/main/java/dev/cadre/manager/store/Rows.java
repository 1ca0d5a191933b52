package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.instant;
import static dev.cadre.manager.store.Sql.map;

import dev.cadre.manager.lifecycle.AppState;
import dev.cadre.manager.lifecycle.HostState;
import dev.cadre.manager.lifecycle.MemberState;
import dev.cadre.manager.lifecycle.OperationStatus;
import dev.cadre.manager.lifecycle.ServiceState;
import dev.cadre.manager.operations.OperationKind;
import dev.cadre.manager.operations.StepStatus;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Rows into records; states are kept by their readable names and parsed back into their enums. */
final class Rows {
  private Rows() {}

  static DatacenterRecord datacenterRow(ResultSet r) throws SQLException {
    return new DatacenterRecord(r.getString("name"), r.getString("subnet"), r.getString("gateway"),
        r.getString("pool_start"), r.getString("pool_end"), instant(r, "created"));
  }

  static HostRecord hostRow(ResultSet r) throws SQLException {
    return new HostRecord(r.getString("name"), r.getString("driver"), r.getString("endpoint"), r.getString("datacenter"),
        r.getString("network"), HostState.parse(r.getString("state")), r.getInt("cpus"), r.getLong("memory_bytes"),
        r.getLong("memory_used_bytes"), r.getLong("disk_bytes"), r.getLong("disk_used_bytes"), r.getString("last_error"),
        instant(r, "updated"));
  }

  static AppRecord appRow(ResultSet r) throws SQLException {
    return new AppRecord(r.getString("name"), r.getString("datacenter"), AppState.parse(r.getString("state")),
        r.getBoolean("keep_failed"), instant(r, "created"));
  }

  static ServiceRecord serviceRow(ResultSet r) throws SQLException {
    return new ServiceRecord(r.getString("app"), r.getString("name"), r.getString("template"), r.getString("topology"),
        map(r.getString("config")), map(r.getString("secrets")),
        ServiceState.parse(r.getString("state")), r.getString("address"), r.getString("operation_id"),
        r.getString("plan"), Sql.list(r.getString("depends_on")));
  }

  /** Members are read by position: looking columns up by label per row was most of a large app's read time. */
  static final String MEMBER_COLUMNS =
      "name, app, service, ordinal, role, host, ip, state, error, cpus, memory_mib, disk_mib, operation_id";

  static MemberRecord memberRow(ResultSet r) throws SQLException {
    return new MemberRecord(r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getString(5),
        r.getString(6), r.getString(7), MemberState.parse(r.getString(8)), r.getString(9), r.getInt(10), r.getLong(11), r.getLong(12),
        r.getString(13));
  }

  static StepRecord stepRow(ResultSet r) throws SQLException {
    return new StepRecord(r.getString("name"), StepStatus.parse(r.getString("status")), r.getString("detail"),
        instant(r, "at"));
  }

  static EventRecord eventRow(ResultSet r) throws SQLException {
    return new EventRecord(r.getLong("id"), r.getString("type"), r.getString("subject"), r.getString("data"),
        instant(r, "at"));
  }

  static OperationRecord operationRow(ResultSet r) throws SQLException {
    return new OperationRecord(r.getString("id"), OperationKind.parse(r.getString("kind")), r.getString("target"),
        r.getString("actor"), OperationStatus.parse(r.getString("status")),
        r.getInt("progress"), r.getString("error"), instant(r, "created"), instant(r, "updated"));
  }

}
