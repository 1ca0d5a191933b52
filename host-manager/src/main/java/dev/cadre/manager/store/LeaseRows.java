package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.one;
import static dev.cadre.manager.store.Sql.update;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The servers sharing the store and the lease of background work. Every time is the database's clock
 * ({@code CURRENT_TIMESTAMP}, read in the same transaction), never a server's own: servers whose clocks
 * differ still agree on who is alive and whose lease has expired. On the embedded database there is one
 * server: a row left by an earlier run is gone at once, whatever its heartbeat says.
 */
final class LeaseRows {
  private final Sql sql;
  private final boolean shared;

  LeaseRows(Sql sql, boolean shared) {
    this.sql = sql;
    this.shared = shared;
  }

  void join(String server, String name) {
    sql.txVoid(c -> {
      if (!shared) {
        update(c, "DELETE FROM servers WHERE id <> ?", server);
      }
      beat(c, server, name);
    });
  }

  /** Beats the server's row; one deleted meanwhile (a server taken for gone) is written again. */
  void beat(String server, String name) {
    sql.txVoid(c -> beat(c, server, name));
  }

  private static void beat(Connection c, String server, String name) throws SQLException {
    OffsetDateTime now = now(c);
    if (update(c, "UPDATE servers SET heartbeat = ? WHERE id = ?", now, server) == 0) {
      update(c, "INSERT INTO servers (id, name, started, heartbeat) VALUES (?,?,?,?)", server, name, now, now);
    }
  }

  boolean alive(String server, Duration expiry) {
    if (!shared) {
      return false; // one server: whoever ran before is gone
    }
    return sql.tx(c -> {
      OffsetDateTime since = now(c).minus(expiry);
      return one(c, "SELECT 1 FROM servers WHERE id = ? AND heartbeat > ?", r -> true, server, since).isPresent();
    });
  }

  /**
   * Renews the lease when {@code server} holds it with {@code held}, or takes it with a new epoch when nobody
   * holds it unexpired (on the embedded database: always). Answers the epoch it holds now, 0 when another
   * server leads. The lease row is locked for the decision, and written only under the epoch read.
   */
  long claim(String server, long held, Duration expiry) {
    return sql.tx(c -> {
      OffsetDateTime now = now(c);
      Lease lease = one(c, "SELECT holder, epoch, expires FROM leader_lease WHERE id = 1 FOR UPDATE",
          LeaseRows::lease).orElseThrow();
      boolean mine = server.equals(lease.holder()) && lease.epoch() == held && held > 0;
      boolean free = lease.holder() == null || lease.expires() == null || !lease.expires().isAfter(now) || !shared;
      if (!mine && !free) {
        return 0L;
      }
      long epoch = mine ? held : lease.epoch() + 1;
      int changed = update(c, "UPDATE leader_lease SET holder = ?, epoch = ?, expires = ? WHERE id = 1 AND epoch = ?",
          server, epoch, now.plus(expiry), lease.epoch());
      return changed == 1 ? epoch : 0L;
    });
  }

  /** Whether {@code server} still holds the lease of {@code epoch}, unexpired: the fence of background actions. */
  boolean holds(String server, long epoch) {
    return sql.tx(c -> one(c, "SELECT 1 FROM leader_lease WHERE id = 1 AND holder = ? AND epoch = ? AND expires > ?",
        r -> true, server, epoch, now(c)).isPresent());
  }

  /** Lets go of the lease if {@code server} holds it (another may take it at once) and removes its row. */
  void leave(String server) {
    sql.txVoid(c -> {
      update(c, "UPDATE leader_lease SET holder = NULL, expires = NULL WHERE id = 1 AND holder = ?", server);
      update(c, "DELETE FROM servers WHERE id = ?", server);
    });
  }

  java.util.List<ServerRecord> servers(Duration expiry) {
    return sql.tx(c -> {
      OffsetDateTime now = now(c);
      Lease lease = one(c, "SELECT holder, epoch, expires FROM leader_lease WHERE id = 1", LeaseRows::lease)
          .orElseThrow();
      boolean leading = lease.holder() != null && lease.expires() != null && lease.expires().isAfter(now);
      return list(c, "SELECT id, name, started, heartbeat FROM servers ORDER BY started, id", r -> {
        String id = r.getString("id");
        OffsetDateTime beat = r.getObject("heartbeat", OffsetDateTime.class);
        boolean leader = leading && id.equals(lease.holder());
        return new ServerRecord(id, r.getString("name"), instant(r.getObject("started", OffsetDateTime.class)),
            instant(beat), beat.isAfter(now.minus(expiry)), leader, leader ? lease.epoch() : 0);
      });
    });
  }

  /** Deletes the rows of servers gone for longer than {@code after}; answers how many. */
  int forget(Duration after) {
    return sql.tx(c -> update(c, "DELETE FROM servers WHERE heartbeat < ?", now(c).minus(after)));
  }

  private record Lease(String holder, long epoch, OffsetDateTime expires) {}

  private static Lease lease(ResultSet r) throws SQLException {
    return new Lease(r.getString("holder"), r.getLong("epoch"), r.getObject("expires", OffsetDateTime.class));
  }

  private static OffsetDateTime now(Connection c) throws SQLException {
    Optional<OffsetDateTime> now = one(c, "SELECT CURRENT_TIMESTAMP", r -> r.getObject(1, OffsetDateTime.class));
    return now.orElseThrow();
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
