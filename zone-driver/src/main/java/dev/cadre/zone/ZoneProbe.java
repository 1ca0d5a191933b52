package dev.cadre.zone;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.HostInfo;
import dev.cadre.driver.NetworkInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a zone host is and holds, from the global zone's own tools: uname (identity), psrinfo (one line
 * per virtual processor), prtconf ("Memory size: N Megabytes"), kstat freemem times pagesize (memory
 * in use), zfs (space of the zones dataset), dladm (links zones can join).
 */
final class ZoneProbe {
  private static final Pattern MEMORY = Pattern.compile("(?m)^Memory size:\\s*(\\d+)\\s*(Megabytes|Gigabytes|Kilobytes)");
  /** Link classes a VNIC can be created over; VNICs themselves belong to zones. */
  private static final List<String> JOINABLE = List.of("phys", "aggr", "etherstub", "simnet", "overlay");

  private final Commands cmd;
  private final ZoneHostConfig config;
  private final ZoneReader reader;

  ZoneProbe(Commands cmd, ZoneHostConfig config, ZoneReader reader) {
    this.cmd = cmd;
    this.config = config;
    this.reader = reader;
  }

  HostInfo probe() {
    try {
      return read();
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new HostFailureException(cmd.host(), "unexpected output while probing: " + e.getMessage(), e);
    }
  }

  private HostInfo read() {
    String[] uname = cmd.check("uname", "-n", "-r", "-v", "-p").strip().split("\\s+");
    if (uname.length < 4) {
      throw new HostFailureException(cmd.host(), "unexpected output from uname: " + String.join(" ", uname));
    }
    int cpus = (int) cmd.check("psrinfo").lines().filter(l -> !l.isBlank()).count();
    long memory = memoryBytes(cmd.check("prtconf"));
    long free = kstatValue(cmd.check("kstat", "-p", "unix:0:system_pages:freemem")) * Long.parseLong(cmd.check("pagesize").strip());
    String[] space = cmd.check("zfs", "list", "-Hp", "-o", "used,avail", config.zonesDataset()).strip().split("\t");
    long used = Long.parseLong(space[0].strip());
    long avail = space.length > 1 ? Long.parseLong(space[1].strip()) : 0;
    List<NetworkInfo> networks = new ArrayList<>();
    for (Map.Entry<String, String> link : reader.links().entrySet()) {
      if (JOINABLE.contains(link.getValue())) {
        String cidr = config.gatewayCidr(link.getKey());
        networks.add(new NetworkInfo(link.getKey(), link.getValue(), cidr != null, cidr));
      }
    }
    return new HostInfo(uname[0], "zone", uname[2], uname[3], cpus, memory, Math.max(0, memory - free),
        used + avail, used, reader.entries().size(), networks);
  }

  static long memoryBytes(String prtconf) {
    Matcher m = MEMORY.matcher(prtconf);
    if (!m.find()) {
      return 0;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "Gigabytes" -> n << 30;
      case "Kilobytes" -> n << 10;
      default -> n << 20;
    };
  }

  /** {@code kstat -p} prints "module:instance:name:statistic" TAB value. */
  static long kstatValue(String kstat) {
    String line = kstat.strip();
    int tab = line.lastIndexOf('\t');
    return Long.parseLong((tab < 0 ? line : line.substring(tab + 1)).strip());
  }
}
