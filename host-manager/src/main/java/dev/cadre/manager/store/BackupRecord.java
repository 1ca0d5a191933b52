package dev.cadre.manager.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One stored backup of a service's data: what it was taken from (app, service, template, topology and the
 * service's config, which a restore gives the new service), when, and the archive's size and sha256. The
 * archive itself is {@code ID.tar.gz} in the server's backup directory.
 */
public record BackupRecord(String id, String app, String service, String template, String topology,
    Map<String, String> config, Instant created, long bytes, String sha256, String operationId) {
  public BackupRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sha256, "sha256");
    config = config == null ? Map.of() : Map.copyOf(config);
  }
}
