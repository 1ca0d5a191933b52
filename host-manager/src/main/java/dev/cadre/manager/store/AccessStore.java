package dev.cadre.manager.store;

import java.util.List;
import java.util.Optional;

/**
 * Tokens and the audit log: what the API's auth needs from the store. Every lookup reads the database, so a
 * revocation on one server holds on every server sharing it at the next request.
 */
public interface AccessStore {
  /** Conflict when the name (or, by a one in 2^256 chance, the hash) is taken. */
  void insertToken(TokenRecord token);

  Optional<TokenRecord> tokenByHash(String hash);

  Optional<TokenRecord> token(String id);

  /** Every token, oldest first. */
  List<TokenRecord> tokens();

  /** Answers whether there was such a token. */
  boolean deleteToken(String id);

  /** Stores the entry and answers its id (ids grow). */
  long addAudit(AuditRecord entry);

  /** Entries with an id above {@code after}, oldest first, at most {@code limit}. */
  List<AuditRecord> auditAfter(long after, int limit);
}
