package dev.cadre.manager.backups;

import dev.cadre.manager.hooks.CommandIds;
import dev.cadre.manager.hooks.Dependencies;
import dev.cadre.manager.hooks.HookPayload;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.List;

/**
 * Runs the data hooks ({@code export-live}, {@code import-prep}, {@code import-clean}) and {@code health}
 * in one member, with the same payload every other hook of the member gets. A data hook copies the whole
 * data set, so it has a timeout of its own, longer than the ordinary hooks'.
 */
final class DataHooks {
  static final Duration DATA_TIMEOUT = Duration.ofMinutes(15);
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

  private final Store store;
  private final DriverRegistry drivers;
  private final HookRunner hooks;
  private final Dependencies dependencies;

  DataHooks(Store store, DriverRegistry drivers, HookRunner hooks, Dependencies dependencies) {
    this.store = store;
    this.drivers = drivers;
    this.hooks = hooks;
    this.dependencies = dependencies;
  }

  /** Runs {@code hook} once; anything but success fails the operation with the hook's stderr. */
  HookResult require(OperationContext ctx, ServiceRecord s, MemberRecord m, String hook) {
    ctx.checkCancelled();
    HookResult r = run(ctx.id(), s, m, hook, 1, DATA_TIMEOUT);
    if (!r.ok()) {
      throw new OperationFailedException("member " + m.name() + ": hook '" + hook + "' " + r.meaning() + " (exit "
          + r.exit() + "): " + tail(r.stderr()));
    }
    ctx.step(m.name() + ": " + hook, lastLine(r.output()));
    return r;
  }

  /** Runs {@code health} until it answers healthy, within {@code limit}; fails the operation after that. */
  void awaitHealthy(OperationContext ctx, ServiceRecord s, MemberRecord m, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    HookResult r = null;
    for (int attempt = 1; ; attempt++) {
      ctx.checkCancelled();
      r = run(ctx.id(), s, m, "health", attempt, HEALTH_TIMEOUT);
      if (r.ok()) {
        ctx.step(m.name() + ": health", lastLine(r.output()));
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new OperationFailedException("member " + m.name() + " is not healthy after " + limit.toSeconds()
            + " s: " + tail(r.stderr()));
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OperationFailedException("interrupted");
      }
    }
  }

  private HookResult run(String operation, ServiceRecord s, MemberRecord m, String hook, int attempt,
      Duration timeout) {
    List<MemberRecord> picture = store.members(s.app()).stream().filter(x -> x.service().equals(s.name())).toList();
    String dc = store.app(s.app()).orElseThrow().datacenter();
    HookPayload payload = HookPayload.of(hook, s, m, picture, Ipam.subnetOf(store.datacenter(dc).orElseThrow()),
        dependencies.of(s));
    return hooks.run(drivers.driver(m.host()), m.name(), hook, CommandIds.of(operation, m.name(), hook, attempt),
        payload.json(), payload.env(), timeout);
  }

  /** The last non-empty line of a hook's stdout, at most 500 characters: where a data hook prints its answer. */
  static String lastLine(String output) {
    List<String> lines = (output == null ? "" : output).strip().lines().toList();
    String s = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    return s.length() > 500 ? s.substring(0, 500) + "..." : s;
  }

  static String tail(String stderr) {
    String s = stderr == null ? "" : stderr.strip();
    return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
  }
}
