package dev.cadre.manager.hooks;

import dev.cadre.driver.HostDriver;
import dev.cadre.templates.HookResult;
import java.time.Duration;
import java.util.Map;

/**
 * Runs hooks inside a member through its host's exec channel. The real one talks to cadre's agent
 * ({@link AgentHookRunner}); tests use a scripted one.
 */
public interface HookRunner {

  /** Puts the agent into the instance (again: replacing it is harmless). */
  void install(HostDriver driver, String instance);

  /** Runs {@code hook} once for {@code commandId}; a hook that fails is a result, not an exception. */
  HookResult run(HostDriver driver, String instance, String hook, String commandId, byte[] payload,
      Map<String, String> env, Duration timeout);
}
