package dev.cadre.manager;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The control plane as the API sees it. Mutating calls validate up front (throwing the driver-spi
 * exception family: InvalidInput, NotFound, Conflict) and otherwise return a durable operation at once;
 * the work runs in the background and its steps are recorded. Each takes {@code actor}, the name of the
 * token that asked ({@code admin} for the bootstrap token), which the operation shows; the forms without it
 * start operations no token asked for (tests, tools).
 */
public interface ControlPlane extends AutoCloseable {

  OperationView registerHost(HostRequest request, String actor);

  default OperationView registerHost(HostRequest request) {
    return registerHost(request, null);
  }

  List<HostView> hosts();

  HostView host(String name);

  /** Refused with Conflict while members remain on the host. */
  OperationView removeHost(String name, String actor);

  default OperationView removeHost(String name) {
    return removeHost(name, null);
  }

  OperationView drainHost(String name, String actor);

  default OperationView drainHost(String name) {
    return drainHost(name, null);
  }

  /** A draining or drained host takes members again; Conflict otherwise, or while a drain of it runs. */
  OperationView resumeHost(String name, String actor);

  default OperationView resumeHost(String name) {
    return resumeHost(name, null);
  }

  /**
   * Trusts the identity a host presents now ({@code fingerprint}, the SHA-256 of its certificate) in place of
   * the one pinned before (a host marked untrusted after its certificate changed); {@code trust} (optional)
   * is a trust password or token for the server to accept cadre's client certificate.
   */
  OperationView trustHost(String name, String fingerprint, String trust, String actor);

  default OperationView trustHost(String name, String fingerprint, String trust) {
    return trustHost(name, fingerprint, trust, null);
  }

  List<TemplateView> templates();

  OperationView createApp(AppRequest request, String actor);

  default OperationView createApp(AppRequest request) {
    return createApp(request, null);
  }

  List<AppView> apps();

  /** The names of every app, sorted: what a page of {@link #apps(List)} is cut from. */
  default List<String> appNames() {
    return apps().stream().map(AppView::name).sorted().toList();
  }

  /**
   * The apps of {@code names} that exist, in that order: one page of a listing, read at once, so that it costs
   * what the page holds and not what every app does.
   */
  default List<AppView> apps(List<String> names) {
    java.util.Map<String, AppView> all = new java.util.HashMap<>();
    apps().forEach(a -> all.put(a.name(), a));
    return names.stream().map(all::get).filter(java.util.Objects::nonNull).toList();
  }

  AppView app(String name);

  OperationView deleteApp(String name, String actor);

  default OperationView deleteApp(String name) {
    return deleteApp(name, null);
  }

  /** Turns a service into another topology (single <-> redundant), data intact. */
  default OperationView convertService(String app, String service, String topology, String actor) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: convert");
  }

  default OperationView convertService(String app, String service, String topology) {
    return convertService(app, service, topology, null);
  }

  /** Makes this member the primary of its service. */
  default OperationView promoteMember(String app, String service, String member, String actor) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: promote");
  }

  default OperationView promoteMember(String app, String service, String member) {
    return promoteMember(app, service, member, null);
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
  default OperationView moveApp(String app, String datacenter, String method, String actor) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: move");
  }

  default OperationView moveApp(String app, String datacenter, String method) {
    return moveApp(app, datacenter, method, null);
  }

  default OperationView moveApp(String app, String datacenter) {
    return moveApp(app, datacenter, null, null);
  }

  /** Stores an archive of the service's data, made by its template's export hook; answers the operation. */
  default OperationView backupService(String app, String service, String actor) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: backup");
  }

  default OperationView backupService(String app, String service) {
    return backupService(app, service, null);
  }

  /** The service's backups, oldest first, also when the app is gone. */
  default List<BackupView> backups(String app, String service) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: backup");
  }

  /** A new app with one service, loaded from a backup of {@code service} of {@code app}. */
  default OperationView restoreBackup(String app, String service, String id, RestoreRequest to, String actor) {
    throw new dev.cadre.driver.ConflictException(null, "not supported yet: restore");
  }

  default OperationView restoreBackup(String app, String service, String id, RestoreRequest to) {
    return restoreBackup(app, service, id, to, null);
  }

  OperationView operation(String id);

  /** Blocks until the operation is done or {@code timeout} passes; answers its state then. */
  OperationView await(String id, Duration timeout) throws InterruptedException;

  OperationView cancel(String id);

  /**
   * Events from now on, of every server sharing the store, delivered in the order of their ids on a thread of
   * the control plane's. Close to stop.
   */
  AutoCloseable subscribe(Consumer<EventView> listener);

  /**
   * Every event after the one with id {@code after} that is still kept (see the retention), then the new ones
   * as {@link #subscribe(Consumer)}: the resume of an SSE client that sends {@code Last-Event-ID}.
   */
  AutoCloseable subscribe(long after, Consumer<EventView> listener);

  Summary summary();

  /**
   * The servers sharing the store, the oldest first, and which one leads background work (on the embedded
   * store: this one).
   */
  List<ServerView> servers();

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
