package dev.cadre.zone;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnauthorizedException;
import java.util.List;

/**
 * The one place where a failed illumos command becomes cadre's exception family. The tools report
 * through exit 1 and a message, so the message decides; the phrases are those of zoneadm.c,
 * zonecfg.c, libzonecfg, libdladm and libzfs. Exit 127 is the shell saying the program is missing:
 * the host is not an illumos global zone, or the tool is not on root's PATH.
 */
final class ZoneErrors {
  private ZoneErrors() {}

  static DriverException translate(String host, List<String> argv, CommandResult result) {
    String said = result.stderrText().strip();
    if (said.isEmpty()) {
      said = result.stdoutText().strip();
    }
    if (said.length() > 2000) {
      said = said.substring(0, 2000) + "...";
    }
    String text = command(argv) + " failed (exit " + result.exitCode() + ")" + (said.isEmpty() ? "" : ": " + said);
    if (result.exitCode() == 127) {
      return new HostFailureException(host, "'" + argv.get(0) + "' is not available on the host (exit 127: command not found); "
          + "the zone driver needs an illumos global zone: " + said);
    }
    if (has(said, "No such zone configured", "could not find any snapshots", "dataset does not exist",
        "object not found", "No such file or directory", "does not exist")) {
      return new NotFoundException(host, text);
    }
    if (has(said, "already exists", "already installed", "Zone exists", "is already", "operation is invalid for", "must be installed before",
        "not running", "login allowed only to running zones", "not in configured state", "dataset is busy",
        "has been modified since most recent snapshot", "is in use", "link busy")) {
      return new ConflictException(host, text);
    }
    if (has(said, "Permission denied", "not authorized", "only a privileged user", "insufficient privileges",
        "permission denied")) {
      return new UnauthorizedException(host, text);
    }
    return new HostFailureException(host, text);
  }

  /** The program and its subcommand, enough to say what failed without echoing data. */
  private static String command(List<String> argv) {
    StringBuilder s = new StringBuilder(argv.get(0));
    for (int i = 1; i < argv.size() && i < 4; i++) {
      String a = argv.get(i);
      s.append(' ').append(a.length() > 40 ? a.substring(0, 40) + "..." : a);
    }
    return "'" + s + (argv.size() > 4 ? " ..." : "") + "'";
  }

  private static boolean has(String text, String... phrases) {
    for (String p : phrases) {
      if (text.contains(p)) {
        return true;
      }
    }
    return false;
  }
}
