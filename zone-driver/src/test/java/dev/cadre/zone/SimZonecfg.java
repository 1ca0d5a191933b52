package dev.cadre.zone;

import static dev.cadre.zone.ZoneSimulator.err;
import static dev.cadre.zone.ZoneSimulator.ok;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** zonecfg: a command file on stdin ({@code -f -}), {@code info} and {@code delete -F}. */
final class SimZonecfg {
  private final SimState state;

  SimZonecfg(SimState state) {
    this.state = state;
  }

  CommandResult run(List<String> a, String stdin) {
    if (a.size() < 4 || !a.get(1).equals("-z")) {
      return err(253, "usage:\tzonecfg -z <zone> (interactive)\n\tzonecfg -z <zone> <subcommand>\n\tzonecfg -z <zone> -f <command-file>");
    }
    String name = a.get(2);
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}") || name.equals("global")) {
      return err(253, name + ": Invalid zone name");
    }
    List<String> rest = a.subList(3, a.size());
    SimState.Zone zone = state.zones.get(name);
    if (rest.equals(List.of("-f", "-"))) {
      return commandFile(name, zone, stdin);
    }
    if (zone == null) {
      return err(1, name + ": No such zone configured");
    }
    if (rest.equals(List.of("info"))) {
      return ok(info(zone));
    }
    if (rest.equals(List.of("delete", "-F"))) {
      if (!zone.state.equals(ZoneStates.CONFIGURED)) {
        return err(1, "Zone " + name + " not in configured state; delete not allowed.");
      }
      state.zones.remove(name);
      return ok("");
    }
    return err(1, "simulator: zonecfg " + rest + " is not simulated");
  }

  private CommandResult commandFile(String name, SimState.Zone existing, String script) {
    List<String> problems = ZonecfgSyntax.problems(script);
    if (!problems.isEmpty()) {
      return err(1, "On " + String.join("\nOn ", problems));
    }
    if (existing != null) {
      return err(1, existing.state.equals(ZoneStates.CONFIGURED)
          ? "Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting."
          : "Zone " + name + " already installed; create not allowed.");
    }
    SimState.Zone zone = new SimState.Zone(name);
    Map<String, String> props = null;
    String resource = null;
    for (ZonecfgSyntax.Command c : ZonecfgSyntax.parse(script)) {
      List<String> args = c.args();
      switch (c.verb()) {
        case "add" -> {
          resource = args.get(0);
          props = new LinkedHashMap<>();
        }
        case "set" -> {
          if (resource != null) {
            props.put(args.get(0), args.get(2));
          } else {
            switch (args.get(0)) {
              case "zonepath" -> zone.zonepath = args.get(2);
              case "brand" -> zone.brand = args.get(2);
              case "autoboot" -> zone.autoboot = args.get(2);
              case "ip-type" -> zone.ipType = args.get(2);
              default -> { }
            }
          }
        }
        case "end" -> {
          switch (resource) {
            case "net" -> zone.nets.add(props);
            case "attr" -> zone.attrs.put(props.get("name"), props.get("value"));
            case "capped-cpu" -> zone.cappedCpus = props.get("ncpus");
            case "capped-memory" -> zone.cappedMemoryBytes = bytes(props.get("physical"));
            default -> { }
          }
          resource = null;
        }
        default -> { }
      }
    }
    state.zones.put(name, zone);
    return ok("");
  }

  /** zonecfg info as zonecfg.c prints it (info_* and output_* functions). */
  static String info(SimState.Zone z) {
    StringBuilder s = new StringBuilder();
    s.append("zonename: ").append(z.name).append('\n');
    s.append("zonepath: ").append(z.zonepath).append('\n');
    s.append("brand: ").append(z.brand).append('\n');
    s.append("autoboot: ").append(z.autoboot).append('\n');
    s.append("bootargs: \npool: \nlimitpriv: \nscheduling-class: \n");
    s.append("ip-type: ").append(z.ipType).append('\n');
    s.append("hostid: \nfs-allowed: \n");
    for (Map<String, String> net : z.nets) {
      s.append("net:\n");
      prop(s, "address", net.get("address"));
      prop(s, "allowed-address", net.get("allowed-address"));
      prop(s, "physical", net.get("physical"));
      prop(s, "defrouter", net.get("defrouter"));
    }
    if (z.cappedCpus != null) {
      s.append("capped-cpu:\n\t[ncpus: ").append(String.format("%.2f", Double.parseDouble(z.cappedCpus))).append("]\n");
    }
    if (z.cappedMemoryBytes != null) {
      s.append("capped-memory:\n");
      prop(s, "physical", units(z.cappedMemoryBytes));
    }
    for (Map.Entry<String, String> attr : z.attrs.entrySet()) {
      s.append("attr:\n");
      prop(s, "name", attr.getKey());
      prop(s, "type", "string");
      prop(s, "value", attr.getValue());
    }
    if (z.cappedCpus != null) {
      long cap = Math.round(Double.parseDouble(z.cappedCpus) * 100);
      s.append("rctl:\n\tname: zone.cpu-cap\n\tvalue: (priv=privileged,limit=").append(cap).append(",action=deny)\n");
    }
    return s.toString();
  }

  /** output_prop(): quoteit() wraps values holding a space; unset properties print "not specified". */
  private static void prop(StringBuilder s, String name, String value) {
    if (value == null || value.isEmpty()) {
      s.append('\t').append(name).append(" not specified\n");
    } else {
      s.append('\t').append(name).append(": ").append(value.contains(" ") ? "\"" + value + "\"" : value).append('\n');
    }
  }

  static long bytes(String size) {
    char unit = Character.toUpperCase(size.charAt(size.length() - 1));
    double n = Double.parseDouble(Character.isDigit(unit) ? size : size.substring(0, size.length() - 1));
    int shift = switch (unit) {
      case 'K' -> 10;
      case 'M' -> 20;
      case 'G' -> 30;
      case 'T' -> 40;
      default -> 0;
    };
    return (long) (n * (1L << shift));
  }

  /** zonecfg.c bytes_to_units(). */
  static String units(long bytes) {
    if (bytes < 1024) {
      return Long.toString(bytes);
    }
    String unitChars = "BKMGT";
    int up = 0;
    long num = bytes;
    long save = 0;
    while (num >= 1024 && up < 4) {
      up++;
      save = num;
      num = (num + 512) >> 10;
    }
    if (save % 1024 != 0 && (save >> 10) < 10) {
      return String.format("%2.1f%c", save / 1024.0, unitChars.charAt(up));
    }
    return num + String.valueOf(unitChars.charAt(up));
  }
}
