package dev.cadre.manager.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * One test's own database, opened as a {@link JdbcStore} as often as the test likes (reopening sees the
 * same data): the embedded file in a temporary directory, or a fresh schema on the PostgreSQL server
 * that {@code scripts/postgres up} runs, dropped again by {@link #close()}.
 */
public interface TestDatabase extends AutoCloseable {

  /** What {@link JdbcStore#kind()} answers on it. */
  String kind();

  JdbcStore open(int poolSize);

  /** A plain connection for checks below the store (Flyway's table). */
  Connection connect() throws SQLException;

  /** Checks that the data lives where this database keeps it (H2: the file). */
  void assertPersisted();

  @Override
  void close();

  static TestDatabase h2(Path dir) {
    return new H2(dir);
  }

  /**
   * A fresh schema on the server named by {@code CADRE_PG_URL} (with {@code CADRE_PG_USER},
   * {@code CADRE_PG_PASSWORD}). Without that variable the test is skipped; with it, a server that
   * does not answer fails the test.
   */
  static Postgres postgres() {
    return Postgres.create();
  }

  final class H2 implements TestDatabase {
    private final Path dir;

    H2(Path dir) {
      this.dir = dir;
    }

    @Override
    public String kind() {
      return "h2";
    }

    @Override
    public JdbcStore open(int poolSize) {
      return JdbcStore.embedded(dir, poolSize);
    }

    @Override
    public Connection connect() throws SQLException {
      return DriverManager.getConnection("jdbc:h2:retry:" + dir.resolve("cadre"));
    }

    @Override
    public void assertPersisted() {
      assertTrue(Files.exists(dir.resolve("cadre.mv.db")));
    }

    @Override
    public void close() {
      // the temporary directory goes with the test
    }
  }

  final class Postgres implements TestDatabase {
    private final String serverUrl;
    private final String user;
    private final String password;
    private final String schema;

    private Postgres(String serverUrl, String user, String password, String schema) {
      this.serverUrl = serverUrl;
      this.user = user;
      this.password = password;
      this.schema = schema;
    }

    static Postgres create() {
      String url = System.getenv("CADRE_PG_URL");
      Assumptions.assumeTrue(url != null && !url.isBlank(),
          "CADRE_PG_URL is not set: run scripts/postgres up and export what scripts/postgres env prints"
              + " (scripts/test does both)");
      // lower case letters and digits only: the name goes into SQL and a URL unquoted
      String schema = "cadre_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      Postgres db = new Postgres(url, System.getenv("CADRE_PG_USER"), System.getenv("CADRE_PG_PASSWORD"), schema);
      db.execute("CREATE SCHEMA " + schema);
      return db;
    }

    /** The store's URL: the test's schema is the connection's current one, so Flyway migrates into it. */
    public String url() {
      return serverUrl + (serverUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** {@link #url()} carrying the credentials, for {@code cadre serve --store}. */
    public String urlWithCredentials() {
      String url = url();
      if (user != null && !user.isBlank()) {
        url += "&user=" + encode(user);
      }
      if (password != null && !password.isBlank()) {
        url += "&password=" + encode(password);
      }
      return url;
    }

    public String schema() {
      return schema;
    }

    @Override
    public String kind() {
      return "postgresql";
    }

    @Override
    public JdbcStore open(int poolSize) {
      return JdbcStore.open(url(), user, password, poolSize);
    }

    @Override
    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url(), user, password);
    }

    @Override
    public void assertPersisted() {
      // the data was read back through a new pool above: that is PostgreSQL's persistence here
    }

    @Override
    public void close() {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    private void execute(String sql) {
      try (Connection c = DriverManager.getConnection(serverUrl, user, password);
          Statement s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new AssertionError("PostgreSQL at " + serverUrl + " (CADRE_PG_URL) did not take '" + sql + "': "
            + e.getMessage() + "; is it up (scripts/postgres up)?", e);
      }
    }

    private static String encode(String s) {
      return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
