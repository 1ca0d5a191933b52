package dev.cadre.api.routes;

import dev.cadre.manager.OperationView;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;

/** How every mutating call answers: 202, the operation's URL in the body and in {@code Location}. */
public final class Accepted {
  private final MeterRegistry metrics;

  public Accepted(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  public record Body(String operation, OperationView metadata) {}

  public static String url(OperationView op) {
    return "/v1/operations/" + op.id();
  }

  public void answer(Context ctx, OperationView op) {
    metrics.counter("cadre.operations.started", "kind", String.valueOf(op.kind())).increment();
    ctx.status(202).header("Location", url(op)).json(new Body(url(op), op));
  }
}
