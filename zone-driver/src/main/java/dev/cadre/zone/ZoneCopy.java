package dev.cadre.zone;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.NicSpec;
import dev.cadre.driver.NotFoundException;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a halted zone to another zone host the way illumos moves zones: detach, ZFS send/receive of
 * the zone's dataset, attach.
 *
 * <ol>
 *   <li>dry run first, before any data moves: the source's {@code zoneadm detach -n} prints the
 *       zone's manifest, the target checks it with {@code zoneadm attach -n -} (zoneadm(1M): the
 *       manifest path may be "-" for stdin; zoneadm.c dryrun_get_brand reads the brand from it). A new
 *       copy is configured on the target (VNIC, zonecfg) before that check, since zoneadm needs the
 *       -z zone to exist;
 *   <li>source: {@code zoneadm detach} (no one can boot it while the snapshot is cut, and the
 *       SUNWdetached.xml manifest lands in the data), {@code zfs snapshot -r DATASET@cadre-copy-N},
 *       {@code zoneadm attach}: the source is back to "installed" at once;
 *   <li>source: {@code zfs send -R DATASET@cadre-copy-N} (all snapshots travel), or for a refresh
 *       {@code zfs send -R -I @cadre-copy-M DATASET@cadre-copy-N} from the newest base both hosts have;
 *   <li>target, new copy: {@code zfs recv DATASET}, {@code zoneadm attach}; any failure removes
 *       dataset, configuration and VNIC again;
 *   <li>target, refresh: {@code zoneadm detach}, {@code zfs recv -F DATASET} (rolls back to the base
 *       first: the detach itself wrote the manifest), {@code zoneadm attach}. A failed receive changes
 *       nothing (ZFS receives atomically) and the zone is attached again as it was.
 * </ol>
 *
 * <p>The stream runs from the source's {@code zfs send} to the target's {@code zfs recv} through an
 * OS pipe on cadre's machine ({@link StreamTransfer}), so it is never held in memory; it does cross
 * cadre's machine, not a direct link between the hosts. A refresh keeps the NIC the copy was made with.
 * The dry run relies on the brand's detach hook printing the manifest for {@code -n}; a brand that
 * does not makes every copy fail before anything moved.
 */
final class ZoneCopy {
  private final ZoneHostDriver from;
  private final ZoneHostDriver to;

  ZoneCopy(ZoneHostDriver from, ZoneHostDriver to) {
    this.from = from;
    this.to = to;
  }

  void copy(CopyRequest request) {
    // every check that can refuse comes before the first change on either host
    String source = request.source();
    String target = request.target();
    ZoneEntry entry = from.reader().require(source);
    if (!ZoneStates.INSTALLED.equals(entry.state())) {
      throw new ConflictException(from.hostName(), "stop '" + source + "' before copying it (it is " + entry.state() + ")");
    }
    ZoneConfig sourceConfig = from.reader().config(source);
    var existing = to.reader().entry(target);
    if (request.refresh() && existing.isEmpty()) {
      throw new NotFoundException(to.hostName(), "refresh needs an existing copy '" + target + "'");
    }
    if (!request.refresh() && existing.isPresent()) {
      throw new ConflictException(to.hostName(), "zone '" + target + "' already exists");
    }
    List<String> sourceSnapshots = from.snapshots().all(source);
    List<String> targetSnapshots = request.refresh() ? to.snapshots().all(target) : List.of();
    String base = request.refresh() ? commonBase(sourceSnapshots, targetSnapshots, target) : null;
    if (request.refresh() && !ZoneStates.INSTALLED.equals(existing.get().state())) {
      throw new ConflictException(to.hostName(), "stop the copy '" + target + "' before refreshing it");
    }
    String next = ZoneSnapshots.COPY_PREFIX
        + (Math.max(ZoneSnapshots.newestCopy(sourceSnapshots), ZoneSnapshots.newestCopy(targetSnapshots)) + 1);
    NicSpec nic = request.refresh() ? null : nicOfCopy(request, sourceConfig);
    ZoneDefinition definition = request.refresh() ? null : definition(request.target(), nic, sourceConfig);

    byte[] manifest = from.commands().check(List.of("zoneadm", "-z", source, "detach", "-n"), null,
        from.config().commandTimeout()).stdout();
    if (request.refresh()) {
      dryRunAttach(target, manifest);
      snapshotDetached(source, next);
      receiveRefresh(target, send(source, base, next));
      dropOlderBases(from, source, next);
      dropOlderBases(to, target, next);
      return;
    }
    Undo undo = new Undo();
    try {
      to.builder().configure(definition, nic == null ? null : nic.network(), ZonecfgScript.create(definition), undo);
      dryRunAttach(target, manifest);
      snapshotDetached(source, next);
      receiveNew(target, send(source, base, next), undo);
    } catch (DriverException e) {
      undo.runAll(e);
      throw e;
    }
    dropOlderBases(from, source, next);
    dropOlderBases(to, target, next);
  }

