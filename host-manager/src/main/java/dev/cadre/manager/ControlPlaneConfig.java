package dev.cadre.manager;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.hooks.AgentHookRunner;
import dev.cadre.manager.hooks.HookRunner;
import dev.cadre.manager.hosts.HostEndpoints;
import dev.cadre.manager.provisioning.ImageSupplier;
import dev.cadre.templates.ImageBuilder;
import dev.cadre.templates.TemplateCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * How to open a control plane.
 *
 * @param dataDir where the embedded database and the drivers' state (client certificates) live
 * @param jdbcUrl the store; null means the embedded H2 database {@code <dataDir>/cadre.mv.db}
 * @param factories the host driver kinds this server can talk to (the API finds them by ServiceLoader)
 * @param templates null means {@link TemplateCatalog#builtIn()}
 * @param images null means the {@link ImageBuilder} over {@link ImageBuilder#defaultCacheDir()}
 * @param hooks null means cadre's in-container agent ({@link AgentHookRunner})
 * @param clock null means the system clock in UTC
 * @param tuning null means {@link Tuning#defaults()}
 * @param backupDir where backup archives are kept; null means {@code <dataDir>/backups}
 * @param endpoints which host endpoints API callers may register; null means {@link HostEndpoints#defaults()}
 */
public record ControlPlaneConfig(
    Path dataDir,
    String jdbcUrl,
    List<HostDriverFactory> factories,
    TemplateCatalog templates,
    ImageSupplier images,
    HookRunner hooks,
    Clock clock,
    Tuning tuning,
    Path backupDir,
    HostEndpoints endpoints) {

  public ControlPlaneConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    factories = List.copyOf(factories);
    templates = templates == null ? TemplateCatalog.builtIn() : templates;
    if (images == null) {
      ImageBuilder builder = new ImageBuilder(ImageBuilder.defaultCacheDir(), templates, ImageBuilder.DEFAULT_TIMEOUT);
      images = t -> builder.build(t).source();
    }
    hooks = hooks == null ? new AgentHookRunner() : hooks;
    clock = clock == null ? Clock.systemUTC() : clock;
    tuning = tuning == null ? Tuning.defaults() : tuning;
    backupDir = backupDir == null ? dataDir.resolve("backups") : backupDir;
    endpoints = endpoints == null ? HostEndpoints.defaults() : endpoints;
  }

  /** The operator's defaults for host endpoints. */
  public ControlPlaneConfig(Path dataDir, String jdbcUrl, List<HostDriverFactory> factories, TemplateCatalog templates,
      ImageSupplier images, HookRunner hooks, Clock clock, Tuning tuning, Path backupDir) {
    this(dataDir, jdbcUrl, factories, templates, images, hooks, clock, tuning, backupDir, null);
  }

  /** Backups in {@code <dataDir>/backups}. */
  public ControlPlaneConfig(Path dataDir, String jdbcUrl, List<HostDriverFactory> factories, TemplateCatalog templates,
      ImageSupplier images, HookRunner hooks, Clock clock, Tuning tuning) {
    this(dataDir, jdbcUrl, factories, templates, images, hooks, clock, tuning, null);
  }

  /** Everything by default: embedded store in {@code dataDir}, built-in templates, the real agent. */
  public static ControlPlaneConfig defaults(Path dataDir, List<HostDriverFactory> factories) {
    return new ControlPlaneConfig(dataDir, null, factories, null, null, null, null, null);
  }

  public ControlPlaneConfig withJdbcUrl(String url) {
    return new ControlPlaneConfig(dataDir, url, factories, templates, images, hooks, clock, tuning, backupDir, endpoints);
  }

  public ControlPlaneConfig withTuning(Tuning t) {
    return new ControlPlaneConfig(dataDir, jdbcUrl, factories, templates, images, hooks, clock, t, backupDir, endpoints);
  }

  public ControlPlaneConfig withBackupDir(Path dir) {
    return new ControlPlaneConfig(dataDir, jdbcUrl, factories, templates, images, hooks, clock, tuning, dir, endpoints);
  }

  public ControlPlaneConfig withEndpoints(HostEndpoints e) {
    return new ControlPlaneConfig(dataDir, jdbcUrl, factories, templates, images, hooks, clock, tuning, backupDir, e);
  }
}
