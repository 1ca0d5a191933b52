package dev.cadre.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The in-container agent seen from cadre: the script to push, the argument vector that runs one hook
 * through it, and the reading of its answer. The script itself is the resource
 * {@code cadre-templates/agent/cadre-agent}; its rules (names, journal, lock, timeout) are checked here
 * the same way so that a bad request is refused before it travels to a host.
 */
public final class Agent {
  /** Where cadre pushes the agent in every container. */
  public static final String PATH = "/opt/cadre/agent";
  /** The longest hook timeout the agent accepts. */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(86_400);

  static final String RESOURCE = "cadre-templates/agent/cadre-agent";
  private static final Pattern HOOK = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern COMMAND_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String RESULT_PREFIX = "{\"cadre\":1,";
  /** The agent's result line is about 150 bytes; a longer last line is not parsed as one. */
  private static final int RESULT_LINE_LIMIT = 4096;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] SCRIPT = load();

  private Agent() {}

  /** The agent script's bytes, to push to {@link #PATH} (mode 0755). */
  public static byte[] script() {
    return SCRIPT.clone();
  }

  /**
   * The argument vector that runs {@code hook} once for {@code commandId}; the payload goes on stdin.
   * The timeout is rounded up to whole seconds.
   *
   * @throws InvalidInputException for a hook name, command id or timeout the agent would refuse
   */
  public static List<String> argv(String hook, String commandId, Duration timeout) {
    requireHookName(hook);
    requireCommandId(commandId);
    return List.of("/bin/sh", PATH, "run", hook, commandId, Long.toString(timeoutSeconds(timeout)));
  }

  /** How long to wait for the exec that runs a hook: the hook's timeout plus the agent's kill grace and slack. */
  public static Duration execTimeout(Duration hookTimeout) {
    return Duration.ofSeconds(timeoutSeconds(hookTimeout)).plusSeconds(30);
  }

  /** A hook name: 1-32 of a-z, 0-9 and '-', starting with a letter (so no '/', '..' or shell characters). */
  public static String requireHookName(String hook) {
    if (hook == null || !HOOK.matcher(hook).matches()) {
      throw new InvalidInputException(null, "invalid hook name " + quote(hook)
          + ": 1-32 lower-case letters, digits and '-', starting with a letter");
    }
    return hook;
  }

  /** A command id: 1-64 letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static String requireCommandId(String commandId) {
    if (commandId == null || !COMMAND_ID.matcher(commandId).matches()) {
      throw new InvalidInputException(null, "invalid command id " + quote(commandId)
          + ": 1-64 letters, digits, '.', '_' and '-', starting with a letter or digit");
    }
    return commandId;
  }

  private static long timeoutSeconds(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new InvalidInputException(null, "hook timeout must be more than 0 and at most 86400 seconds, got " + timeout);
    }
    long seconds = timeout.getSeconds();
    return timeout.getNano() > 0 ? seconds + 1 : seconds;
  }

  /**
   * Reads what the agent answered through an exec. When the exec dropped output past its limit the
   * answer is cut and its result line lost: the hook printed too much, and that is the result
   * ({@link HookExit#OUTPUT_TOO_LARGE}), whatever exit code the exec reported.
   *
   * @param stopped true when the exec was stopped at the limit: the sizes are then what was read
   *     before it was, not all the hook wrote
   */
  public static HookResult parse(ExecResult exec, boolean stopped) {
    if (exec.truncated()) {
      return tooLarge(exec, stopped);
    }
    return parse(exec.exitCode(), exec.stdout(), exec.stderr());
  }

  private static HookResult tooLarge(ExecResult exec, boolean stopped) {
    StringBuilder why = new StringBuilder("cadre: hook output too large");
    String of = stopped ? " of at least " : " of ";
    if (exec.stdoutDropped() > 0) {
      why.append(" (kept ").append(size(exec.stdout().length)).append(of).append(exec.stdoutSize())
          .append(" bytes on stdout)");
    }
    if (exec.stderrDropped() > 0) {
      why.append(" (kept ").append(size(exec.stderr().length)).append(of).append(exec.stderrSize())
          .append(" bytes on stderr)");
    }
    if (stopped) {
      why.append("; the agent was stopped there");
    }
    // none of the kept bytes: they are whatever the hook flooded the stream with
    return new HookResult(null, null, HookExit.OUTPUT_TOO_LARGE, "", why.append('\n').toString(), false);
  }

  private static String size(long bytes) {
    return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes + " bytes";
  }

  /**
   * Reads what the agent answered. The last line of stdout is the agent's JSON result line; the rest is
   * the hook's output. Without a result line (the agent or /bin/sh missing, the agent refusing the
   * request or killed) the exit code is taken as given and the stderr says what happened.
   */
  public static HookResult parse(int exit, byte[] stdout, byte[] stderr) {
    String out = text(stdout);
    String err = text(stderr);
    String body = out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
    int cut = body.lastIndexOf('\n');
    String last = body.substring(cut + 1);
    if (last.startsWith(RESULT_PREFIX) && last.length() <= RESULT_LINE_LIMIT) {
      try {
        JsonNode line = JSON.readTree(last);
        if (line.path("exit").isInt() && line.path("id").isTextual() && line.path("hook").isTextual()) {
          String output = cut < 0 ? "" : body.substring(0, cut + 1);
          return new HookResult(line.get("id").asText(), line.get("hook").asText(), line.get("exit").asInt(),
              output, err, line.path("replayed").asBoolean(false));
        }
      } catch (IOException notJson) {
        // falls through: treated like output without a result line
      }
    }
    return new HookResult(null, null, exit, out, explain(exit, err), false);
  }

  /**
   * Bytes a hook wrote, as text. NUL becomes U+FFFD: it is valid UTF-8 but no text column takes it
   * (PostgreSQL refuses it), and hook output ends up in the store as a member's error.
   */
  private static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8).replace('\0', '\uFFFD');
  }

  private static String explain(int exit, String stderr) {
    String why = switch (exit) {
      case HookExit.BAD_REQUEST -> stderr.contains("cadre-agent:") ? "the agent refused the request"
          : "the agent gave no result line (exit 64)";
      case HookExit.NOT_IMPLEMENTED -> "the agent could not be run: /bin/sh or " + PATH + " is missing in the container";
      case 126 -> "the agent could not be run: " + PATH + " or /bin/sh is not executable";
      default -> stderr.contains(PATH) && !stderr.contains("cadre-agent:")
          ? "the agent could not be run (exit " + exit + "): " + PATH + " is missing or unreadable in the container"
          : "the agent gave no result line (exit " + exit + "): it was killed or is not cadre's agent";
    };
    String sep = stderr.isEmpty() || stderr.endsWith("\n") ? "" : "\n";
    return stderr + sep + "cadre: " + why + "\n";
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    return "'" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "'";
  }

  private static byte[] load() {
    try (InputStream in = Agent.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
