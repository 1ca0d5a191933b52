package dev.cadre.zone;

import static dev.cadre.zone.ZoneSimulator.err;
import static dev.cadre.zone.ZoneSimulator.ok;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * zoneadm: list, install, boot, shutdown, halt, uninstall, detach, attach. State checks and messages follow
 * zoneadm.c sanity_check() and zoneadmd: "must be installed before boot", "uninstall operation is
 * invalid for running zones", "is already in state 'configured'", and the two races zoneadmd answers
 * with success ("zone is already booted", "zone is already halted").
 */
final class SimZoneadm {
  static final String MANIFEST = "SUNWdetached.xml";
  private static final Pattern MANIFEST_BRAND = Pattern.compile("brand=\"([^\"]*)\"");

  private final SimState state;

  SimZoneadm(SimState state) {
    this.state = state;
  }

  CommandResult run(List<String> a, byte[] stdin) {
    if (a.equals(List.of("zoneadm", "list", "-cp"))) {
      return ok(list());
    }
    if (a.size() < 4 || !a.get(1).equals("-z")) {
      return err(253, "usage: zoneadm [-z <zone>] [-u <uuid-match>] <subcommand>");
    }
    String name = a.get(2);
    SimState.Zone z = state.zones.get(name);
    if (z == null) {
      return err(1, "zoneadm: " + name + ": No such zone configured");
    }
    String sub = a.get(3);
    List<String> args = a.subList(4, a.size());
    String prefix = "zoneadm: zone '" + name + "': ";
    boolean booted = ZoneStates.booted(z.state);
    return switch (sub) {
      case "install" -> {
        if (booted) {
          yield err(1, prefix + "install operation is invalid for " + z.state + " zones.");
        }
        if (z.state.equals(ZoneStates.INSTALLED)) {
          yield err(1, prefix + "is already installed.");
        }
        if (z.state.equals(ZoneStates.INCOMPLETE)) {
          yield err(1, prefix + "zone is incomplete; uninstall required.");
        }
        yield install(z, args, prefix);
      }
      case "boot" -> {
        if (z.state.equals(ZoneStates.RUNNING)) {
          yield new CommandResult(0, null, (prefix + "zone is already booted\n").getBytes(StandardCharsets.UTF_8));
        }
        if (!z.state.equals(ZoneStates.INSTALLED) && !z.state.equals(ZoneStates.READY)) {
          yield err(1, prefix + "must be installed before boot.");
        }
        for (var net : z.nets) {
          if (!state.vnics.containsKey(net.get("physical")) && !"phys".equals(state.links.get(net.get("physical")))) {
            yield err(1, prefix + "failed to add network device " + net.get("physical") + ": object not found");
          }
        }
        z.state = ZoneStates.RUNNING;
        z.id = state.nextZoneId++;
        yield ok("");
      }
      case "shutdown" -> {
        if (!z.state.equals(ZoneStates.RUNNING)) {
          yield err(1, prefix + "not running");
        }
        // zoneadmd runs the brand's shutdown command in the zone and returns; the zone goes down later
        if (!z.ignoresShutdown) {
          z.state = ZoneStates.SHUTTING_DOWN;
          z.shutdownAt = System.nanoTime();
        }
        yield ok("");
      }
      case "halt" -> {
        if (!booted) {
          yield z.state.equals(ZoneStates.INSTALLED)
              ? new CommandResult(0, null, (prefix + "zone is already halted\n").getBytes(StandardCharsets.UTF_8))
              : err(1, prefix + "must be installed before halt.");
        }
        z.state = ZoneStates.INSTALLED;
        z.id = -1;
        z.shutdownAt = 0;
        yield ok("");
      }
      case "uninstall" -> {
        if (booted) {
          yield err(1, prefix + "uninstall operation is invalid for " + z.state + " zones.");
        }
        if (z.state.equals(ZoneStates.CONFIGURED)) {
          yield err(1, prefix + "is already in state 'configured'.");
        }
        if (!args.contains("-F")) {
          yield err(1, prefix + "Input not from terminal and -F not specified; uninstall not done.");
        }
        SimState.Dataset d = state.datasetAt(z.zonepath);
        if (d != null) {
          state.datasets.remove(d.name);
        }
        z.state = ZoneStates.CONFIGURED;
        yield ok("");
      }
      case "detach" -> {
        if (args.equals(List.of("-n"))) { // dry run: the manifest goes to stdout, nothing changes
          yield ok(manifest(z));
        }
        if (booted) {
          yield err(1, prefix + "detach operation is invalid for " + z.state + " zones.");
        }
        if (!z.state.equals(ZoneStates.INSTALLED)) {
          yield err(1, prefix + "must be installed before detach.");
        }
        SimState.Dataset d = state.datasetAt(z.zonepath);
        if (d == null) {
          yield err(1, prefix + "zonepath " + z.zonepath + " does not exist");
        }
        d.live.files().put(MANIFEST, new SimState.File(manifest(z).getBytes(StandardCharsets.UTF_8), 0644, "0:0"));
        d.modified = true;
        z.state = ZoneStates.CONFIGURED;
        yield ok("");
      }
      case "attach" -> attach(z, args, prefix, stdin);
      default -> err(253, "zoneadm: simulator does not know subcommand " + sub);
    };
  }

