package dev.cadre.manager.roles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.manager.Tuning;
import dev.cadre.manager.hooks.CommandIds;
import dev.cadre.manager.hooks.HookPayload;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.DriverRegistry;
import dev.cadre.manager.ipam.Ipam;
import dev.cadre.manager.ipam.Subnet;
import dev.cadre.manager.operations.OperationContext;
import dev.cadre.manager.operations.OperationFailedException;
import dev.cadre.manager.store.MemberRecord;
import dev.cadre.manager.store.ServiceRecord;
import dev.cadre.manager.store.Store;
import dev.cadre.templates.HookExit;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * Runs the hooks of a role change ({@code configure}, {@code role}, {@code status}) in one member, with
 * the picture of the service the change is making: every member with the role it is to have. Each run of a
 * hook in an operation has a phase of its own in its command id, so that running {@code configure} twice in
 * one operation runs it twice (the agent answers a repeated id from its journal).
 */
final class RoleHooks {
  /** A {@code status} answer longer than this is not a status. */
  private static final int STATUS_LIMIT = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Store store;
  private final DriverRegistry drivers;
  private final HookRunner hooks;
  private final Tuning tuning;
  private final dev.cadre.manager.hooks.Dependencies dependencies;

  RoleHooks(Store store, DriverRegistry drivers, HookRunner hooks, Tuning tuning,
      dev.cadre.manager.hooks.Dependencies dependencies) {
    this.dependencies = dependencies;
    this.store = store;
    this.drivers = drivers;
    this.hooks = hooks;
    this.tuning = tuning;
  }

  /** Runs {@code hook}; "retry later" is honoured a few times; any other failure fails the operation. */
  HookResult require(OperationContext ctx, String phase, ServiceRecord s, MemberRecord m, List<MemberRecord> picture,
      String hook) {
    return require(ctx, phase, s, m, picture, hook, java.util.Map.of());
  }

  /** As {@link #require(OperationContext, String, ServiceRecord, MemberRecord, List, String)}, with more environment. */
  HookResult require(OperationContext ctx, String phase, ServiceRecord s, MemberRecord m, List<MemberRecord> picture,
      String hook, java.util.Map<String, String> extra) {
    HookResult r = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      ctx.checkCancelled();
      r = run(ctx.id() + "/" + phase, s, m, picture, hook, attempt, tuning.hookTimeout(), extra);
      if (r.ok() || !HookExit.retryable(r.exit())) {
        break;
      }
      sleep(tuning.healthInterval());
    }
    if (!r.ok()) {
      throw new OperationFailedException("member " + m.name() + ": hook '" + hook + "' " + r.meaning() + " (exit "
          + r.exit() + "): " + tail(r.stderr()));
    }
    ctx.step(m.name() + ": " + hook + " (" + phase + ")", firstLine(r.output()));
    return r;
  }

  /** Runs {@code hook} once and answers what it said. */
  HookResult run(String phase, ServiceRecord s, MemberRecord m, List<MemberRecord> picture, String hook, int attempt,
      Duration timeout) {
    return run(phase, s, m, picture, hook, attempt, timeout, java.util.Map.of());
  }

  private HookResult run(String phase, ServiceRecord s, MemberRecord m, List<MemberRecord> picture, String hook,
      int attempt, Duration timeout, java.util.Map<String, String> extra) {
    MemberRecord me = picture.stream().filter(p -> p.name().equals(m.name())).findFirst().orElse(m);
    HookPayload payload = HookPayload.of(hook, s, me, picture, subnet(s), dependencies.of(s));
    java.util.Map<String, String> env = payload.env();
    if (!extra.isEmpty()) {
      env = new java.util.TreeMap<>(env);
      env.putAll(extra);
    }
    return hooks.run(drivers.driver(m.host()), m.name(), hook, CommandIds.of(phase, m.name(), hook, attempt),
        payload.json(), env, timeout);
  }

  /**
   * The position a {@code role} hook printed as its last line, in the shape of a {@code status} answer
   * ({@code {"role":..., "position":N}}), or empty when it printed none (then cadre asks {@code status}).
   */
  static OptionalLong positionIn(String output) {
    List<String> lines = (output == null ? "" : output).strip().lines().toList();
    if (lines.isEmpty() || lines.get(lines.size() - 1).length() > STATUS_LIMIT) {
      return OptionalLong.empty();
    }
    try {
      JsonNode position = JSON.readTree(lines.get(lines.size() - 1)).path("position");
      return position.canConvertToLong() && position.asLong() >= 0 ? OptionalLong.of(position.asLong())
          : OptionalLong.empty();
    } catch (java.io.IOException notJson) {
      return OptionalLong.empty();
    }
  }

  /**
   * The member's replication position from its {@code status} hook, or empty when it does not answer (a
   * dead or hung member). Never trusts more than {@link #STATUS_LIMIT} characters of the answer.
   */
  OptionalLong position(String phase, ServiceRecord s, MemberRecord m, List<MemberRecord> picture, Duration timeout) {
    return position(phase, s, m, picture, timeout, false);
  }

  /**
   * With {@code linked}, a replica's position counts only while its link to its primary is up: a replica
   * still making its first copy (redis: a full sync) shows a position (0 on an idle redis) that is not
   * its data's.
   */
  OptionalLong position(String phase, ServiceRecord s, MemberRecord m, List<MemberRecord> picture, Duration timeout,
      boolean linked) {
    try {
      HookResult r = run(phase, s, m, picture, "status", 1, timeout);
      if (!r.ok() || r.output().length() > STATUS_LIMIT) {
        return OptionalLong.empty();
      }
      JsonNode answer = JSON.readTree(firstLine(r.output()));
      JsonNode position = answer.path("position");
      if (linked && "replica".equals(answer.path("role").asText()) && !"up".equals(answer.path("link").asText())) {
        return OptionalLong.empty();
      }
      return position.canConvertToLong() && position.asLong() >= 0 ? OptionalLong.of(position.asLong())
          : OptionalLong.empty();
    } catch (RuntimeException | java.io.IOException e) {
      return OptionalLong.empty();
    }
  }

  private Subnet subnet(ServiceRecord s) {
    String dc = store.app(s.app()).orElseThrow().datacenter();
    return Ipam.subnetOf(store.datacenter(dc).orElseThrow());
  }

  static String firstLine(String output) {
    String s = output == null ? "" : output.strip();
    int nl = s.indexOf('\n');
    s = nl < 0 ? s : s.substring(0, nl);
    return s.length() > 500 ? s.substring(0, 500) + "..." : s;
  }

  static String tail(String stderr) {
    String s = stderr == null ? "" : stderr.strip();
    return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OperationFailedException("interrupted");
    }
  }
}
