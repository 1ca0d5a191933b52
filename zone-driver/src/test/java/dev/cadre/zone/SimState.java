package dev.cadre.zone;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/** The simulated global zone's state: zones, datasets, links and files. Guarded by the simulator's lock. */
final class SimState {
  /** One zone: its configuration (what zonecfg holds) and its state (what zoneadm tracks). */
  static final class Zone {
    final String name;
    final String uuid = UUID.randomUUID().toString();
    String state = ZoneStates.CONFIGURED;
    int id = -1;
    String zonepath;
    String brand = "sparse";
    String autoboot = "false";
    String ipType = "shared";
    final List<Map<String, String>> nets = new ArrayList<>();
    String cappedCpus;
    Long cappedMemoryBytes;
    final Map<String, String> attrs = new LinkedHashMap<>();
    /** When a graceful shutdown was asked for, in nanoTime; 0 when none is under way. */
    long shutdownAt;
    boolean ignoresShutdown;

    Zone(String name) {
      this.name = name;
    }
  }

  record File(byte[] content, int mode, String owner) {}

  /** What a dataset holds at one point: files and directories, keyed relative to its mountpoint. */
  record Content(TreeMap<String, File> files, TreeSet<String> dirs) {
    static Content empty() {
      return new Content(new TreeMap<>(), new TreeSet<>());
    }

    Content copy() {
      return new Content(new TreeMap<>(files), new TreeSet<>(dirs));
    }
  }

  static final class Dataset {
    final String name;
    final String mountpoint;
    Content live = Content.empty();
    final LinkedHashMap<String, Content> snapshots = new LinkedHashMap<>();
    /** Written since the newest snapshot: an incremental receive then needs -F. */
    boolean modified;
    String quota = "none";

    Dataset(String name, String mountpoint) {
      this.name = name;
      this.mountpoint = mountpoint;
    }

    long used() {
      return live.files().values().stream().mapToLong(f -> f.content().length).sum() + 1_000_000;
    }
  }

  final Map<String, String> links = new LinkedHashMap<>();
  /** Brands installed on this host (/usr/lib/brand). */
  final java.util.Set<String> brands = new java.util.TreeSet<>(
      List.of("sparse", "ipkg", "lipkg", "lx", "joyent", "joyent-minimal"));
  /** VNIC to the link it was created over. */
  final Map<String, String> vnics = new LinkedHashMap<>();
  final Map<String, Zone> zones = new LinkedHashMap<>();
  final Map<String, Dataset> datasets = new TreeMap<>();
  final Map<String, byte[]> hostFiles = new TreeMap<>();
  int nextZoneId = 1;

  Dataset datasetAt(String mountpoint) {
    return datasets.values().stream().filter(d -> d.mountpoint.equals(mountpoint)).findFirst().orElse(null);
  }

  /** Lazily moves zones through shutting_down and down to installed after a graceful shutdown. */
  void tick() {
    long now = System.nanoTime();
    for (Zone z : zones.values()) {
      if (z.shutdownAt == 0) {
        continue;
      }
      long elapsedMs = (now - z.shutdownAt) / 1_000_000;
      if (elapsedMs >= 60) {
        z.state = ZoneStates.INSTALLED;
        z.id = -1;
        z.shutdownAt = 0;
      } else if (elapsedMs >= 30) {
        z.state = ZoneStates.DOWN;
      }
    }
  }
}
