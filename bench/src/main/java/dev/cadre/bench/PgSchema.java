package dev.cadre.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A PostgreSQL schema of the bench's own on the server of {@code CADRE_PG_URL} (with {@code CADRE_PG_USER},
 * {@code CADRE_PG_PASSWORD}), dropped on close: other users of the database are left alone.
 */
final class PgSchema implements AutoCloseable {
  private final String server;
  private final String user;
  private final String password;
  final String name;

  private PgSchema(String server, String user, String password) throws SQLException {
    this.server = server;
    this.user = user;
    this.password = password;
    // lower case letters and digits only: the name goes into SQL and a URL unquoted
    this.name = "cadre_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("CREATE SCHEMA " + name);
  }

  /** Null when {@code CADRE_PG_URL} is unset. */
  static PgSchema fromEnvironment() throws SQLException {
    String url = System.getenv("CADRE_PG_URL");
    return url == null || url.isBlank() ? null
        : new PgSchema(url, System.getenv("CADRE_PG_USER"), System.getenv("CADRE_PG_PASSWORD"));
  }

  static boolean configured() {
    String url = System.getenv("CADRE_PG_URL");
    return url != null && !url.isBlank();
  }

  /** The store URL a server opens: the schema and the credentials ride in it. */
  String storeUrl() {
    return server + (server.contains("?") ? "&" : "?") + "currentSchema=" + name + param("user", user)
        + param("password", password);
  }

  private static String param(String key, String value) {
    return value == null || value.isBlank() ? "" : "&" + key + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** A connection of the bench's own to the server (not through any plane's pool). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(server, user, password);
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(server, user, password); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public void close() throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }
}
