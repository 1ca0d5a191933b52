package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.one;

import com.zaxxer.hikari.HikariDataSource;
import dev.cadre.driver.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Liveness of the servers sharing a PostgreSQL store: each holds a session advisory lock on a connection
 * of its own while it lives; whoever can take another's lock knows that server is gone. The embedded
 * database has one server, so there is nothing to hold.
 */
final class ServerLocks {
  private final HikariDataSource pool;
  private final Sql sql;
  private final boolean postgres;
  private Connection held;

  ServerLocks(HikariDataSource pool, Sql sql, boolean postgres) {
    this.pool = pool;
    this.sql = sql;
    this.postgres = postgres;
  }

  synchronized void hold(String server) {
    if (!postgres || held != null) {
      return;
    }
    try {
      Connection c = java.sql.DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword());
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
        ps.setString(1, key(server));
        ps.execute();
      }
      held = c;
    } catch (SQLException e) {
      throw new UnavailableException(null, "store: cannot take this server's lock: " + e.getMessage(), e);
    }
  }

  boolean alive(String server) {
    if (!postgres) {
      return false; // the embedded database has one server: whoever ran before is gone
    }
    return sql.tx(c -> {
      boolean got = one(c, "SELECT pg_try_advisory_lock(hashtext(?))", r -> r.getBoolean(1), key(server)).orElse(false);
      if (got) {
        one(c, "SELECT pg_advisory_unlock(hashtext(?))", r -> r.getBoolean(1), key(server));
      }
      return !got;
    });
  }

  synchronized void release() {
    if (held != null) {
      try {
        held.close();
      } catch (SQLException ignored) {
        // the lock goes with the session
      }
      held = null;
    }
  }

  private static String key(String server) {
    return "cadre-server:" + server;
  }
}
