package dev.cadre.manager;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The control plane as the API sees it. Mutating calls validate up front (throwing the driver-spi
 * exception family: InvalidInput, NotFound, Conflict) and otherwise return a durable operation at once;
 * the work runs in the background and its steps are recorded.
 */
public interface ControlPlane extends AutoCloseable {

  OperationView registerHost(HostRequest request);

  List<HostView> hosts();

  HostView host(String name);

  /** Refused with Conflict while members remain on the host. */
  OperationView removeHost(String name);

  OperationView drainHost(String name);

  /** A draining or drained host takes members again; Conflict otherwise, or while a drain of it runs. */
  OperationView resumeHost(String name);

  /**
   * Trusts the identity a host presents now ({@code fingerprint}, the SHA-256 of its certificate) in place of
   * the one pinned before (a host marked untrusted after its certificate changed); {@code trust} (optional)
   * is a trust password or token for the server to accept cadre's client certificate.
   */
  OperationView trustHost(String name, String fingerprint, String trust);

  List<TemplateView> templates();

  OperationView createApp(AppRequest request);

  List<AppView> apps();

  AppView app(String name);

  OperationView deleteApp(String name);

  /** Turns a service into another topology (single <-> redundant), data intact. */
  default OperationView convertService(String app, String service, String topology) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: convert");
  }

  /** Makes this member the primary of its service. */
  default OperationView promoteMember(String app, String service, String member) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: promote");
  }

  /**
   * What moving the app to {@code datacenter} would do, changing nothing; refused (Conflict, with the reason)
   * when the move could not be made now.
   */
  default MovePlan planMove(String app, String datacenter, String method) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: move");
  }

  default MovePlan planMove(String app, String datacenter) {
    return planMove(app, datacenter, null);
  }

  /**
   * Moves the app to another datacenter, data intact, with a short pause (see {@link #planMove}). {@code method}:
   * {@code copy} (null: the default) copies every container; {@code replicate} moves the services of templates
   * with a primary and replicas by replication and a switchover, the others by copy.
   */
  default OperationView moveApp(String app, String datacenter, String method) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: move");
  }

  default OperationView moveApp(String app, String datacenter) {
    return moveApp(app, datacenter, null);
  }

  /** Stores an archive of the service's data, made by its template's export hook; answers the operation. */
  default OperationView backupService(String app, String service) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: backup");
  }

  /** The service's backups, oldest first, also when the app is gone. */
  default List<BackupView> backups(String app, String service) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: backup");
  }

  /** A new app with one service, loaded from a backup of {@code service} of {@code app}. */
  default OperationView restoreBackup(String app, String service, String id, RestoreRequest to) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: restore");
  }

  OperationView operation(String id);

  /** Blocks until the operation is done or {@code timeout} passes; answers its state then. */
  OperationView await(String id, Duration timeout) throws InterruptedException;

  OperationView cancel(String id);

  /** Events from now on, delivered in order on a thread of the control plane's. Close to stop. */
  AutoCloseable subscribe(Consumer<EventView> listener);

  Summary summary();

  /** Addresses allocated per datacenter (from the IPAM table): what a leak test checks from outside. */
  default java.util.Map<String, Integer> addressesInUse() {
    return java.util.Map.of();
  }

  /** Tokens and the audit log, in the control plane's own store (so every server sharing it sees the same). */
  default dev.cadre.manager.store.AccessStore access() {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: tokens");
  }

  @Override
  void close();
}
