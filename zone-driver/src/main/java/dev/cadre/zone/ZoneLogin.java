package dev.cadre.zone;

import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Commands inside a running zone through {@code zlogin}. zlogin joins its arguments with spaces and
 * hands the line to {@code su root -c} in the zone (zlogin.c prep_args), so each argument is quoted
 * with {@link ShellQuote}: the zone's shell then splits the line back into exactly the vector given.
 * zlogin also resets the environment, hence {@code env K=V} in front for a request's variables.
 */
final class ZoneLogin {
  /**
   * Writes stdin to "$1" and sets mode "$2" and owner "$3". Constant: the path, mode and owner travel
   * as positional arguments, never inside the script. umask 077 keeps the file private until chmod.
   */
  static final String PUSH_SCRIPT = "umask 077 && cat > \"$1\" && chmod \"$2\" \"$1\" && chown \"$3\" \"$1\"";

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

  ExecResult exec(String zone, ExecRequest request) {
    List<String> argv = new ArrayList<>();
    if (!request.env().isEmpty()) {
      if (request.argv().get(0).contains("=")) {
        // env(1) would take it for one more variable instead of the command
        throw new InvalidInputException(cmd.host(), "with an environment, the command name must not contain '='");
      }
      argv.add("env");
      new TreeMap<>(request.env()).forEach((k, v) -> argv.add(k + "=" + v));
    }
    argv.addAll(request.argv());
    CommandResult r = cmd.raw(zlogin(zone, argv), request.stdin(), request.timeout(), request.outputLimit(),
        request.stopAtLimit());
    return new ExecResult(r.exitCode(), r.stdout(), r.stderr(), r.stdoutDropped(), r.stderrDropped());
  }

  void push(String zone, FileSpec file) {
    List<String> argv = List.of("sh", "-c", PUSH_SCRIPT, "sh", file.path(),
        String.format("%04o", file.mode()), file.uid() + ":" + file.gid());
    cmd.check(zlogin(zone, argv), file.content(), timeout);
  }
}
