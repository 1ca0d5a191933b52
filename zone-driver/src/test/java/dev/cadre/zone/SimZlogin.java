package dev.cadre.zone;

import static dev.cadre.zone.ZoneSimulator.err;
import static dev.cadre.zone.ZoneSimulator.ok;

import dev.cadre.driver.HostFailureException;
import java.time.Duration;
import java.util.List;

/**
 * zlogin ZONE ARGS...: refuses zones that are not running (zlogin.c: "login allowed only to running
 * zones"), joins ARGS with spaces as zlogin's prep_args() does, and splits the line like the zone's
 * shell would ({@link PosixWords}, which refuses anything but quoted words). The words then either
 * act on the zone's simulated files (the driver's own commands) or run as a local process.
 */
final class SimZlogin {
  /** The simulator's own copy of the file-push script it understands. */
  private static final String PUSH = "umask 077 && cat > \"$1\" && chmod \"$2\" \"$1\" && chown \"$3\" \"$1\"";

  private final ZoneSimulator sim;

  SimZlogin(ZoneSimulator sim) {
    this.sim = sim;
  }

  CommandResult run(List<String> a, byte[] stdin, Duration timeout, int outputLimit, boolean stopAtLimit) {
    List<String> words;
    synchronized (sim) {
      sim.state.tick();
      if (a.size() < 2 || a.get(1).startsWith("-")) {
        return err(2, "usage: zlogin [-nQCES] [-e cmdchar] [-l user] zonename [command [args ...] ]");
      }
      SimState.Zone zone = sim.state.zones.get(a.get(1));
      if (zone == null) {
        return err(1, "zlogin: failed to get zone state: No such zone configured");
      }
      if (!zone.state.equals(ZoneStates.RUNNING)) {
        return err(1, "zlogin: login allowed only to running zones (" + zone.name + " is '" + zone.state + "').");
      }
      if (a.size() == 2) {
        return err(1, "zlogin: the simulator has no interactive logins");
      }
      try {
        words = PosixWords.split(String.join(" ", a.subList(2, a.size())) + " ");
      } catch (PosixWords.UnsafeLine e) {
        return err(2, "sh: syntax error (simulator refuses unquoted shell syntax): " + e.getMessage());
      }
      CommandResult inside = builtin(zone, words, stdin);
      if (inside != null) {
        return inside;
      }
    }
    return local(words, stdin, timeout, outputLimit, stopAtLimit);
  }

  private CommandResult builtin(SimState.Zone zone, List<String> w, byte[] stdin) {
    SimState.Dataset d = sim.state.datasetAt(zone.zonepath);
    if (w.equals(List.of("ipadm", "show-addr", "-p", "-o", "addrobj,addr"))) {
      StringBuilder s = new StringBuilder("lo0/v4:127.0.0.1/8\n");
      for (var net : zone.nets) {
        if (net.get("allowed-address") != null) {
          s.append(net.get("physical")).append("/v4:").append(net.get("allowed-address")).append('\n');
        }
      }
      return ok(s.append("lo0/v6:\\:\\:1/128\n").toString());
    }
    if (w.size() == 7 && w.get(0).equals("sh") && w.get(1).equals("-c") && w.get(2).equals(PUSH) && w.get(3).equals("sh")) {
      String key = "root" + w.get(4);
      String parent = key.substring(0, key.lastIndexOf('/'));
      if (!d.live.dirs().contains(parent)) {
        return err(1, "sh: " + w.get(4) + ": cannot create [No such file or directory]");
      }
      if (!w.get(5).matches("0[0-7]{3}") || !w.get(6).matches("\\d+:\\d+")) {
        return err(1, "chmod: invalid mode or owner");
      }
      d.live.files().put(key, new SimState.File(stdin == null ? new byte[0] : stdin.clone(), Integer.parseInt(w.get(5), 8), w.get(6)));
      d.modified = true;
      return ok("");
    }
    if (w.size() == 3 && w.get(0).equals("cat") && w.get(1).equals("--")) {
      SimState.File f = d.live.files().get("root" + w.get(2));
      if (f == null) {
        return err(2, "cat: cannot open " + w.get(2) + ": No such file or directory");
      }
      return new CommandResult(0, f.content().clone(), null);
    }
    return null;
  }

  /** Anything else runs here, as the in-memory fake driver does: exit codes, stdin and env behave for real. */
  private CommandResult local(List<String> words, byte[] stdin, Duration timeout, int outputLimit,
      boolean stopAtLimit) {
    try {
      return Processes.run(sim.host(), words, stdin, timeout, outputLimit, stopAtLimit);
    } catch (HostFailureException notStarted) {
      return err(127, "sh: " + words.get(0) + ": not found");
    }
  }
}
