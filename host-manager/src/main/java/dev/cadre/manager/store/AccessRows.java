package dev.cadre.manager.store;

import static dev.cadre.manager.store.Sql.bind;
import static dev.cadre.manager.store.Sql.clip;
import static dev.cadre.manager.store.Sql.insert;
import static dev.cadre.manager.store.Sql.list;
import static dev.cadre.manager.store.Sql.ts;
import static dev.cadre.manager.store.Sql.update;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Tokens and audit entries. */
final class AccessRows implements AccessStore {
  private final Sql sql;

  AccessRows(Sql sql) {
    this.sql = sql;
  }

  @Override
  public void insertToken(TokenRecord t) {
    sql.txVoid(c -> update(c, "INSERT INTO tokens (id, name, role, apps, expires, created, hash) VALUES (?,?,?,?,?,?,?)",
        t.id(), t.name(), t.role(), t.apps() == null ? null : Sql.jsonList(t.apps()),
        t.expires() == null ? null : ts(t.expires()), ts(t.created()), t.hash()));
  }

  @Override
  public Optional<TokenRecord> tokenByHash(String hash) {
    return sql.tx(c -> Sql.one(c, "SELECT * FROM tokens WHERE hash = ?", AccessRows::token, hash));
  }

  @Override
  public Optional<TokenRecord> token(String id) {
    return sql.tx(c -> Sql.one(c, "SELECT * FROM tokens WHERE id = ?", AccessRows::token, id));
  }

  @Override
  public List<TokenRecord> tokens() {
    return sql.tx(c -> list(c, "SELECT * FROM tokens ORDER BY created, id", AccessRows::token));
  }

  @Override
  public boolean deleteToken(String id) {
    return sql.tx(c -> update(c, "DELETE FROM tokens WHERE id = ?", id)) > 0;
  }

  @Override
  public long addAudit(AuditRecord a) {
    return sql.tx(c -> insert(c, "INSERT INTO audit (at, actor, method, path, status, operation_id) VALUES (?,?,?,?,?,?)",
        ts(a.at()), clip(a.actor(), 64), clip(a.method(), 8), clip(a.path(), 1000), a.status(), clip(a.operationId(), 64)));
  }

  @Override
  public List<AuditRecord> auditAfter(long after, int limit) {
    return sql.tx(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM audit WHERE id > ? ORDER BY id")) {
        ps.setMaxRows(limit);
        bind(ps, after);
        try (ResultSet r = ps.executeQuery()) {
          List<AuditRecord> out = new java.util.ArrayList<>();
          while (r.next()) {
            out.add(new AuditRecord(r.getLong("id"), Sql.instant(r, "at"), r.getString("actor"), r.getString("method"),
                r.getString("path"), r.getInt("status"), r.getString("operation_id")));
          }
          return out;
        }
      }
    });
  }

  private static TokenRecord token(ResultSet r) throws SQLException {
    String apps = r.getString("apps");
    return new TokenRecord(r.getString("id"), r.getString("name"), r.getString("role"),
        apps == null ? null : Sql.list(apps), Sql.instant(r, "expires"), Sql.instant(r, "created"), r.getString("hash"));
  }
}
