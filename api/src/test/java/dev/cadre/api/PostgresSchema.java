package dev.cadre.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh schema on the PostgreSQL server of {@code scripts/postgres up} (CADRE_PG_URL, CADRE_PG_USER,
 * CADRE_PG_PASSWORD; the test is skipped when unset, and fails when set and unreachable), dropped by
 * {@link #drop()}: each test touches only its own.
 */
record PostgresSchema(String serverUrl, String user, String password, String name) {
  static PostgresSchema create() throws SQLException {
    String url = System.getenv("CADRE_PG_URL");
    Assumptions.assumeTrue(url != null && !url.isBlank(),
        "CADRE_PG_URL is not set: run scripts/postgres up and export what scripts/postgres env prints"
            + " (scripts/test does both)");
    String schema = "cadre_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    PostgresSchema made = new PostgresSchema(url, System.getenv("CADRE_PG_USER"), System.getenv("CADRE_PG_PASSWORD"),
        schema);
    made.execute("CREATE SCHEMA " + schema);
    return made;
  }

  void drop() throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }

  /** What an operator passes to --store: the schema and the credentials in the URL. */
  String storeUrl() {
    String url = serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    if (user != null && !user.isBlank()) {
      url += "&user=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
    }
    if (password != null && !password.isBlank()) {
      url += "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
    }
    return url;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(serverUrl, user, password);
  }

  /** The first column of every row. */
  List<String> query(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rows.next()) {
        out.add(rows.getString(1));
      }
      return out;
    }
  }

  void execute(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
