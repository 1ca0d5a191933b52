package dev.cadre.zone;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.Validation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Commands inside a running zone through {@code zlogin}. zlogin joins its arguments with spaces and
 * hands the line to {@code su root -c} in the zone (zlogin.c prep_args), so each argument is quoted
 * with {@link ShellQuote}: the zone's shell then splits the line back into exactly the vector given.
 *
 * <p>zlogin also resets the environment, so a request's variables have to be set inside the zone. They
 * carry the services' secrets, and every command line is public: {@code ps} in the global zone shows
 * zlogin's arguments and the zone's processes, and over ssh the line is also the remote command. So the
 * variables travel on stdin, ahead of the command's own input, and {@link #ENV_SCRIPT} sets them.
 */
final class ZoneLogin {
  /**
   * Writes stdin to "$1" and sets mode "$2" and owner "$3". Constant: the path, mode and owner travel
   * as positional arguments, never inside the script. umask 077 keeps the file private until chmod.
   */
  static final String PUSH_SCRIPT = "umask 077 && cat > \"$1\" && chmod \"$2\" \"$1\" && chown \"$3\" \"$1\"";

  /**
   * Reads the lines {@link #environment} wrote at the head of stdin, evaluates them and execs "$@",
   * which reads the rest of stdin as its own. Constant and POSIX sh only (a native zone's /bin/sh is
   * ksh93; an lx zone's is its distribution's dash, bash or busybox). A shell's read takes one line and no more from a pipe or socket, so
   * nothing of the command's input is lost. The line count guards against a short read: a command
   * never runs with half its environment. Values pass only through builtins (read, eval, export),
   * never through another process's arguments. Exit 126 when the variables did not arrive, the code a
   * shell gives a command it found but could not run; 127 as ever when the command is missing.
   */
  static final String ENV_SCRIPT = "IFS= read -r n; nl=$(printf \"\\n.\"); nl=${nl%.}; s=; "
      + "while [ \"$n\" -gt 0 ] 2>/dev/null && IFS= read -r l; do s=$s$l$nl; n=$((n - 1)); done; "
      + "[ \"$n\" = 0 ] || { echo \"cadre: the environment did not arrive on stdin\" >&2; exit 126; }; "
      + "unset n l nl; eval \"$s\" || exit 126; exec \"$@\"";

  private final Commands cmd;
  private final Duration timeout;

  ZoneLogin(Commands cmd, Duration timeout) {
    this.cmd = cmd;
    this.timeout = timeout;
  }

  static List<String> zlogin(String zone, List<String> argv) {
    List<String> full = new ArrayList<>(argv.size() + 2);
    full.add("zlogin");
    full.add(zone);
    for (String arg : argv) {
      full.add(ShellQuote.quote(arg));
    }
    return full;
  }

  /** A request without variables runs as it is; one with them runs under {@link #ENV_SCRIPT}. */
  ExecResult exec(String zone, ExecRequest request) {
    List<String> argv = request.argv();
    byte[] stdin = request.stdin();
    if (!request.env().isEmpty()) {
      argv = withEnvironment(argv);
      stdin = concat(environment(request.env()), stdin);
    }
    CommandResult r = cmd.raw(zlogin(zone, argv), stdin, request.timeout(), request.outputLimit(),
        request.stopAtLimit());
    return new ExecResult(r.exitCode(), r.stdout(), r.stderr(), r.stdoutDropped(), r.stderrDropped());
  }

  /** {@code argv} behind {@link #ENV_SCRIPT}, which execs it once the variables are set. */
  static List<String> withEnvironment(List<String> argv) {
    List<String> wrapped = new ArrayList<>(List.of("sh", "-c", ENV_SCRIPT, "sh"));
    wrapped.addAll(argv);
    return wrapped;
  }

  /**
   * What {@link #ENV_SCRIPT} reads: a line with the number of lines that follow, then one
   * {@code export NAME=VALUE} per variable, each value quoted by {@link ShellQuote} (a value with
   * newlines spans several lines; the count covers them all).
   */
  static byte[] environment(Map<String, String> env) {
    StringBuilder lines = new StringBuilder();
    new TreeMap<>(env).forEach((name, value) -> {
      // ExecRequest has checked the names already; eval runs them as shell code, so here they are checked again
      Validation.requireEnvName(name);
      lines.append("export ").append(name).append('=').append(ShellQuote.quote(value)).append('\n');
    });
    long count = lines.chars().filter(c -> c == '\n').count();
    return (count + "\n" + lines).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] head, byte[] tail) {
    if (tail == null || tail.length == 0) {
      return head;
    }
    byte[] all = new byte[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  void push(String zone, FileSpec file) {
    List<String> argv = List.of("sh", "-c", PUSH_SCRIPT, "sh", file.path(),
        String.format("%04o", file.mode()), file.uid() + ":" + file.gid());
    cmd.check(zlogin(zone, argv), file.content(), timeout);
  }
}
