package dev.cadre.manager.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ConflictException;
import dev.cadre.driver.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * JDBC plumbing of the store: one transaction per call, duplicates as {@link ConflictException}, any
 * other failure as {@link UnavailableException}.
 */
final class Sql {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DUPLICATE = "23505";

  private final DataSource pool;

  Sql(DataSource pool) {
    this.pool = pool;
  }

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  interface VoidWork {
    void run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  interface Row<T> {
    T map(ResultSet r) throws SQLException;
  }

  <T> T tx(Work<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (DUPLICATE.equals(e.getSQLState())) {
        throw new ConflictException(null, "already exists: " + e.getMessage(), e);
      }
      throw new UnavailableException(null, "store: " + e.getMessage(), e);
    }
  }

  void txVoid(VoidWork work) {
    tx(c -> {
      work.run(c);
      return null;
    });
  }

  static int update(Connection c, String sql, Object... args) {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    } catch (SQLException e) {
      if (DUPLICATE.equals(e.getSQLState())) {
        throw new ConflictException(null, "already exists", e);
      }
      throw new UnavailableException(null, "store: " + e.getMessage(), e);
    }
  }

  /** Runs an INSERT into a table whose first column is its generated id, and answers that id. */
  static long insert(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql, java.sql.Statement.RETURN_GENERATED_KEYS)) {
      bind(ps, args);
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    List<T> all = list(c, sql, row, args);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      try (ResultSet r = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (r.next()) {
          out.add(row.map(r));
        }
        return out;
      }
    }
  }

  static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      // states and kinds are kept by their readable names: the enum's name in lower case
      Object arg = args[i] instanceof Enum<?> e ? e.name().toLowerCase(java.util.Locale.ROOT) : args[i];
      ps.setObject(i + 1, arg);
    }
  }

  static Timestamp ts(Instant at) {
    return Timestamp.from(at == null ? Instant.now() : at);
  }

  static Instant instant(ResultSet r, String column) throws SQLException {
    Timestamp t = r.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  static String json(Map<String, String> map) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(map));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String jsonList(java.util.List<String> list) {
    try {
      return JSON.writeValueAsString(list);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static java.util.List<String> list(String json) {
    try {
      return json == null ? java.util.List.of() : JSON.readValue(json, new TypeReference<java.util.List<String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, String> map(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
