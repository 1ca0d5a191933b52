package dev.cadre.manager.store;

import java.time.Instant;

/** One audited API call: who ({@code actor}, a token's name), what, its status, the operation it started if any. */
public record AuditRecord(long id, Instant at, String actor, String method, String path, int status,
    String operationId) {}