  private CommandResult install(SimState.Zone z, List<String> args, String prefix) {
    if (!state.brands.contains(z.brand)) {
      return err(1, prefix + "missing or invalid brand");
    }
    boolean argsOk = switch (z.brand) {
      case "lx" -> args.size() == 2 && args.get(0).equals("-s");
      case "joyent", "joyent-minimal" -> args.contains("-t");
      default -> args.isEmpty() || (args.size() >= 2 && args.get(0).equals("-e"));
    };
    if (!argsOk) {
      return err(1, prefix + "ERROR: invalid install arguments for brand " + z.brand + ": " + args);
    }
    if (z.brand.equals("lx") && !state.hostFiles.containsKey(args.get(1))) {
      return err(1, prefix + "ERROR: the image " + args.get(1) + " does not exist");
    }
    if (z.zonepath == null || !z.zonepath.startsWith("/zones/")) {
      return err(1, prefix + "the simulator keeps zones under /zones only");
    }
    String dataset = "zones" + z.zonepath.substring("/zones".length());
    SimState.Dataset d = new SimState.Dataset(dataset, z.zonepath);
    d.live.dirs().addAll(List.of("root", "root/root", "root/tmp", "root/etc", "root/var", "root/opt"));
    state.datasets.put(dataset, d);
    z.state = ZoneStates.INSTALLED;
    return ok("Installing: Using existing zone boot environment\n Done: Installation completed in 1.0 seconds.\n");
  }

  /**
   * attach -n PATH|-: a dry run against a manifest (zoneadm.c dryrun_get_brand: the zone need not be
   * installed, the brand comes from the manifest and must exist on this host). attach: the zonepath
   * must hold the zone's data; a detached manifest there is removed (zonecfg_rm_detached).
   */
  private CommandResult attach(SimState.Zone z, List<String> args, String prefix, byte[] stdin) {
    if (args.size() == 2 && args.get(0).equals("-n")) {
      String manifest = args.get(1).equals("-") ? ZoneSimulator.text(stdin) : hostFile(args.get(1));
      if (manifest == null || !manifest.startsWith("<?xml")) {
        return err(1, prefix + (args.get(1).equals("-") ? "Input is not a valid XML file" : args.get(1) + " is not an XML file"));
      }
      Matcher m = MANIFEST_BRAND.matcher(manifest);
      if (!m.find() || !state.brands.contains(m.group(1))) {
        return err(1, prefix + "missing or invalid brand");
      }
      return ok("");
    }
    if (!args.isEmpty()) {
      return err(253, prefix + "simulator knows 'attach' and 'attach -n PATH' only");
    }
    if (ZoneStates.booted(z.state)) {
      return err(1, prefix + "attach operation is invalid for " + z.state + " zones.");
    }
    if (z.state.equals(ZoneStates.INSTALLED)) {
      return err(1, prefix + "is already installed.");
    }
    SimState.Dataset d = state.datasetAt(z.zonepath);
    if (d == null || !d.live.dirs().contains("root")) {
      return err(1, prefix + "ERROR: no zone root found in " + z.zonepath + "; brand-specific attach failed");
    }
    if (d.live.files().remove(MANIFEST) != null) {
      d.modified = true;
    }
    z.state = ZoneStates.INSTALLED;
    return ok("");
  }

  private String hostFile(String path) {
    for (SimState.Dataset d : state.datasets.values()) {
      if (path.startsWith(d.mountpoint + "/") && d.live.files().containsKey(path.substring(d.mountpoint.length() + 1))) {
        return new String(d.live.files().get(path.substring(d.mountpoint.length() + 1)).content(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static String manifest(SimState.Zone z) {
    return "<?xml version=\"1.0\"?>\n<zone name=\"" + z.name + "\" zonepath=\"" + z.zonepath + "\" brand=\"" + z.brand + "\"/>\n";
  }

  /** zoneadm list -cp as SmartOS prints it: with a trailing debug-id field, and '\:' in zonepaths. */
  private String list() {
    StringBuilder s = new StringBuilder("0:global:running:/::ipkg:shared:0\n");
    for (SimState.Zone z : state.zones.values()) {
      s.append(z.id < 0 ? "-" : Integer.toString(z.id)).append(':').append(z.name).append(':').append(z.state).append(':')
          .append(z.zonepath == null ? "" : z.zonepath.replace(":", "\\:")).append(':').append(z.uuid).append(':')
          .append(z.brand).append(':').append(z.ipType.equals("exclusive") ? "excl" : "shared").append(":\n");
    }
    return s.toString();
  }
}
