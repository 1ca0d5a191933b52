package dev.cadre.bench;

import dev.cadre.driver.HostDriver;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.Map;

/**
 * Hooks that answer at once what a well-behaved template answers (a plan is a JSON object, every other hook
 * succeeds): the scale benches measure the control plane, not what runs in containers. Nothing is pushed
 * into the in-memory host either, so its memory is not the agent's copies.
 */
final class InstantHooks implements HookRunner {
  @Override
  public void install(HostDriver driver, String instance) {}

  @Override
  public HookResult run(HostDriver driver, String instance, String hook, String commandId, byte[] payload,
      Map<String, String> env, Duration timeout) {
    String output = switch (hook) {
      case "plan" -> "{}\n";
      case "status" -> "{\"role\":\"primary\",\"position\":0,\"upstream\":\"\",\"link\":\"up\"}\n";
      default -> hook + " ok\n";
    };
    return new HookResult(commandId, hook, 0, output, "", false);
  }
}
