package dev.cadre.api;

import dev.cadre.driver.HostDriverFactory;
import dev.cadre.manager.CadreControlPlane;
import dev.cadre.manager.ControlPlane;
import dev.cadre.manager.ControlPlaneConfig;
import dev.cadre.manager.hosts.HostEndpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens the real control plane on a data dir: the one place the server names host-manager's entry
 * point. Drivers are whatever {@link HostDriverFactory} implementations are on the class path.
 */
final class ControlPlanes {
  private ControlPlanes() {}

  static List<HostDriverFactory> factories() {
    List<HostDriverFactory> factories = new ArrayList<>();
    ServiceLoader.load(HostDriverFactory.class).forEach(factories::add);
    return factories;
  }

  /** Migrates the store and recovers interrupted operations before it returns. */
  static ControlPlane open(Path dataDir, String jdbcUrl) {
    return open(dataDir, jdbcUrl, null);
  }

  /** {@code backupDir} null: {@code DATA_DIR/backups}. */
  static ControlPlane open(Path dataDir, String jdbcUrl, Path backupDir) {
    return open(dataDir, jdbcUrl, backupDir, null, null);
  }

  /** {@code retention} null: the default (7 days) for events and finished operations; {@code endpoints} null: {@link HostEndpoints#defaults()}. */
  static ControlPlane open(Path dataDir, String jdbcUrl, Path backupDir, java.time.Duration retention,
      HostEndpoints endpoints) {
    ControlPlaneConfig config = ControlPlaneConfig.defaults(dataDir, factories()).withEndpoints(endpoints);
    if (retention != null) {
      config = config.withTuning(config.tuning().withRetention(retention));
    }
    if (jdbcUrl != null && !jdbcUrl.isBlank()) {
      config = config.withJdbcUrl(jdbcUrl);
    }
    if (backupDir != null) {
      config = config.withBackupDir(backupDir);
    }
    return CadreControlPlane.open(config);
  }
}
