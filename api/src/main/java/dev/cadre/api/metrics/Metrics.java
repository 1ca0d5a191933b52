package dev.cadre.api.metrics;

import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.Summary;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics: a timer per route and status ({@code cadre_http_requests_seconds}), counts from the
 * control plane's summary (cached for a few seconds so a scrape never hammers the store), JVM basics.
 */
public final class Metrics {
  private static final Duration SUMMARY_TTL = Duration.ofSeconds(5);
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ControlPlane plane;
  private final AtomicReference<Cached> summary = new AtomicReference<>();
  private final MultiGauge addresses;

  private record Cached(Summary summary, long at) {}

  public Metrics(ControlPlane plane) {
    this.plane = plane;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gauge("cadre.hosts", s -> s.hosts());
    gauge("cadre.datacenters", s -> s.datacenters());
    gauge("cadre.apps", s -> s.apps());
    gauge("cadre.members", s -> s.members());
    gauge("cadre.operations.running", s -> s.operationsRunning());
    addresses = MultiGauge.builder("cadre.addresses.in.use")
        .description("member addresses allocated per datacenter").register(registry);
  }

  /** What a scrape answers; per-datacenter address counts are read now, as datacenters come and go. */
  public String scrape() {
    try {
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      plane.addressesInUse().forEach((dc, n) -> rows.add(MultiGauge.Row.of(Tags.of("datacenter", dc), n)));
      addresses.register(rows, true);
    } catch (RuntimeException e) {
      // the store is unreachable: the scrape still answers, without this family
    }
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Called by Javalin's request logger after every request, with the time it took. */
  public void record(Context ctx, float millis) {
    String route;
    try {
      route = ctx.endpointHandlerPath();
    } catch (RuntimeException e) {
      route = "unmatched";
    }
    Timer.builder("cadre.http.requests")
        .tag("method", ctx.method().name())
        .tag("route", route == null || route.isEmpty() ? "unmatched" : route)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(registry)
        .record(Duration.ofNanos((long) (millis * 1_000_000)));
  }

  private void gauge(String name, ToDoubleFunction<Summary> value) {
    Gauge.builder(name, this, m -> {
      Summary s = m.summary();
      return s == null ? Double.NaN : value.applyAsDouble(s);
    }).register(registry);
  }

  private Summary summary() {
    Cached cached = summary.get();
    long now = System.nanoTime();
    if (cached == null || now - cached.at() > SUMMARY_TTL.toNanos()) {
      try {
        cached = new Cached(plane.summary(), now);
        summary.set(cached);
      } catch (RuntimeException e) {
        return cached == null ? null : cached.summary();
      }
    }
    return cached.summary();
  }
}
