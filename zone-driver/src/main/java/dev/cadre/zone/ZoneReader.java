package dev.cadre.zone;

import dev.cadre.driver.HostFailureException;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceState;
import dev.cadre.driver.NotFoundException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads zones, links and addresses from the host and maps them to contract values. */
final class ZoneReader {
  private static final Duration ADDRESS_TIMEOUT = Duration.ofSeconds(30);

  private final Commands cmd;

  ZoneReader(Commands cmd) {
    this.cmd = cmd;
  }

  List<ZoneEntry> entries() {
    String out = cmd.check("zoneadm", "list", "-cp");
    try {
      return ZoneList.parse(out).stream().filter(z -> !z.global()).toList();
    } catch (IllegalArgumentException e) {
      throw new HostFailureException(cmd.host(), "unexpected output from 'zoneadm list -cp': " + e.getMessage(), e);
    }
  }

  Optional<ZoneEntry> entry(String name) {
    return entries().stream().filter(z -> z.name().equals(name)).findFirst();
  }

  ZoneEntry require(String name) {
    return entry(name).orElseThrow(() -> new NotFoundException(cmd.host(), "zone '" + name + "' not found"));
  }

  ZoneConfig config(String name) {
    return ZonecfgInfo.parse(cmd.check("zonecfg", "-z", name, "info"));
  }

  /** VNIC name to the link it was created over. */
  Map<String, String> vnics() {
    return pairs(cmd.check("dladm", "show-vnic", "-p", "-o", "LINK,OVER"));
  }

  /** Link name to its class (phys, aggr, etherstub, vnic, simnet...). */
  Map<String, String> links() {
    return pairs(cmd.check("dladm", "show-link", "-p", "-o", "LINK,CLASS"));
  }

  private static Map<String, String> pairs(String parsable) {
    Map<String, String> map = new LinkedHashMap<>();
    for (List<String> row : Parsable.parse(parsable)) {
      if (row.size() >= 2) {
        map.put(row.get(0), row.get(1));
      }
    }
    return map;
  }

  /**
   * The IPv4 address the zone holds on {@code vnic}, asked of ipadm inside the zone (an exclusive-IP
   * zone's addresses are invisible from the global zone). Null when the zone has none yet or cannot
   * answer: a zone still booting is not an error.
   */
  String ipv4(String zone, String vnic) {
    CommandResult r = cmd.raw(ZoneLogin.zlogin(zone, List.of("ipadm", "show-addr", "-p", "-o", "addrobj,addr")), null,
        ADDRESS_TIMEOUT);
    if (!r.ok()) {
      return null;
    }
    for (List<String> row : Parsable.parse(r.stdoutText())) {
      if (row.size() >= 2 && row.get(0).startsWith(vnic + "/") && row.get(1).matches("[0-9.]+/[0-9]+")) {
        return row.get(1).substring(0, row.get(1).indexOf('/'));
      }
    }
    return null;
  }

  Instance instance(ZoneEntry entry, ZoneConfig config, Map<String, String> vnics) {
    InstanceState state = ZoneStates.toState(entry.state());
    ZoneNet net = config.primaryNet();
    String configured = net == null ? null : net.ipv4();
    String network = net == null ? null : vnics.getOrDefault(net.physical(), net.physical());
    String actual = state == InstanceState.RUNNING && net != null && net.physical() != null
        ? ipv4(entry.name(), net.physical()) : null;
    return new Instance(entry.name(), state, entry.state(), actual, configured, network, ZoneAttrs.metadata(config.attrs()));
  }
}
