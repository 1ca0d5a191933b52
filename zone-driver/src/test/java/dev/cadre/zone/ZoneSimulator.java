package dev.cadre.zone;

import dev.cadre.driver.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A simulated illumos global zone behind the {@link CommandRunner} interface, for tests without an
 * illumos host. It keeps the documented state machine of zonecfg, zoneadm, zlogin, dladm and zfs
 * (configured -> installed -> ready/running -> shutting_down -> down -> installed; boot of a
 * configured zone refused, uninstall of a running zone refused, and so on) and answers with the
 * messages and exit codes of the illumos sources (zoneadm.c, zonecfg.c, zlogin.c, libdladm, libzfs).
 *
 * <p>What it does not simulate: inside a zone, the few commands the driver itself issues (ipadm
 * show-addr, the push script, cat) act on the zone's simulated files; any other command runs as a
 * local process (an exec with variables: the driver's environment script under the real /bin/sh),
 * like the in-memory fake driver does, after the zlogin line is split by
 * {@link PosixWords} (which refuses anything a shell would expand). Every zonecfg script is checked by
 * {@link ZonecfgSyntax} and refused like zonecfg would when it is not valid.
 */
final class ZoneSimulator implements CommandRunner {
  private final String host;
  final SimState state = new SimState();
  private final List<List<String>> log = new ArrayList<>();
  private final List<Fault> faults = new ArrayList<>();
  private volatile boolean unreachable;

  private record Fault(Predicate<List<String>> when, CommandResult result, boolean once) {}

  ZoneSimulator(String host, Map<String, String> links) {
    this.host = host;
    state.links.putAll(links);
    state.datasets.put("zones", new SimState.Dataset("zones", "/zones"));
  }

  @Override
  public String host() {
    return host;
  }

  /** Makes every command whose argv matches answer {@code result} instead (once, or until cleared). */
  synchronized void fail(Predicate<List<String>> when, CommandResult result, boolean once) {
    faults.add(new Fault(when, result, once));
  }

  synchronized void clearFaults() {
    faults.clear();
  }

  /** Like a host whose ssh connection is refused: the runner itself throws. */
  void unreachable(boolean down) {
    unreachable = down;
  }

  synchronized List<List<String>> log() {
    return List.copyOf(log);
  }

  synchronized boolean ran(Predicate<List<String>> which) {
    return log.stream().anyMatch(which);
  }

  /** Every answer is cut to {@code outputLimit} per stream, as a process runner's sinks would. */
  @Override
  public CommandResult run(List<String> argv, byte[] stdin, Duration timeout, int outputLimit, boolean stopAtLimit) {
    CommandResult whole = answer(argv, stdin, timeout, outputLimit, stopAtLimit);
    return new CommandResult(whole.exitCode(), cut(whole.stdout(), outputLimit), cut(whole.stderr(), outputLimit),
        whole.stdoutDropped() + Math.max(0, whole.stdout().length - outputLimit),
        whole.stderrDropped() + Math.max(0, whole.stderr().length - outputLimit));
  }

  private static byte[] cut(byte[] bytes, int limit) {
    return bytes.length <= limit ? bytes : java.util.Arrays.copyOf(bytes, limit);
  }

  private CommandResult answer(List<String> argv, byte[] stdin, Duration timeout, int outputLimit, boolean stopAtLimit) {
    if (unreachable) {
      throw new UnavailableException(host, "ssh: connect to host " + host + " port 22: Connection refused");
    }
    CommandResult injected = injected(argv);
    if (injected != null) {
      return injected;
    }
    if (argv.get(0).equals("zlogin")) {
      return new SimZlogin(this).run(argv, stdin, timeout, outputLimit, stopAtLimit); // takes the lock itself: local processes run outside it
    }
    synchronized (this) {
      state.tick();
      return switch (argv.get(0)) {
        case "zoneadm" -> new SimZoneadm(state).run(argv, stdin);
        case "zonecfg" -> new SimZonecfg(state).run(argv, text(stdin));
        case "dladm" -> dladm(argv);
        case "zfs" -> new SimZfs(state).run(argv, stdin);
        default -> globalTool(argv, stdin);
      };
    }
  }

  private synchronized CommandResult injected(List<String> argv) {
    log.add(List.copyOf(argv));
    for (Fault f : faults) {
      if (f.when().test(argv)) {
        if (f.once()) {
          faults.remove(f);
        }
        return f.result();
      }
    }
    return null;
  }

  private CommandResult dladm(List<String> a) {
    String sub = a.size() > 1 ? a.get(1) : "";
    switch (sub) {
      case "create-vnic" -> {
        if (a.size() != 5 || !a.get(2).equals("-l")) {
          return err(1, "usage: dladm create-vnic [-t] -l <link> [-m <value> ...] <vnic-link>");
        }
        String over = a.get(3);
        String vnic = a.get(4);
        if (!state.links.containsKey(over) || state.links.get(over).equals("vnic")) {
          return err(1, "dladm: vnic creation over " + over + " failed: object not found");
        }
        if (!vnic.matches("[A-Za-z_][A-Za-z0-9_]{0,29}") || !Character.isDigit(vnic.charAt(vnic.length() - 1))) {
          return err(1, "dladm: vnic creation failed: link name is invalid");
        }
        if (state.links.containsKey(vnic)) {
          return err(1, "dladm: vnic creation failed: object already exists");
        }
        state.links.put(vnic, "vnic");
        state.vnics.put(vnic, over);
        return ok("");
      }
      case "delete-vnic" -> {
        String vnic = a.get(a.size() - 1);
        if (!state.vnics.containsKey(vnic)) {
          return err(1, "dladm: vnic deletion failed: object not found");
        }
        boolean busy = state.zones.values().stream().anyMatch(z -> ZoneStates.booted(z.state)
            && z.nets.stream().anyMatch(n -> vnic.equals(n.get("physical"))));
        if (busy) {
          return err(1, "dladm: vnic deletion failed: link busy");
        }
        state.vnics.remove(vnic);
        state.links.remove(vnic);
        return ok("");
      }
      case "show-vnic" -> {
        if (!a.subList(2, a.size()).equals(List.of("-p", "-o", "LINK,OVER"))) {
          return err(1, "simulator: only 'dladm show-vnic -p -o LINK,OVER' is simulated, got " + a);
        }
        StringBuilder out = new StringBuilder();
        state.vnics.forEach((v, o) -> out.append(escape(v)).append(':').append(escape(o)).append('\n'));
        return ok(out.toString());
      }
      case "show-link" -> {
        if (!a.subList(2, a.size()).equals(List.of("-p", "-o", "LINK,CLASS"))) {
          return err(1, "simulator: only 'dladm show-link -p -o LINK,CLASS' is simulated, got " + a);
        }
        StringBuilder out = new StringBuilder();
        state.links.forEach((l, c) -> out.append(escape(l)).append(':').append(c).append('\n'));
        return ok(out.toString());
      }
      default -> {
        return err(1, "dladm: unknown subcommand '" + sub + "'");
      }
    }
  }

  /** libofmt's parsable escaping: ':' and '\' get a backslash. */
  static String escape(String field) {
    return field.replace("\\", "\\\\").replace(":", "\\:");
  }

  /** The handful of global-zone commands the driver uses besides the zone tools. */
  private CommandResult globalTool(List<String> a, byte[] stdin) {
    String cmd = String.join(" ", a);
    return switch (a.get(0)) {
      case "uname" -> cmd.equals("uname -n -r -v -p") ? ok(host + " 5.11 omnios-r151046-sim i386\n") : err(1, "uname: illegal option");
      case "psrinfo" -> ok("0\ton-line   since 01/01/2024 00:00:00\n1\ton-line   since 01/01/2024 00:00:00\n"
          + "2\ton-line   since 01/01/2024 00:00:00\n3\ton-line   since 01/01/2024 00:00:00\n");
      case "prtconf" -> ok("System Configuration:  Oracle Corporation  i86pc\nMemory size: 8192 Megabytes\n"
          + "System Peripherals (Software Nodes):\n\ni86pc, instance #0\n");
      case "kstat" -> cmd.equals("kstat -p unix:0:system_pages:freemem") ? ok("unix:0:system_pages:freemem\t1048576\n")
          : err(1, "kstat: simulator knows only freemem");
      case "pagesize" -> ok("4096\n");
      case "test" -> a.size() == 3 && a.get(1).equals("-f") && state.hostFiles.containsKey(a.get(2))
          ? ok("") : new CommandResult(1, null, null);
      case "mkdir" -> ok("");
      case "mv" -> {
        byte[] moved = state.hostFiles.remove(a.get(1));
        if (moved == null) {
          yield err(2, "mv: cannot access " + a.get(1) + ": No such file or directory");
        }
        state.hostFiles.put(a.get(2), moved);
        yield ok("");
      }
      case "sh" -> {
        if (a.size() == 5 && a.get(1).equals("-c") && a.get(2).equals("umask 022 && cat > \"$1\"")) {
          state.hostFiles.put(a.get(4), stdin == null ? new byte[0] : stdin.clone());
          yield ok("");
        }
        yield err(2, "simulator: unknown global-zone script " + a);
      }
      default -> err(127, "sh: " + a.get(0) + ": not found");
    };
  }

  static CommandResult ok(String out) {
    return new CommandResult(0, out.getBytes(StandardCharsets.UTF_8), null);
  }

  static CommandResult err(int code, String message) {
    return new CommandResult(code, null, (message + "\n").getBytes(StandardCharsets.UTF_8));
  }

  static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
  }
}
