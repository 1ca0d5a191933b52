package dev.cadre.manager.hooks;

import dev.cadre.driver.HostDriver;
import dev.cadre.templates.AgentClient;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.Map;

/** Hooks through cadre's in-container agent (the templates module's {@link AgentClient}). */
public final class AgentHookRunner implements HookRunner {

  @Override
  public void install(HostDriver driver, String instance) {
    new AgentClient(driver).install(instance);
  }

  @Override
  public HookResult run(HostDriver driver, String instance, String hook, String commandId, byte[] payload,
      Map<String, String> env, Duration timeout) {
    return new AgentClient(driver).run(instance, hook, commandId, payload, env, timeout);
  }
}
