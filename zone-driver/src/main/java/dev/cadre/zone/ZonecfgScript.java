package dev.cadre.zone;

import java.util.Map;

/**
 * The zonecfg command file that creates a zone, in the syntax of zonecfg(1M): one subcommand per
 * line, resources opened with {@code add} and closed with {@code end}, a final {@code commit}.
 *
 * <p>The script is fed on stdin ({@code zonecfg -z NAME -f -}) rather than pushed to a temporary file:
 * no file to create and remove on the host, and zonecfg.c reads "-" as its command file. With "-"
 * zonecfg keeps reading after a failing line (it treats it like interactive input), and with a real
 * file it stops at the first; either way it may commit what came before the error and exits non-zero,
 * so the driver treats any failure as "roll back with {@code zonecfg delete -F}".
 */
final class ZonecfgScript {
  private ZonecfgScript() {}

  static String create(ZoneDefinition zone) {
    StringBuilder s = new StringBuilder();
    // -b: a blank configuration, so no template of the host adds resources cadre does not know
    line(s, "create -b");
    line(s, "set zonepath=" + zone.zonepath());
    line(s, "set brand=" + zone.brand());
    // cadre decides when a zone runs; a host reboot must not start zones behind the control plane
    line(s, "set autoboot=false");
    line(s, "set ip-type=exclusive");
    if (zone.vnic() != null) {
      line(s, "add net");
      line(s, "set physical=" + zone.vnic());
      if (zone.allowedAddress() != null) {
        // allowed-address both pins the address (link protection) and makes zoneadmd configure it at boot
        line(s, "set allowed-address=" + zone.allowedAddress());
      }
      if (zone.defrouter() != null) {
        line(s, "set defrouter=" + zone.defrouter());
      }
      line(s, "end");
    }
    if (zone.cpus() > 0) {
      line(s, "add capped-cpu");
      line(s, "set ncpus=" + zone.cpus());
      line(s, "end");
    }
    if (zone.memoryMiB() > 0) {
      line(s, "add capped-memory");
      line(s, "set physical=" + zone.memoryMiB() + "M");
      line(s, "end");
    }
    for (Map.Entry<String, String> e : zone.metadata().entrySet()) {
      line(s, "add attr");
      line(s, "set name=" + ZoneAttrs.PREFIX + e.getKey());
      line(s, "set type=string");
      line(s, "set value=\"" + ZoneAttrs.store(e.getKey(), e.getValue()) + "\"");
      line(s, "end");
    }
    line(s, "commit");
    return s.toString();
  }

  private static void line(StringBuilder s, String line) {
    s.append(line).append('\n');
  }
}
