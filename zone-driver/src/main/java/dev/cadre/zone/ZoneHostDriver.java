package dev.cadre.zone;

import dev.cadre.driver.ConflictException;
import dev.cadre.driver.CopyRequest;
import dev.cadre.driver.DriverException;
import dev.cadre.driver.ExecRequest;
import dev.cadre.driver.ExecResult;
import dev.cadre.driver.FileSpec;
import dev.cadre.driver.HostDriver;
import dev.cadre.driver.HostInfo;
import dev.cadre.driver.ImageSource;
import dev.cadre.driver.Instance;
import dev.cadre.driver.InstanceSpec;
import dev.cadre.driver.InvalidInputException;
import dev.cadre.driver.NotFoundException;
import dev.cadre.driver.UnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link HostDriver} for illumos zones: exclusive-IP zones on a VNIC each, driven through zonecfg,
 * zoneadm, zlogin, dladm and zfs on a {@link CommandRunner} (this machine, or a global zone over ssh).
 * Every name is checked before any command runs; every failed command becomes a typed exception in
 * {@link ZoneErrors}.
 */
public final class ZoneHostDriver implements HostDriver {
  private final Commands cmd;
  private final ZoneHostConfig config;
  private final ZoneReader reader;
  private final ZoneLogin login;
  private final ZoneSnapshots snapshots;
  private final ZoneImages images;
  private final ZoneBuilder builder;

  public ZoneHostDriver(CommandRunner runner, ZoneHostConfig config) {
    this.cmd = new Commands(runner, config.commandTimeout());
    this.config = config;
    this.reader = new ZoneReader(cmd);
    this.login = new ZoneLogin(cmd, config.commandTimeout());
    this.snapshots = new ZoneSnapshots(cmd, config, reader);
    this.images = new ZoneImages(cmd, config);
    this.builder = new ZoneBuilder(cmd, config, reader);
  }

  @Override
  public String kind() {
    return "zone";
  }

  @Override
  public String hostName() {
    return cmd.host();
  }

  @Override
  public HostInfo probe() {
    return new ZoneProbe(cmd, config, reader).probe();
  }

  @Override
  public boolean hasImage(String alias) {
    return images.resolve(alias).isPresent();
  }

