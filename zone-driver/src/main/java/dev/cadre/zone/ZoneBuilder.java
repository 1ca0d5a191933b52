package dev.cadre.zone;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.NicSpec;
import dev.cadre.driver.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The steps that make and unmake a zone, each registering its own undo: VNIC ({@code dladm
 * create-vnic -l LINK VNIC}), configuration ({@code zonecfg -z NAME -f -}), installation
 * ({@code zoneadm -z NAME install ...}). {@link #remove} takes a zone apart in the reverse order and
 * is what a delete and a failed create both end in.
 */
final class ZoneBuilder {
  private final Commands cmd;
  private final ZoneHostConfig config;
  private final ZoneReader reader;

  ZoneBuilder(Commands cmd, ZoneHostConfig config, ZoneReader reader) {
    this.cmd = cmd;
    this.config = config;
    this.reader = reader;
  }

  /** Checks a zone's parts against this host's configuration; nothing runs on the host. */
  ZoneDefinition define(String name, String brand, NicSpec nic, int cpus, long memoryMiB, Map<String, String> metadata) {
    String vnic = null;
    String allowed = null;
    String router = null;
    if (nic != null) {
      ZoneNames.requireLinkName(nic.network());
      String cidr = config.gatewayCidr(nic.network());
      if (cidr == null) {
        throw new NotFoundException(cmd.host(), "network '" + nic.network() + "' is not one of this zone host's networks "
            + config.networks().keySet());
      }
      vnic = ZoneNames.vnicFor(name);
      if (nic.ipv4() != null) {
        allowed = nic.ipv4() + "/" + ZoneHostConfig.prefixOf(cidr);
        router = ZoneHostConfig.gatewayOf(cidr);
      }
    }
    return new ZoneDefinition(name, config.zonepath(name), brand, vnic, allowed, router, cpus, memoryMiB, metadata);
  }

  /** VNIC over {@code link} (when the zone has one) and the committed configuration. */
  void configure(ZoneDefinition zone, String link, String script, Undo undo) {
    if (zone.vnic() != null) {
      String linkClass = reader.links().get(link);
      if (linkClass == null || linkClass.equals("vnic")) {
        throw new NotFoundException(cmd.host(), "network link '" + link + "' not found on the host");
      }
      if (reader.vnics().containsKey(zone.vnic())) {
        // the name is derived from this zone's name and the zone does not exist: a crashed create left it
        cmd.check("dladm", "delete-vnic", zone.vnic());
      }
      cmd.check("dladm", "create-vnic", "-l", link, zone.vnic());
      undo.push(() -> cmd.check("dladm", "delete-vnic", zone.vnic()));
    }
    try {
      cmd.checkWithInput(script, "zonecfg", "-z", zone.name(), "-f", "-");
    } catch (ConflictException taken) {
      throw taken; // someone else configured the name since we looked: theirs, not ours to delete
    } catch (DriverException e) {
      // zonecfg may have committed the lines before the failing one
      undo.push(() -> deleteConfigIfPresent(zone.name()));
      throw e;
    }
    undo.push(() -> deleteConfigIfPresent(zone.name()));
  }

  void install(String name, List<String> installArgs, Undo undo) {
    // registered first: a failed install leaves the zone "incomplete", which only uninstall -F clears
    undo.push(() -> uninstallIfInstalled(name));
    List<String> argv = new ArrayList<>(List.of("zoneadm", "-z", name, "install"));
    argv.addAll(installArgs);
    cmd.check(argv, null, config.installTimeout());
  }

  /** Takes apart a halted zone: snapshots, installation, configuration, cadre's VNIC, leftover dataset. */
  void remove(String name, String zonepath, ZoneConfig zoneConfig) {
    String dataset = config.dataset(name);
    boolean ownDataset = config.zonepath(name).equals(zonepath);
    if (ownDataset && datasetExists(dataset)) {
      // some brands' uninstall refuses a dataset with snapshots; the copy bases count too
      for (String line : cmd.check("zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", dataset).split("\n")) {
        if (line.startsWith(dataset + "@")) {
          cmd.check("zfs", "destroy", "-r", line.strip());
        }
      }
    }
    uninstallIfInstalled(name);
    deleteConfigIfPresent(name);
    Map<String, String> vnics = reader.vnics();
    for (ZoneNet net : zoneConfig.nets()) {
      if (ZoneNames.isCadreVnic(net.physical()) && vnics.containsKey(net.physical())) {
        cmd.check("dladm", "delete-vnic", net.physical());
      }
    }
    // only the dataset at cadre's own zonepath layout: a zone configured by hand elsewhere keeps its data
    if (ownDataset && datasetExists(dataset)) {
      cmd.check("zfs", "destroy", "-r", dataset);
    }
  }

  void uninstallIfInstalled(String name) {
    var entry = reader.entry(name);
    if (entry.isPresent() && !ZoneStates.CONFIGURED.equals(entry.get().state())) {
      cmd.check(List.of("zoneadm", "-z", name, "uninstall", "-F"), null, config.installTimeout());
    }
  }

  void deleteConfigIfPresent(String name) {
    if (reader.entry(name).isPresent()) {
      cmd.check("zonecfg", "-z", name, "delete", "-F");
    }
  }

  boolean datasetExists(String dataset) {
    return cmd.raw(List.of("zfs", "list", "-H", "-o", "name", dataset), null, config.commandTimeout()).ok();
  }
}
