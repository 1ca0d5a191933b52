package dev.cadre.driver;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A command run inside an instance: an argument vector (never a shell string), environment, optional
 * stdin bytes, a timeout after which the command is killed and the exec fails with
 * {@link TimedOutException}, and how many bytes of each of stdout and stderr are kept (see
 * {@link ExecResult#truncated()}).
 *
 * @param outputLimit bytes kept per output stream; 0 means {@link #DEFAULT_OUTPUT_LIMIT}
 * @param stopAtLimit what happens past the limit: false, the rest is read to its end and dropped;
 *     true, the command is killed as soon as either stream passes it and the exec answers at once with
 *     what it kept and the killed command's exit code (for a caller to whom a cut output is a failure
 *     anyway, it saves reading gigabytes for nothing)
 */
public record ExecRequest(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout, int outputLimit,
    boolean stopAtLimit) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  /** 1 MiB per stream: whatever a command prints, the plane holds at most this much of it. */
  public static final int DEFAULT_OUTPUT_LIMIT = 1024 * 1024;
  /** A caller may ask to keep more, up to this; output is held in memory. */
  public static final int MAX_OUTPUT_LIMIT = 64 * 1024 * 1024;

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
    env.forEach((name, value) -> {
      if (value.indexOf('\0') >= 0) {
        // no process environment can hold it; refused here rather than by whatever a driver meets first
        throw new InvalidInputException(null, "exec environment variable " + name + " must not contain NUL");
      }
    });
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidInputException(null, "exec timeout must be positive");
    }
    outputLimit = outputLimit == 0 ? DEFAULT_OUTPUT_LIMIT : outputLimit;
    if (outputLimit < 0 || outputLimit > MAX_OUTPUT_LIMIT) {
      throw new InvalidInputException(null, "exec output limit must be 1 to " + MAX_OUTPUT_LIMIT + " bytes, got " + outputLimit);
    }
  }

  /** With the default output limit, drained past it. */
  public ExecRequest(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout) {
    this(argv, env, stdin, timeout, 0, false);
  }

  public static ExecRequest of(String... argv) {
    return new ExecRequest(List.of(argv), Map.of(), null, null);
  }

  public ExecRequest withStdin(byte[] bytes) {
    return new ExecRequest(argv, env, bytes, timeout, outputLimit, stopAtLimit);
  }

  public ExecRequest withEnv(Map<String, String> environment) {
    return new ExecRequest(argv, environment, stdin, timeout, outputLimit, stopAtLimit);
  }

  public ExecRequest withTimeout(Duration limit) {
    return new ExecRequest(argv, env, stdin, limit, outputLimit, stopAtLimit);
  }

  public ExecRequest withOutputLimit(int bytes) {
    if (bytes <= 0) {
      throw new InvalidInputException(null, "exec output limit must be positive, got " + bytes);
    }
    return new ExecRequest(argv, env, stdin, timeout, bytes, stopAtLimit);
  }

  /** Kills the command as soon as an output passes the limit, instead of draining it. */
  public ExecRequest stoppingAtLimit() {
    return new ExecRequest(argv, env, stdin, timeout, outputLimit, true);
  }
}