  @Override
  public void ensureImage(ImageSource image) {
    images.ensure(image);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  @Override
  public Instance create(InstanceSpec spec) {
    ZoneNames.requireZoneName(spec.name());
    // metadata a zone attr cannot hold is refused before the image lookup, the first command
    spec.metadata().forEach((key, value) -> ZoneAttrs.store(key, value));
    ZoneImage image = images.require(spec.image());
    ZoneDefinition zone = builder.define(spec.name(), image.brand(), spec.nic(), spec.cpus(), spec.memoryMiB(), spec.metadata());
    String script = ZonecfgScript.create(zone); // refuses unstorable metadata before anything runs
    if (reader.entry(spec.name()).isPresent()) {
      throw new ConflictException(hostName(), "zone '" + spec.name() + "' already exists");
    }
    String link = spec.nic() == null ? null : spec.nic().network();
    Undo undo = new Undo();
    try {
      builder.configure(zone, link, script, undo);
      builder.install(zone.name(), image.installArgs(), undo);
      if (spec.rootDiskMiB() > 0) {
        cmd.check("zfs", "set", "quota=" + spec.rootDiskMiB() + "M", config.dataset(zone.name()));
      }
    } catch (DriverException e) {
      undo.runAll(e);
      throw e;
    }
    return get(spec.name());
  }

  /** Booting a running zone succeeds in zoneadm ("zone is already booted"); cadre reports it as the other drivers do. */
  @Override
  public void start(String name) {
    ZoneEntry zone = reader.require(ZoneNames.requireZoneName(name));
    if (ZoneStates.RUNNING.equals(zone.state())) {
      throw new ConflictException(hostName(), "zone '" + name + "' is already running");
    }
    cmd.check(List.of("zoneadm", "-z", name, "boot"), null, config.installTimeout());
  }

  /**
   * Asks for a graceful shutdown ({@code zoneadm shutdown}: zoneadmd runs the brand's own shutdown
   * command inside the zone, init 0 for native brands, the Linux init for lx), waits for the zone to
   * reach "installed", and halts it ({@code zoneadm halt}) when {@code timeout} passes first. A host
   * whose zoneadm has no shutdown subcommand simply ends up halting its zones.
   */
  @Override
  public void stop(String name, Duration timeout) {
    ZoneEntry zone = reader.require(ZoneNames.requireZoneName(name));
    if (!ZoneStates.booted(zone.state())) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    if (ZoneStates.RUNNING.equals(zone.state())) {
      try {
        cmd.raw(List.of("zoneadm", "-z", name, "shutdown"), null, timeout.isZero() ? Duration.ofSeconds(1) : timeout);
      } catch (UnavailableException hung) {
        // a zone too wedged to run shutdown is what halt is for
      }
    }
    // a zone already shutting down gets the same grace; one that is only "ready" has nothing to shut down
    if (!ZoneStates.READY.equals(zone.state())) {
      while (System.nanoTime() < deadline) {
        if (!ZoneStates.booted(reader.require(name).state())) {
          return;
        }
        pause();
      }
    }
    halt(name);
  }

  void halt(String name) {
    try {
      cmd.check(List.of("zoneadm", "-z", name, "halt"), null, config.installTimeout());
    } catch (ConflictException e) {
      if (ZoneStates.booted(reader.require(name).state())) {
        throw e;
      } // it went down on its own between our look and the halt
    }
  }

  private void pause() {
    try {
      Thread.sleep(config.pollInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException(hostName(), "interrupted while waiting for a zone to stop", e);
    }
  }

  /** Halts, drops snapshots, uninstalls, deletes the configuration, the VNIC and the dataset. */
  @Override
  public void delete(String name) {
    ZoneEntry zone = reader.require(ZoneNames.requireZoneName(name));
    ZoneConfig zoneConfig = reader.config(name);
    if (ZoneStates.booted(zone.state())) {
      halt(name);
    }
    builder.remove(name, zone.zonepath(), zoneConfig);
  }

  @Override
  public Optional<Instance> find(String name) {
    ZoneNames.requireZoneName(name);
    Optional<ZoneEntry> entry = reader.entry(name);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(reader.instance(entry.get(), reader.config(name), reader.vnics()));
    } catch (NotFoundException deletedMeanwhile) {
      return Optional.empty();
    }
  }

  @Override
  public List<Instance> list() {
    Map<String, String> vnics = reader.vnics();
    List<Instance> all = new ArrayList<>();
    for (ZoneEntry entry : reader.entries()) {
      try {
        all.add(reader.instance(entry, reader.config(entry.name()), vnics));
      } catch (NotFoundException deletedMeanwhile) {
        // gone between the list and its configuration: not part of the answer
      }
    }
    return all;
  }

  // ---- inside the zone ----------------------------------------------------------------------

  @Override
  public ExecResult exec(String name, ExecRequest request) {
    requireRunning(name);
    return login.exec(name, request);
  }

  /** Files travel through zlogin only: writing under zonepath/root from the global zone would follow the zone's symlinks. */
  @Override
  public void pushFile(String name, FileSpec file) {
    requireRunning(name);
    login.push(name, file);
  }

  private void requireRunning(String name) {
    ZoneEntry zone = reader.require(ZoneNames.requireZoneName(name));
    if (!ZoneStates.RUNNING.equals(zone.state())) {
      throw new ConflictException(hostName(), "zone '" + name + "' is not running (" + zone.state() + ")");
    }
  }

  // ---- snapshots and copies -----------------------------------------------------------------

  @Override
  public void createSnapshot(String name, String snapshot) {
    snapshots.create(ZoneNames.requireZoneName(name), snapshot);
  }

  @Override
  public List<String> listSnapshots(String name) {
    return snapshots.list(ZoneNames.requireZoneName(name));
  }

  @Override
  public void deleteSnapshot(String name, String snapshot) {
    snapshots.delete(ZoneNames.requireZoneName(name), snapshot);
  }

  @Override
  public void copyTo(HostDriver target, CopyRequest request) {
    if (!(target instanceof ZoneHostDriver to)) {
      throw new InvalidInputException(hostName(), "a zone can only be copied to another zone host, not " + target.kind());
    }
    ZoneNames.requireZoneName(request.source());
    ZoneNames.requireZoneName(request.target());
    new ZoneCopy(this, to).copy(request);
  }

  // ---- for ZoneCopy -------------------------------------------------------------------------

  Commands commands() {
    return cmd;
  }

  ZoneHostConfig config() {
    return config;
  }

  ZoneReader reader() {
    return reader;
  }

  ZoneSnapshots snapshots() {
    return snapshots;
  }

  ZoneBuilder builder() {
    return builder;
  }

  @Override
  public void close() {
    cmd.runner().close();
  }
}
