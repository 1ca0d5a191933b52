package dev.cadre.manager.lxd;

import dev.cadre.driver.HostDriver;
import dev.cadre.manager.hooks.AgentHookRunner;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The agent's hook runner, except that a hook {@code hangs} picks never returns (like an exec that hangs):
 * what the crash targets of the kill -9 tests run under, so that they are killed mid-operation.
 */
final class HangingHooks implements HookRunner {
  /** How many hooks hang now. */
  final AtomicInteger hung = new AtomicInteger();
  private final HookRunner real = new AgentHookRunner();
  private final Predicate<String> hangs;

  HangingHooks(Predicate<String> hangs) {
    this.hangs = hangs;
  }

  @Override
  public void install(HostDriver driver, String instance) {
    real.install(driver, instance);
  }

  @Override
  public HookResult run(HostDriver driver, String instance, String hook, String commandId, byte[] payload,
      Map<String, String> env, Duration timeout) {
    if (hangs.test(hook)) {
      hung.incrementAndGet();
      while (true) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException ignored) {
          // hang like an exec that never returns
        }
      }
    }
    return real.run(driver, instance, hook, commandId, payload, env, timeout);
  }
}