  private String commonBase(List<String> sourceSnapshots, List<String> targetSnapshots, String target) {
    List<String> common = new ArrayList<>(sourceSnapshots);
    common.retainAll(targetSnapshots);
    int newest = ZoneSnapshots.newestCopy(common);
    if (newest == 0) {
      throw new ConflictException(to.hostName(), "'" + target + "' shares no copy snapshot with the source; copy it anew");
    }
    return ZoneSnapshots.COPY_PREFIX + newest;
  }

  /** The request's NIC, or else the source's network and address (which then must exist on the target). */
  private NicSpec nicOfCopy(CopyRequest request, ZoneConfig sourceConfig) {
    if (request.nic() != null || sourceConfig.primaryNet() == null) {
      return request.nic();
    }
    ZoneNet net = sourceConfig.primaryNet();
    return new NicSpec(from.reader().vnics().getOrDefault(net.physical(), net.physical()), net.ipv4());
  }

  /** The copy on the target: its NIC, and the source's brand, limits and metadata. */
  private ZoneDefinition definition(String target, NicSpec nic, ZoneConfig sourceConfig) {
    ZoneDefinition zone = to.builder().define(target, sourceConfig.brand(), nic,
        ZoneSizes.toCpus(sourceConfig.cappedCpus()), ZoneSizes.toMiB(sourceConfig.cappedMemory()),
        ZoneAttrs.metadata(sourceConfig.attrs()));
    ZonecfgScript.create(zone); // refuse unstorable parts before the source is touched
    return zone;
  }

  private void snapshotDetached(String source, String snapshot) {
    Commands cmd = from.commands();
    cmd.check("zoneadm", "-z", source, "detach");
    alwaysThen(() -> cmd.check("zfs", "snapshot", "-r", from.config().dataset(source) + "@" + snapshot),
        () -> cmd.check(List.of("zoneadm", "-z", source, "attach"), null, from.config().installTimeout()));
  }

  /** The {@code zfs send} command line: everything up to {@code snapshot}, or since {@code base}. */
  private List<String> send(String source, String base, String snapshot) {
    List<String> argv = new ArrayList<>(List.of("zfs", "send", "-R"));
    if (base != null) {
      argv.addAll(List.of("-I", "@" + base));
    }
    argv.add(from.config().dataset(source) + "@" + snapshot);
    return argv;
  }

  private void transfer(List<String> send, List<String> receive) {
    StreamTransfer.run(from.commands(), send, to.commands(), receive, to.config().installTimeout());
  }

  private void receiveNew(String target, List<String> send, Undo undo) {
    Commands cmd = to.commands();
    String dataset = to.config().dataset(target);
    // registered first: a receive cut off half way may leave a partial dataset
    undo.push(() -> {
      if (to.builder().datasetExists(dataset)) {
        cmd.check("zfs", "destroy", "-r", dataset);
      }
    });
    transfer(send, List.of("zfs", "recv", dataset));
    undo.push(() -> to.builder().uninstallIfInstalled(target)); // an attach can fail after the state changed
    attach(target);
  }

  private void receiveRefresh(String target, List<String> send) {
    to.commands().check("zoneadm", "-z", target, "detach");
    alwaysThen(() -> transfer(send, List.of("zfs", "recv", "-F", to.config().dataset(target))), () -> attach(target));
  }

  /** Runs {@code work}, then {@code after} whatever happened; the first failure is thrown, a second rides along. */
  private static void alwaysThen(Undo.Step work, Undo.Step after) {
    DriverException failure = null;
    try {
      work.run();
    } catch (DriverException e) {
      failure = e;
    }
    try {
      after.run();
    } catch (DriverException e) {
      if (failure == null) {
        throw e;
      }
      failure.addSuppressed(e);
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Checks on the target, without changing anything, that a zone with this manifest can attach there. */
  private void dryRunAttach(String target, byte[] manifest) {
    to.commands().check(List.of("zoneadm", "-z", target, "attach", "-n", "-"), manifest, to.config().installTimeout());
  }

  private void attach(String zone) {
    to.commands().check(List.of("zoneadm", "-z", zone, "attach"), null, to.config().installTimeout());
  }

  /**
   * Once {@code newest} exists on both sides, older bases (including one a failed attempt left on the
   * source) serve no refresh any more. Best effort: a leftover only costs space until the next copy.
   */
  private static void dropOlderBases(ZoneHostDriver host, String zone, String newest) {
    try {
      int keep = ZoneSnapshots.newestCopy(List.of(newest));
      for (String snapshot : host.snapshots().all(zone)) {
        int n = ZoneSnapshots.newestCopy(List.of(snapshot));
        if (n > 0 && n < keep) {
          host.snapshots().destroy(zone, snapshot);
        }
      }
    } catch (DriverException ignored) {
      // the next copy picks the newest common base anyway
    }
  }
}
