package dev.cadre.zone;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshots are recursive ZFS snapshots of the zone's dataset ({@code zonesDataset/NAME}, under which
 * brands such as ipkg keep child datasets like ROOT/zbe): {@code zfs snapshot -r}, listed with
 * {@code zfs list -H -t snapshot -o name -r} and destroyed with {@code zfs destroy -r}. Snapshots named
 * {@code cadre-copy-N} are the bases of copies and refreshes: hidden from the list and reserved.
 */
final class ZoneSnapshots {
  static final String COPY_PREFIX = "cadre-copy-";

  private final Commands cmd;
  private final ZoneHostConfig config;
  private final ZoneReader reader;

  ZoneSnapshots(Commands cmd, ZoneHostConfig config, ZoneReader reader) {
    this.cmd = cmd;
    this.config = config;
    this.reader = reader;
  }

  void create(String zone, String snapshot) {
    ZoneNames.requireSnapshotName(snapshot);
    if (snapshot.startsWith(COPY_PREFIX)) {
      throw new InvalidInputException(cmd.host(), "snapshot names starting with '" + COPY_PREFIX + "' are reserved for copies");
    }
    if (all(zone).contains(snapshot)) {
      throw new ConflictException(cmd.host(), "snapshot '" + zone + "/" + snapshot + "' already exists");
    }
    cmd.check("zfs", "snapshot", "-r", config.dataset(zone) + "@" + snapshot);
  }

  List<String> list(String zone) {
    return all(zone).stream().filter(s -> !s.startsWith(COPY_PREFIX)).toList();
  }

  void delete(String zone, String snapshot) {
    ZoneNames.requireSnapshotName(snapshot);
    if (!all(zone).contains(snapshot)) {
      throw new NotFoundException(cmd.host(), "snapshot '" + zone + "/" + snapshot + "' not found");
    }
    destroy(zone, snapshot);
  }

  void destroy(String zone, String snapshot) {
    cmd.check("zfs", "destroy", "-r", config.dataset(zone) + "@" + snapshot);
  }

  /** Every snapshot of the zone's own dataset, copy bases included, oldest first. */
  List<String> all(String zone) {
    reader.require(zone);
    String dataset = config.dataset(zone);
    List<String> names = new ArrayList<>();
    for (String line : cmd.check("zfs", "list", "-H", "-t", "snapshot", "-o", "name", "-r", dataset).split("\n")) {
      // -r also lists the snapshots of child datasets (ROOT@s, ROOT/zbe@s): keep the zone dataset's own
      if (line.startsWith(dataset + "@")) {
        names.add(line.substring(dataset.length() + 1).strip());
      }
    }
    return names;
  }

  /** The highest N among {@code cadre-copy-N}, or 0. */
  static int newestCopy(List<String> snapshots) {
    int newest = 0;
    for (String s : snapshots) {
      if (s.startsWith(COPY_PREFIX) && s.substring(COPY_PREFIX.length()).matches("[0-9]{1,9}")) {
        newest = Math.max(newest, Integer.parseInt(s.substring(COPY_PREFIX.length())));
      }
    }
    return newest;
  }
}
