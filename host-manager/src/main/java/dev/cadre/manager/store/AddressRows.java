package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.ts;
import static dev.cadre.manager.store.Sql.update;

import dev.cadre.driver.ConflictException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The address allocations. The table's unique constraint, not any caller, is what keeps an address from
 * being handed out twice; holders starting with '~' are quarantined addresses that no member owns.
 */
final class AddressRows {
  private final Sql sql;

  AddressRows(Sql sql) {
    this.sql = sql;
  }

  boolean tryAllocate(String datacenter, String address, String member, Instant at) {
    try {
      sql.txVoid(c -> update(c, "INSERT INTO ip_allocations (datacenter, address, member, allocated) VALUES (?,?,?,?)",
          datacenter, address, member, ts(at)));
      return true;
    } catch (ConflictException taken) {
      return false;
    }
  }

  Set<String> allocated(String datacenter) {
    return sql.tx(c -> new HashSet<>(list(c, "SELECT address FROM ip_allocations WHERE datacenter = ?",
        r -> r.getString(1), datacenter)));
  }


  int release(String member) {
    return sql.tx(c -> update(c, "DELETE FROM ip_allocations WHERE member = ?", member));
  }

  int releaseOne(String member, String address) {
    return sql.tx(c -> update(c, "DELETE FROM ip_allocations WHERE member = ? AND address = ?", member, address));
  }

  void move(String member, String address, String holder, Instant at) {
    sql.txVoid(c -> update(c, "UPDATE ip_allocations SET member = ?, allocated = ? WHERE member = ? AND address = ?",
        holder, ts(at), member, address));
  }

  int releaseOf(String holder, Instant before) {
    return sql.tx(c -> update(c, "DELETE FROM ip_allocations WHERE member = ? AND allocated < ?", holder, ts(before)));
  }

  Map<String, Integer> inUse() {
    return sql.tx(c -> {
      Map<String, Integer> out = new TreeMap<>();
      list(c, "SELECT name FROM datacenters", r -> r.getString(1)).forEach(dc -> out.put(dc, 0));
      list(c, "SELECT datacenter, COUNT(*) FROM ip_allocations WHERE member NOT LIKE '~%' GROUP BY datacenter",
          r -> Map.entry(r.getString(1), r.getInt(2))).forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    });
  }

  int releaseUnowned() {
    // quarantined addresses ('~' holders) are not owned by a member on purpose
    return sql.tx(c -> update(c,
        "DELETE FROM ip_allocations WHERE member NOT LIKE '~%' AND member NOT IN (SELECT name FROM members)"
            + " AND member NOT IN (SELECT '@' || app || '/' || name FROM services)"));
  }
}
