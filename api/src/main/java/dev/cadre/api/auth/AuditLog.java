package dev.cadre.api.auth;

import dev.cadre.manager.store.AccessStore;
import dev.cadre.manager.store.AuditRecord;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs after every route, also after a refusal: records each write by a known token, and each read of
 * secrets, with the status it got and the operation it started (from the answer's {@code Location}).
 * Requests without a valid token are not recorded (anyone could fill the table with them).
 */
public final class AuditLog implements Handler {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final String OPERATIONS = "/v1/operations/";
  private final Supplier<AccessStore> access;
  private final Clock clock;

  public AuditLog(Supplier<AccessStore> access, Clock clock) {
    this.access = access;
    this.clock = clock;
  }

  @Override
  public void handle(Context ctx) {
    Caller caller = ctx.attribute(Caller.ATTRIBUTE);
    String method = ctx.method().name();
    if (caller == null || Policy.isRead(method) && !Policy.isSecrets(ctx.path())) {
      return;
    }
    String location = ctx.res().getHeader("Location");
    String operation = location != null && location.startsWith(OPERATIONS) ? location.substring(OPERATIONS.length())
        : null;
    try {
      access.get().addAudit(new AuditRecord(0, clock.instant(), caller.name(), method, ctx.path(), ctx.statusCode(),
          operation));
    } catch (RuntimeException e) {
      // the call itself is done; a store that cannot take the entry must not turn it into an error
      log.warn("cannot record {} {} by '{}' in the audit log: {}", method, ctx.path(), caller.name(), e.toString());
    }
  }
}
