package dev.cadre.api.http;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import dev.cadre.driver.UnavailableException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers. The driver-spi exception family maps to one
 * status each; anything unexpected is a 500 whose body carries a reference to the log line, never a
 * stack trace.
 */
public final class ErrorMapping {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);
  private static final String RENDERED = "cadre.error.rendered";

  private ErrorMapping() {}

  public static void install(Javalin app) {
    app.exception(Exception.class, (e, ctx) -> render(ctx, translate(e)));
    // Javalin answers its own refusals (a body past its 1,000,000-byte limit: 413) in a shape of its
    // own unless a handler names HttpResponseException itself; the one for Exception does not catch them.
    app.exception(HttpResponseException.class, (e, ctx) -> render(ctx, translate(e)));
    // Javalin's own 404 (no route) and 405 answers get the same shape as ours.
    app.error(404, ctx -> {
      if (ctx.attribute(RENDERED) == null) {
        render(ctx, new ApiException(404, "not_found", "no route " + ctx.method() + " " + ctx.path()));
      }
    });
    app.error(405, ctx -> {
      if (ctx.attribute(RENDERED) == null) {
        render(ctx, new ApiException(405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
      }
    });
  }

  public static void render(Context ctx, ApiException e) {
    ctx.attribute(RENDERED, Boolean.TRUE);
    if (e.status() == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"cadre\"");
    }
    if (e.status() == 413) {
      ctx.header("Connection", "close"); // the rest of the body is never read: BodyLimit closes the connection
    }
    ctx.status(e.status()).json(ErrorBody.of(e.code(), e.getMessage(), e.details()));
  }

  /** Pure: which status, code and message a failure answers with. */
  public static ApiException translate(Throwable thrown) {
    Throwable t = unwrap(thrown);
    if (t instanceof ApiException api) {
      return api;
    }
    if (t instanceof DriverException driver) {
      Map<String, Object> details = new HashMap<>();
      if (driver.host() != null) {
        details.put("host", driver.host());
      }
      if (t instanceof InvalidInputException) {
        return new ApiException(400, "invalid_input", t.getMessage(), details);
      }
      if (t instanceof NotFoundException) {
        return new ApiException(404, "not_found", t.getMessage(), details);
      }
      if (t instanceof ConflictException) {
        // The control plane refuses verbs it does not offer yet as a conflict whose message says so.
        String message = t.getMessage() == null ? "" : t.getMessage();
        return new ApiException(409, message.startsWith("not supported") ? "not_supported" : "conflict", message, details);
      }
      if (t instanceof UnauthorizedException) {
        return new ApiException(403, "forbidden", t.getMessage(), details);
      }
      if (t instanceof UnavailableException) {
        return new ApiException(503, "unavailable", t.getMessage(), details);
      }
      if (t instanceof HostFailureException) {
        return new ApiException(503, "host_failure", t.getMessage(), details);
      }
    }
    if (t instanceof HttpResponseException http) {
      int status = http.getStatus();
      String code = switch (status) {
        case 404 -> "not_found";
        case 413 -> "too_large";
        default -> status < 500 ? "invalid_input" : "internal";
      };
      return new ApiException(status, code, http.getMessage());
    }
    String ref = UUID.randomUUID().toString().substring(0, 8);
    log.error("internal error, ref {}", ref, t);
    return new ApiException(500, "internal", "internal error (ref " + ref + " in the server log)", Map.of("ref", ref));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException
        || current instanceof InvocationTargetException) && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
