package dev.cadre.templates;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Talks to the agent inside an instance through a host driver's exec channel: pushes the agent, runs
 * one hook command and reads its answer. Nothing listens inside the container.
 */
public final class AgentClient {
  private final HostDriver driver;
  private final int outputLimit;

  /** With {@link ExecRequest#DEFAULT_OUTPUT_LIMIT} per stream of a hook's answer. */
  public AgentClient(HostDriver driver) {
    this(driver, ExecRequest.DEFAULT_OUTPUT_LIMIT);
  }

  /**
   * @param outputLimit bytes of each of the agent's stdout and stderr that are read; an answer that is
   *     larger is {@link HookExit#OUTPUT_TOO_LARGE}
   */
  public AgentClient(HostDriver driver, int outputLimit) {
    this.driver = Objects.requireNonNull(driver, "driver");
    this.outputLimit = outputLimit;
  }

  /** Pushes the agent script to {@link Agent#PATH} (mode 0755); pushing it again replaces it. */
  public void install(String instance) {
    FileSpec file = FileSpec.of(Agent.PATH, Agent.script(), 0755);
    try {
      driver.pushFile(instance, file);
    } catch (NotFoundException noFolder) {
      // template images have /opt/cadre; a plain image does not, and a push does not make folders
      ExecResult made = driver.exec(instance, ExecRequest.of("mkdir", "-p", "/opt/cadre"));
      if (!made.ok()) {
        throw new HostFailureException(driver.hostName(), "cannot create /opt/cadre in " + instance + ": "
            + made.stderrText().strip());
      }
      driver.pushFile(instance, file);
    }
  }

  /**
   * Runs {@code hook} once for {@code commandId} with {@code payload} on stdin and {@code env} (names must
   * start with {@code CADRE_}; see {@link HookEnv}). A failing hook is a result, not an exception, and so
   * is a hook that printed more than the output limit ({@link HookExit#OUTPUT_TOO_LARGE}); a host that
   * cannot be reached, or an agent still running past {@link Agent#execTimeout} (it is killed), throws
   * the driver's exceptions.
   */
  public HookResult run(String instance, String hook, String commandId, byte[] payload, Map<String, String> env,
      Duration timeout) {
    env = env == null ? Map.of() : env;
    env.forEach((k, v) -> {
      if (!k.startsWith("CADRE_")) {
        throw new InvalidInputException(null, "hook environment variable '" + k + "' must start with CADRE_");
      }
    });
    ExecRequest request = new ExecRequest(Agent.argv(hook, commandId, timeout), env,
        payload == null ? new byte[0] : payload, Agent.execTimeout(timeout)).withOutputLimit(outputLimit)
        // an answer past the limit is a failure whatever else it holds: the agent is stopped, not read on
        .stoppingAtLimit();
    ExecResult r;
    try {
      r = driver.exec(instance, request);
    } catch (NotFoundException e) {
      if (driver.find(instance).isEmpty()) {
        throw e;
      }
      // LXD reports an exit code of 127 as a failed exec ("Command not found") and drops the output:
      // the agent said "hook not implemented", or the agent or /bin/sh is missing
      return new HookResult(null, hook, HookExit.NOT_IMPLEMENTED, "",
          "hook not implemented: " + hook + " (or " + Agent.PATH + " or /bin/sh is missing in " + instance
              + "); the host said: " + e.getMessage() + "\n", false);
    }
    return Agent.parse(r, request.stopAtLimit());
  }
}
