package dev.cadre.driver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A command run inside an instance: an argument vector (never a shell string), environment, optional
 * stdin bytes, and a timeout after which the command is abandoned with {@link UnavailableException}.
 */
public record ExecRequest(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  public ExecRequest {
    if (argv == null || argv.isEmpty()) {
      throw new InvalidInputException(null, "exec needs at least one argument");
    }
    argv = List.copyOf(argv);
    for (String arg : argv) {
      if (arg.indexOf('\0') >= 0) {
        throw new InvalidInputException(null, "exec arguments must not contain NUL");
      }
    }
    env = env == null ? Map.of() : Map.copyOf(env);
    env.keySet().forEach(Validation::requireEnvName);
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInputException(null, "exec timeout must be positive");
    }
  }

  public static ExecRequest of(String... argv) {
    return new ExecRequest(List.of(argv), Map.of(), null, null);
  }

  public ExecRequest withStdin(byte[] bytes) {
    return new ExecRequest(argv, env, bytes, timeout);
  }

  public ExecRequest withEnv(Map<String, String> environment) {
    return new ExecRequest(argv, environment, stdin, timeout);
  }

  public ExecRequest withTimeout(Duration limit) {
    return new ExecRequest(argv, env, stdin, limit);
  }
}
